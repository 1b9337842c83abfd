// Kubernetes components found in the inventory with their flags: control-plane static pods
// (kube-apiserver, kube-controller-manager, kube-scheduler, etcd) in manifests and in a live
// cluster's kube-system. `kubemoat node` adds the same view for processes.

import { asArray, asString } from '../core/json.js';
import type { ContainerNode } from './objects.js';
import { parseFlags, type ArgvEntry, type FlagSet } from './flags.js';

export const COMPONENT_NAMES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kubelet', 'kube-proxy'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

export interface ComponentNode {
  component: ComponentName;
  flags: FlagSet;
  /** where the component runs: a container (file or live pod) */
  source: { type: 'container'; container: ContainerNode };
}

/** Flags of these components that take no separate value (so `--profiling --v=2` parses right). */
const BOOLEAN_FLAGS = new Set([
  // kube-apiserver
  'anonymous-auth', 'profiling', 'enable-bootstrap-token-auth', 'service-account-lookup', 'allow-privileged',
  'enable-aggregator-routing', 'enable-priority-and-fairness', 'enable-garbage-collector',
  // kube-controller-manager, kube-scheduler
  'use-service-account-credentials', 'leader-elect', 'allocate-node-cidrs',
  // etcd
  'client-cert-auth', 'peer-client-cert-auth', 'auto-tls', 'peer-auto-tls', 'enable-v2', 'strict-reconfig-check',
  'experimental-initial-corrupt-check',
  // kubelet
  'rotate-certificates', 'rotate-server-certificates', 'authentication-token-webhook', 'protect-kernel-defaults',
  'make-iptables-util-chains', 'fail-cgroupv1', 'serialize-image-pulls', 'fail-swap-on',
])

function argv(c: ContainerNode): ArgvEntry[] {
  const words: ArgvEntry[] = [];
  for (const field of ['command', 'args'] as const) {
    asArray(c.container[field]).forEach((w, i) => {
      if (typeof w === 'string') words.push({ word: w, at: [field, i] });
    });
  }
  return words;
}

function basename(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

/** Which component a container runs: by its executable, else by its image name. */
export function componentOf(c: ContainerNode): ComponentName | undefined {
  const words = argv(c);
  const exe = words.find((w) => !w.word.startsWith('-'));
  if (exe) {
    const name = basename(exe.word);
    if ((COMPONENT_NAMES as readonly string[]).includes(name)) return name as ComponentName;
  }
  const image = asString(c.container.image);
  if (image) {
    const repo = basename(image.split('@')[0].replace(/:[^/:]*$/, ''));
    if ((COMPONENT_NAMES as readonly string[]).includes(repo)) return repo as ComponentName;
  }
  return undefined;
}

export function componentsOf(containers: readonly ContainerNode[]): ComponentNode[] {
  const out: ComponentNode[] = [];
  for (const c of containers) {
    const component = componentOf(c);
    if (component === undefined) continue;
    out.push({ component, flags: parseFlags(argv(c), BOOLEAN_FLAGS), source: { type: 'container', container: c } });
  }
  return out;
}
