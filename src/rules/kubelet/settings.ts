// Effective kubelet settings, from either of the two places kubemoat meets a kubelet:
// - a KubeletConfiguration (a config file, a live node's configz, `kubemoat node`'s effective
//   configuration): a field it leaves out takes the kubelet.config.k8s.io/v1beta1 default, which is
//   the safe value for each of these;
// - a kubelet run in a pod with its flags on the command line (a manifest, kind-style node images):
//   without `--config` the kubelet takes its command-line defaults, which are NOT the file defaults
//   (anonymous authentication on, authorization AlwaysAllow, read-only port 10255); with `--config`
//   the file is not in the manifests, so only what the flags set is judged.

import { asNumber, asObject, asString, dig, isTrue, type JsonObject, type JsonValue, type Path } from '../../core/json.js';
import type { ReportNode, Visitors } from '../../core/rule.js';
import type { ComponentNode } from '../../inventory/components.js';
import { effectiveKubeletConfig, TRACKED_SETTINGS } from '../../inventory/kubelet-config.js';
import { describeContainer, describeObject, type ContainerNode, type KubeObject } from '../../inventory/objects.js';
import { addAt, judgeable } from '../control-plane/settings.js';

export type KubeletSubject =
  | { kind: 'config'; object: KubeObject }
  | { kind: 'command line'; component: ComponentNode; container: ContainerNode; config: JsonObject; provenance: Record<string, string>; configFile: boolean };

export interface KubeletSetting<T> {
  value: T;
  /** where it is set, or where to set it (relative to `reportNode`) */
  at: Path;
  explicit: boolean;
  /** `authentication.anonymous.enabled: true (from …)`: the value and, on a node, where it came from */
  shown: string;
}

function configSetting<T>(o: KubeObject, path: string[], read: (v: JsonValue | undefined) => T | undefined, fallback: T): KubeletSetting<T> {
  const v = read(dig(o.raw, ...path));
  const dotted = path.join('.');
  const from = o.origin.type === 'node' ? o.origin.provenance?.[dotted] : undefined;
  if (v !== undefined) return { value: v, at: path, explicit: true, shown: `${dotted}: ${JSON.stringify(v)}${from ? ` (from ${from})` : ''}` };
  // the deepest existing parent is where a user would add the field
  const at: string[] = [];
  for (const step of path.slice(0, -1)) {
    if (asObject(dig(o.raw, ...at, step)) === undefined) break;
    at.push(step);
  }
  return { value: fallback, at, explicit: false, shown: `${dotted} not set (default ${JSON.stringify(fallback)})` };
}

function commandLineSetting<T>(k: Extract<KubeletSubject, { kind: 'command line' }>, path: string[], read: (v: JsonValue | undefined) => T | undefined, fallback: T): KubeletSetting<T> {
  const dotted = path.join('.');
  const flag = TRACKED_SETTINGS.find((t) => t.path === dotted)?.flag;
  const written = flag === undefined ? undefined : k.component.flags.get(flag);
  const v = read(dig(k.config, ...path));
  if (v === undefined) {
    const why = k.configFile ? 'not set by a flag; the --config file is not in the input' : 'not set';
    return { value: fallback, at: addAt(k.component), explicit: false, shown: `${flag !== undefined ? `--${flag}` : dotted} ${why} (default ${JSON.stringify(fallback)})` };
  }
  return { value: v, at: written?.at ?? addAt(k.component), explicit: written !== undefined, shown: `${dotted}: ${JSON.stringify(v)} (from ${k.provenance[dotted] ?? 'the command line'})` };
}

function setting<T>(k: KubeletSubject, path: string[], read: (v: JsonValue | undefined) => T | undefined, fallback: T): KubeletSetting<T> {
  return k.kind === 'config' ? configSetting(k.object, path, read, fallback) : commandLineSetting(k, path, read, fallback);
}

