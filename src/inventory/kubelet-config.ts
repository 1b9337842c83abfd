// The kubelet's effective configuration, computed the way the kubelet computes it
// (cmd/kubelet/app/server.go):
//
//   1. without --config: the command-line defaults, which are NOT the config-file defaults — the
//      kubelet's `applyLegacyDefaults` turns anonymous authentication on, token webhook
//      authentication off, authorization to AlwaysAllow and the read-only port to 10255;
//   2. with --config FILE (relative to the kubelet's working directory): the file, with the
//      kubelet.config.k8s.io/v1beta1 defaults for what it leaves out, and relative paths in it
//      resolved against the file's own directory;
//   3. with --config-dir DIR: every `*.conf` file under DIR, in lexical order of the walk, applied as a
//      JSON merge patch (RFC 7386: objects merge, lists and scalars replace, null removes) over
//      the result so far, then the v1beta1 defaults for anything left unset;
//   4. the command-line flags again, over all of that (flags always win).
//
// Each tracked setting remembers which of these gave its value, for the findings' evidence.

import { parse as parseYaml } from 'yaml';
import { asObject, isObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseBool, unquote, type FlagSet } from './flags.js';

export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';

type FlagType = 'bool' | 'int' | 'string' | 'list' | 'map';

interface TrackedSetting {
  /** dotted path in the KubeletConfiguration */
  path: string;
  flag: string;
  type: FlagType;
  /** the v1beta1 default (what a config file gets for a field it leaves out) */
  fileDefault: JsonValue;
  /** the command-line default, where it differs (applyLegacyDefaults) */
  flagDefault?: JsonValue;
}

/** The settings kubemoat judges, their flags and their defaults (pkg/kubelet/apis/config/v1beta1/defaults.go). */
export const TRACKED_SETTINGS: readonly TrackedSetting[] = [
  { path: 'authentication.anonymous.enabled', flag: 'anonymous-auth', type: 'bool', fileDefault: false, flagDefault: true },
  { path: 'authentication.webhook.enabled', flag: 'authentication-token-webhook', type: 'bool', fileDefault: true, flagDefault: false },
  { path: 'authentication.x509.clientCAFile', flag: 'client-ca-file', type: 'string', fileDefault: '' },
  { path: 'authorization.mode', flag: 'authorization-mode', type: 'string', fileDefault: 'Webhook', flagDefault: 'AlwaysAllow' },
  { path: 'readOnlyPort', flag: 'read-only-port', type: 'int', fileDefault: 0, flagDefault: 10255 },
  { path: 'port', flag: 'port', type: 'int', fileDefault: 10250 },
  { path: 'address', flag: 'address', type: 'string', fileDefault: '0.0.0.0' },
  { path: 'rotateCertificates', flag: 'rotate-certificates', type: 'bool', fileDefault: false },
  { path: 'serverTLSBootstrap', flag: 'rotate-server-certificates', type: 'bool', fileDefault: false },
  { path: 'tlsCertFile', flag: 'tls-cert-file', type: 'string', fileDefault: '' },
  { path: 'tlsPrivateKeyFile', flag: 'tls-private-key-file', type: 'string', fileDefault: '' },
  { path: 'tlsCipherSuites', flag: 'tls-cipher-suites', type: 'list', fileDefault: [] },
  { path: 'tlsMinVersion', flag: 'tls-min-version', type: 'string', fileDefault: '' },
  { path: 'protectKernelDefaults', flag: 'protect-kernel-defaults', type: 'bool', fileDefault: false },
  { path: 'makeIPTablesUtilChains', flag: 'make-iptables-util-chains', type: 'bool', fileDefault: true },
  { path: 'streamingConnectionIdleTimeout', flag: 'streaming-connection-idle-timeout', type: 'string', fileDefault: '4h0m0s' },
  { path: 'eventRecordQPS', flag: 'event-qps', type: 'int', fileDefault: 50 },
  { path: 'staticPodPath', flag: 'pod-manifest-path', type: 'string', fileDefault: '' },
  { path: 'staticPodURL', flag: 'manifest-url', type: 'string', fileDefault: '' },
  { path: 'seccompDefault', flag: 'seccomp-default', type: 'bool', fileDefault: false },
  { path: 'podPidsLimit', flag: 'pod-max-pids', type: 'int', fileDefault: -1 },
  { path: 'containerRuntimeEndpoint', flag: 'container-runtime-endpoint', type: 'string', fileDefault: 'unix:///run/containerd/containerd.sock' },
  { path: 'featureGates', flag: 'feature-gates', type: 'map', fileDefault: {} },
];

