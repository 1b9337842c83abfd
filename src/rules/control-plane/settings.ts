// What control-plane and etcd rules share: which components they can judge, where a missing flag
// goes, how a flag is shown as evidence, URL and address helpers, and the references they cite.

import type { Path } from '../../core/json.js';
import type { ComponentName, ComponentNode } from '../../inventory/components.js';
import type { FlagValue } from '../../inventory/flags.js';
import type { ContainerNode } from '../../inventory/objects.js';

/**
 * The container to report on when this is one of `names` and its flags can be judged: kubemoat sees
 * the component's own command line, so a flag that is absent really takes its default.
 */
export function judgeable(c: ComponentNode, ...names: ComponentName[]): ContainerNode | undefined {
  if (!names.includes(c.component)) return undefined;
  if (c.flagsComplete === false) return undefined;
  // a process found by `kubemoat node` is judged through its synthetic container (its command line)
  return c.source.container;
}

/** Where to add a missing flag: the list holding the component's arguments (or its shell line). */
export function addAt(c: ComponentNode): Path {
  if (c.argsAt) return c.argsAt;
  const container = c.source.container.container;
  return Array.isArray(container.args) ? ['args'] : Array.isArray(container.command) ? ['command'] : [];
}

/** `--name=value` as evidence (or `--name` for a bare boolean), with credentials in URLs redacted. */
export function shown(name: string, f: FlagValue | undefined): string {
  if (f === undefined) return `--${name} not set`;
  return f.value === undefined ? `--${name}` : `--${name}=${redactUrls(f.value)}`;
}

/** `https://user:secret@host` → `https://[redacted]@host`: a URL's user information is a credential. */
export function redactUrls(text: string): string {
  return text.replace(/(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s,]*@/g, '$1[redacted]@');
}

/** Kubernetes minor version when the image says the major is 1. */
export function kubeMinor(c: ComponentNode): number | undefined {
  return c.version?.major === 1 ? c.version.minor : undefined;
}

export interface ParsedUrl {
  scheme: string;
  host: string;
  port: string;
}

/** Split `https://10.0.0.5:2379` (also `[::1]:2379`, `unix://sock`) without throwing on odd input. */
export function parseUrl(u: string): ParsedUrl | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(u.trim());
  if (m === null) return undefined;
  const scheme = m[1].toLowerCase();
  let hostPort = m[2];
  const at = hostPort.lastIndexOf('@');
  if (at >= 0) hostPort = hostPort.slice(at + 1);
  if (scheme === 'unix' || scheme === 'unixs') return { scheme, host: hostPort, port: '' };
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostPort);
  if (v6) return { scheme, host: v6[1], port: v6[2] ?? '' };
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? { scheme, host: hostPort, port: '' } : { scheme, host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/** 127.0.0.0/8, ::1 and localhost: only the same network namespace reaches them. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** 0.0.0.0, ::, or empty: every interface. */
export function isWildcard(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '');
  return h === '' || h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0';
}

/** The pod shares the node's network namespace, so its loopback is the node's. */
export function onHostNetwork(container: ContainerNode): boolean {
  const v = container.pod.spec.hostNetwork;
  return v === true || v === 'true';
}

export const CP_DOCS = {
  apiserver: 'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
  controllerManager: 'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/',
  scheduler: 'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/',
  anonymous: 'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
  staticToken: 'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#static-token-file',
  authorization: 'https://kubernetes.io/docs/reference/access-authn-authz/authorization/',
  nodeAuthorizer: 'https://kubernetes.io/docs/reference/access-authn-authz/node/',
  admission: 'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/',
  audit: 'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/',
  encryption: 'https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/',
  kubeletAuth: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
  controllingAccess: 'https://kubernetes.io/docs/concepts/security/controlling-access/',
  serviceAccountsAdmin: 'https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/',
  controllerRoles: 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles',
  etcdSecurity: 'https://etcd.io/docs/v3.5/op-guide/security/',
  etcdConfiguration: 'https://etcd.io/docs/v3.5/op-guide/configuration/',
  securingEtcd: 'https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#securing-etcd-clusters',
  insecurePortRemoval: 'https://github.com/kubernetes/kubernetes/pull/95856',
  cisBenchmark: 'https://www.cisecurity.org/benchmark/kubernetes',
} as const;

/** NSA/CISA Kubernetes Hardening Guide sections these rules trace to. */
export const CP_NSA = {
  controlPlane: 'NSA-CISA Network separation: control plane hardening',
  etcd: 'NSA-CISA Network separation: control plane hardening (etcd)',
  secrets: 'NSA-CISA Network separation: secrets',
  authn: 'NSA-CISA Authentication and authorization: authentication',
  rbac: 'NSA-CISA Authentication and authorization: role-based access control',
  audit: 'NSA-CISA Audit logging and threat detection: logging',
} as const;

/** MITRE ATT&CK techniques not in the shared table. */
export const CP_MITRE = {
  adversaryInTheMiddle: 'T1557',
  impairDefenses: 'T1562',
} as const;
