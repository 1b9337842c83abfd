// Effective kubelet settings from a KubeletConfiguration (a config file or a live node's configz).
// A field missing from a config file takes the kubelet.config.k8s.io/v1beta1 default, which is the
// safe value for each of these (unlike the kubelet's command-line defaults: `kubemoat node` reads
// flags too).

import { asNumber, asObject, asString, dig, isTrue, type JsonValue, type Path } from '../../core/json.js';
import type { KubeObject } from '../../inventory/objects.js';

export interface KubeletSetting<T> {
  value: T;
  /** where it is set, or where to set it */
  at: Path;
  explicit: boolean;
  /** `authentication.anonymous.enabled: true (from …)`: the value and, on a node, where it came from */
  shown: string;
}

function setting<T>(o: KubeObject, path: string[], read: (v: JsonValue | undefined) => T | undefined, fallback: T): KubeletSetting<T> {
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

const bool = (v: JsonValue | undefined): boolean | undefined => (typeof v === 'boolean' ? v : v === undefined || v === null ? undefined : isTrue(v));

export const kubelet = {
  anonymousAuth: (o: KubeObject) => setting(o, ['authentication', 'anonymous', 'enabled'], bool, false),
  webhookAuthn: (o: KubeObject) => setting(o, ['authentication', 'webhook', 'enabled'], bool, true),
  clientCAFile: (o: KubeObject) => setting(o, ['authentication', 'x509', 'clientCAFile'], (v) => asString(v) || undefined, ''),
  authorizationMode: (o: KubeObject) => setting(o, ['authorization', 'mode'], (v) => asString(v), 'Webhook'),
  readOnlyPort: (o: KubeObject) => setting(o, ['readOnlyPort'], (v) => asNumber(v), 0),
  rotateCertificates: (o: KubeObject) => setting(o, ['rotateCertificates'], bool, false),
  serverTLSBootstrap: (o: KubeObject) => setting(o, ['serverTLSBootstrap'], bool, false),
  podPidsLimit: (o: KubeObject) => setting(o, ['podPidsLimit'], (v) => asNumber(v), -1),
  tlsCipherSuites: (o: KubeObject) => setting(o, ['tlsCipherSuites'], (v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined), [] as string[]),
  staticPodURL: (o: KubeObject) => setting(o, ['staticPodURL'], (v) => asString(v), ''),
  makeIPTablesUtilChains: (o: KubeObject) => setting(o, ['makeIPTablesUtilChains'], bool, true),
  streamingConnectionIdleTimeout: (o: KubeObject) => setting(o, ['streamingConnectionIdleTimeout'], (v) => asString(v), '4h0m0s'),
};

/** "node `x`" for live configs, the object's name or "the kubelet configuration" for files. */
export function subject(o: KubeObject): string {
  if (o.origin.type === 'cluster') return `the kubelet on node \`${o.name}\``;
  if (o.origin.type === 'node') return `the kubelet on this node${o.origin.pid !== undefined ? ` (pid ${o.origin.pid})` : ''}`;
  return 'this kubelet configuration';
}