/** Paths in a config file that the kubelet resolves against the file's directory (KubeletConfigurationPathRefs). */
const PATH_FIELDS = ['staticPodPath', 'authentication.x509.clientCAFile', 'tlsCertFile', 'tlsPrivateKeyFile', 'resolvConf', 'volumePluginDir', 'podLogsDir'];

export interface ConfigText {
  /** the path as the kubelet sees it (absolute) */
  path: string;
  text: string;
}

export interface EffectiveKubeletConfig {
  /** a KubeletConfiguration object: what the kubelet runs with, for the tracked settings and everything the files set */
  config: JsonObject;
  /** dotted path → where its value came from, for every tracked setting */
  provenance: Record<string, string>;
  /** files that could not be used, with why (the kubelet would refuse to start with them) */
  problems: { file: string; reason: string }[];
  /** drop-in files the kubelet skips (not `*.conf`) */
  skipped: string[];
}

export interface KubeletConfigInput {
  flags: FlagSet;
  /** the --config file, resolved; undefined when the flag is not given */
  configFile?: ConfigText | { path: string; error: string };
  /** the --config-dir drop-ins, in the kubelet's order; undefined when the flag is not given */
  dropIns?: (ConfigText | { path: string; error: string })[];
  /** files in the drop-in directory without the `.conf` extension */
  skippedDropIns?: string[];
}

