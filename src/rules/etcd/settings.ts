// etcd's effective settings. etcd reads each flag `--some-flag` also from the environment variable
// `ETCD_SOME_FLAG`; a flag on the command line wins over the variable. With `--config-file` (or
// ETCD_CONFIG_FILE) etcd ignores both and reads a file kubemoat cannot see, so nothing is judged.

import type { Path } from '../../core/json.js';
import { asArray, asObject, asString } from '../../core/json.js';
import type { ComponentNode } from '../../inventory/components.js';
import { parseBool, unquote } from '../../inventory/flags.js';
import type { ContainerNode } from '../../inventory/objects.js';
import { isLoopback, judgeable, parseUrl, redactUrls, type ParsedUrl } from '../control-plane/settings.js';

export interface EtcdSetting {
  /** the text as written, undefined when not set anywhere (the default applies) */
  value: string | undefined;
  /** where it is set (a flag, an env value), or where to add it */
  at: Path;
  /** `--name=value` or `ETCD_NAME=value`, for evidence and messages */
  shown: string;
}

export interface Etcd {
  container: ContainerNode;
  component: ComponentNode;
  /** the setting, or null when it comes from something kubemoat cannot read (env `valueFrom`) */
  get(name: string): EtcdSetting | null;
  /** a boolean setting, or null when it cannot be read */
  bool(name: string, fallback: boolean): { value: boolean; setting: EtcdSetting } | null;
  /** a URL-list setting with its default */
  urls(name: string, fallback: string): { urls: ParsedUrl[]; setting: EtcdSetting } | null;
  addAt: Path;
}

function envName(flag: string): string {
  return `ETCD_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** etcd's settings for a component kubemoat can judge, or undefined (not etcd, opaque entrypoint, config file). */
export function etcdOf(c: ComponentNode, addAt: Path): Etcd | undefined {
  const container = judgeable(c, 'etcd');
  if (container === undefined) return undefined;
  const env = asArray(container.container.env);
  const get = (name: string): EtcdSetting | null => {
    const flag = c.flags.get(name);
    if (flag !== undefined) return { value: flag.value ?? 'true', at: flag.at, shown: flag.value === undefined ? `--${name}` : `--${name}=${redactUrls(flag.value)}` };
    const wanted = envName(name);
    // the last definition of a name wins, as the kubelet builds the environment
    for (let i = env.length - 1; i >= 0; i--) {
      const e = asObject(env[i]);
      if (e === undefined || e.name !== wanted) continue;
      if (e.valueFrom !== undefined) return null;
      const value = asString(e.value) ?? '';
      return { value, at: ['env', i, 'value'], shown: `${wanted}=${redactUrls(value)}` };
    }
    return { value: undefined, at: addAt, shown: `--${name} not set` };
  };
  const configFile = get('config-file');
  if (configFile === null || (configFile.value !== undefined && unquote(configFile.value) !== '')) return undefined;
  return {
    container,
    component: c,
    addAt,
    get,
    bool(name, fallback) {
      const s = get(name);
      if (s === null) return null;
      if (s.value === undefined) return { value: fallback, setting: s };
      return { value: parseBool(s.value) ?? fallback, setting: s };
    },
    urls(name, fallback) {
      const s = get(name);
      if (s === null) return null;
      const text = s.value === undefined ? fallback : unquote(s.value);
      const urls = text.split(',').map((u) => parseUrl(u)).filter((u) => u !== undefined);
      return { urls, setting: s.value === undefined ? { ...s, shown: `--${name} not set (default ${fallback})` } : s };
    },
  };
}

/** Client listeners: `--listen-client-urls` (default http://localhost:2379) plus `--listen-client-http-urls`. */
export function clientListeners(etcd: Etcd): { name: string; urls: ParsedUrl[]; setting: EtcdSetting }[] | null {
  const main = etcd.urls('listen-client-urls', 'http://localhost:2379');
  const extra = etcd.urls('listen-client-http-urls', '');
  if (main === null || extra === null) return null;
  const out = [{ name: 'listen-client-urls', ...main }];
  if (extra.urls.length > 0) out.push({ name: 'listen-client-http-urls', ...extra });
  return out;
}

/** A URL reachable from outside the pod's network namespace (or from the node, for a host-network pod). */
export function beyondLoopback(u: ParsedUrl): boolean {
  if (u.scheme === 'unix' || u.scheme === 'unixs') return false;
  return !isLoopback(u.host);
}

/** Peers other than this member: several entries in --initial-cluster, discovery, or joining an existing cluster. */
export function hasOtherMembers(etcd: Etcd): boolean {
  const cluster = etcd.get('initial-cluster');
  const members = cluster?.value ? unquote(cluster.value).split(',').filter((m) => m.trim() !== '') : [];
  const names = new Set(members.map((m) => m.split('=')[0].trim()));
  if (names.size > 1) return true;
  if (etcd.get('discovery')?.value || etcd.get('discovery-srv')?.value) return true;
  const state = etcd.get('initial-cluster-state');
  return state?.value !== undefined && unquote(state.value) === 'existing';
}

export type Reach = 'network' | 'node' | 'pod';

/** Who can connect to these listeners: anyone on the network, processes of the node (host network), or only the pod. */
export function reachOf(urls: readonly ParsedUrl[], etcd: Etcd): Reach {
  if (urls.some(beyondLoopback)) return 'network';
  const hostNetwork = etcd.container.pod.spec.hostNetwork;
  return hostNetwork === true || hostNetwork === 'true' ? 'node' : 'pod';
}

export const REACH_TEXT: Record<Reach, string> = {
  network: 'anyone who can reach it on the network',
  node: 'any process on the node, or any host-network pod there,',
  pod: 'other containers of the same pod',
};

export function showUrls(urls: readonly ParsedUrl[]): string {
  return urls.map((u) => `${u.scheme}://${u.host.includes(':') ? `[${u.host}]` : u.host}${u.port ? `:${u.port}` : ''}`).join(', ');
}