const bool = (v: JsonValue | undefined): boolean | undefined => (typeof v === 'boolean' ? v : v === undefined || v === null ? undefined : isTrue(v));

export const kubelet = {
  anonymousAuth: (k: KubeletSubject) => setting(k, ['authentication', 'anonymous', 'enabled'], bool, false),
  webhookAuthn: (k: KubeletSubject) => setting(k, ['authentication', 'webhook', 'enabled'], bool, true),
  clientCAFile: (k: KubeletSubject) => setting(k, ['authentication', 'x509', 'clientCAFile'], (v) => asString(v) || undefined, ''),
  authorizationMode: (k: KubeletSubject) => setting(k, ['authorization', 'mode'], (v) => asString(v), 'Webhook'),
  readOnlyPort: (k: KubeletSubject) => setting(k, ['readOnlyPort'], (v) => asNumber(v), 0),
  rotateCertificates: (k: KubeletSubject) => setting(k, ['rotateCertificates'], bool, false),
  serverTLSBootstrap: (k: KubeletSubject) => setting(k, ['serverTLSBootstrap'], bool, false),
  podPidsLimit: (k: KubeletSubject) => setting(k, ['podPidsLimit'], (v) => asNumber(v), -1),
  tlsCipherSuites: (k: KubeletSubject) => setting(k, ['tlsCipherSuites'], (v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined), [] as string[]),
  staticPodURL: (k: KubeletSubject) => setting(k, ['staticPodURL'], (v) => asString(v), ''),
  makeIPTablesUtilChains: (k: KubeletSubject) => setting(k, ['makeIPTablesUtilChains'], bool, true),
  streamingConnectionIdleTimeout: (k: KubeletSubject) => setting(k, ['streamingConnectionIdleTimeout'], (v) => asString(v), '4h0m0s'),
};

/** What a finding about this kubelet is attached to: the configuration object, or the kubelet's container. */
export function reportNode(k: KubeletSubject): ReportNode {
  return k.kind === 'config' ? k.object : k.container;
}

/** "node `x`" for live configs, the object's name or "the kubelet configuration" for files, the container for a kubelet in a pod. */
export function subject(k: KubeletSubject): string {
  if (k.kind === 'command line') return `the kubelet run by ${describeContainer(k.container)} in ${describeObject(k.container.pod.object)}`;
  const o = k.object;
  if (o.origin.type === 'cluster') return `the kubelet on node \`${o.name}\``;
  if (o.origin.type === 'node') return `the kubelet on this node${o.origin.pid !== undefined ? ` (pid ${o.origin.pid})` : ''}`;
  return 'this kubelet configuration';
}

const commandLines = new WeakMap<ComponentNode, KubeletSubject>();

function fromCommandLine(c: ComponentNode, container: ContainerNode): KubeletSubject {
  let k = commandLines.get(c);
  if (k === undefined) {
    const configFlag = c.flags.string('config');
    const configFile = configFlag !== undefined && configFlag !== '';
    // the --config file is not in the input: only the flags are known
    const effective = effectiveKubeletConfig({ flags: c.flags, ...(configFile ? { configFile: { path: configFlag, error: 'not in the input' } } : {}) });
    k = { kind: 'command line', component: c, container, config: effective.config, provenance: effective.provenance, configFile };
    commandLines.set(c, k);
  }
  return k;
}

/**
 * Visitors that hand every kubelet to `judge`: each KubeletConfiguration, and each kubelet a pod runs
 * with its flags on the command line. A kubelet process `kubemoat node` found is judged through the
 * effective KubeletConfiguration it builds, not twice.
 */
export function kubeletVisitors(judge: (k: KubeletSubject) => void): Visitors {
  return {
    kinds: { KubeletConfiguration: (o) => judge({ kind: 'config', object: o }) },
    component(c) {
      const container = judgeable(c, 'kubelet');
      if (container === undefined || c.source.type === 'process') return;
      judge(fromCommandLine(c, container));
    },
  };
}