function getPath(o: JsonObject, dotted: string): JsonValue | undefined {
  let cur: JsonValue | undefined = o;
  for (const k of dotted.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function setPath(o: JsonObject, dotted: string, value: JsonValue): void {
  const keys = dotted.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (isObject(next)) cur = next;
    else cur = cur[k] = {};
  }
  cur[keys[keys.length - 1]] = value;
}

/** RFC 7386 JSON merge patch, as the kubelet applies drop-ins (jsonpatch.MergePatch). */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

function joinPath(dir: string, rel: string): string {
  const parts: string[] = [];
  for (const part of `${dir}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** Resolve a path the way a process with working directory `cwd` would open it. */
export function resolveFrom(cwd: string, p: string): string {
  return isAbsolute(p) ? joinPath('/', p) : joinPath(cwd, p);
}

/** Parse a config file (YAML or JSON) into an object, or say why not. */
export function parseConfigText(file: ConfigText): JsonObject | string {
  let doc: unknown;
  try {
    doc = parseYaml(file.text);
  } catch (e) {
    return `not YAML or JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  const o = asObject(doc);
  if (o === undefined) return 'empty or not an object';
  if (o.kind !== 'KubeletConfiguration' || o.apiVersion !== KUBELET_CONFIG_API_VERSION) {
    return `apiVersion/kind is ${String(o.apiVersion)}/${String(o.kind)}, not ${KUBELET_CONFIG_API_VERSION}/KubeletConfiguration (the kubelet refuses it)`;
  }
  return o;
}

/** A flag's value in the config's type, or undefined when the kubelet could not parse it. */
function flagValue(flags: FlagSet, s: TrackedSetting): JsonValue | undefined {
  const f = flags.get(s.flag);
  if (f === undefined) return undefined;
  switch (s.type) {
    case 'bool':
      return f.value === undefined ? true : parseBool(f.value);
    case 'int': {
      const n = flags.int(s.flag);
      return n;
    }
    case 'string':
      return flags.string(s.flag) ?? '';
    case 'list':
      return flags.list(s.flag);
    case 'map': {
      const out: JsonObject = {};
      for (const item of flags.list(s.flag)) {
        const [k, v] = item.split('=');
        const b = parseBool(v ?? '');
        if (k && b !== undefined) out[k.trim()] = b;
      }
      return out;
    }
  }
}

function shownFlag(flags: FlagSet, name: string): string {
  const f = flags.get(name);
  if (f === undefined) return `--${name}`;
  return f.value === undefined ? `--${name}` : `--${name}=${unquote(f.value)}`;
}

/** Compute the kubelet's effective configuration from its flags, --config file and --config-dir drop-ins. */
export function effectiveKubeletConfig(input: KubeletConfigInput): EffectiveKubeletConfig {
  const { flags } = input;
  const provenance: Record<string, string> = {};
  const problems: { file: string; reason: string }[] = [];
  let config: JsonObject = {};

  // 1. the base: command-line defaults, or the config file
  if (input.configFile === undefined) {
    for (const s of TRACKED_SETTINGS) {
      setPath(config, s.path, s.flagDefault ?? s.fileDefault);
      provenance[s.path] = s.flagDefault !== undefined ? 'default of the kubelet command line (no --config file)' : 'default';
    }
  } else if ('error' in input.configFile) {
    problems.push({ file: input.configFile.path, reason: input.configFile.error });
  } else {
    const parsed = parseConfigText(input.configFile);
    if (typeof parsed === 'string') {
      problems.push({ file: input.configFile.path, reason: parsed });
    } else {
      config = structuredClone(parsed);
      const dir = dirOf(input.configFile.path);
      for (const p of PATH_FIELDS) {
        const v = getPath(config, p);
        if (typeof v === 'string' && v !== '' && !isAbsolute(v)) setPath(config, p, joinPath(dir, v));
      }
      for (const s of TRACKED_SETTINGS) if (getPath(config, s.path) !== undefined) provenance[s.path] = `config file ${input.configFile.path}`;
    }
    for (const s of TRACKED_SETTINGS) {
      if (getPath(config, s.path) !== undefined) continue;
      setPath(config, s.path, s.fileDefault);
      provenance[s.path] = `default of ${KUBELET_CONFIG_API_VERSION} (not set in the config file)`;
    }
  }

  // 2. drop-ins, in order, as JSON merge patches; then the defaults for what they removed
  for (const d of input.dropIns ?? []) {
    if ('error' in d) {
      problems.push({ file: d.path, reason: d.error });
      continue;
    }
    const parsed = parseConfigText(d);
    if (typeof parsed === 'string') {
      problems.push({ file: d.path, reason: parsed });
      continue;
    }
    const patch: JsonObject = { ...parsed };
    delete patch.apiVersion;
    delete patch.kind;
    config = mergePatch(config, patch) as JsonObject;
    for (const s of TRACKED_SETTINGS) {
      const v = getPath(parsed, s.path);
      if (v === undefined) continue;
      provenance[s.path] = v === null ? `removed by drop-in ${d.path}, so the default` : `drop-in ${d.path}`;
    }
  }
  if (input.dropIns !== undefined) {
    for (const s of TRACKED_SETTINGS) {
      if (getPath(config, s.path) !== undefined) continue;
      setPath(config, s.path, s.fileDefault);
      provenance[s.path] = `default of ${KUBELET_CONFIG_API_VERSION}`;
    }
  }

  // 3. flags win over everything
  for (const s of TRACKED_SETTINGS) {
    const v = flagValue(flags, s);
    if (v === undefined) {
      if (flags.has(s.flag)) problems.push({ file: 'command line', reason: `${shownFlag(flags, s.flag)} is not a valid ${s.type}; the kubelet would not start` });
      continue;
    }
    if (s.type === 'map') {
      // flag feature gates override those of the files one by one (kubeletConfigFlagPrecedence)
      setPath(config, s.path, { ...(asObject(getPath(config, s.path)) ?? {}), ...(v as JsonObject) });
    } else {
      setPath(config, s.path, v);
    }
    provenance[s.path] = `command-line flag ${shownFlag(flags, s.flag)}`;
  }
  config.apiVersion = KUBELET_CONFIG_API_VERSION;
  config.kind = 'KubeletConfiguration';
  return { config, provenance, problems, skipped: input.skippedDropIns ?? [] };
}
