// `.kubemoat.yaml`: the trusted-registry allow-list and suppressions with a reason and an optional
// expiry. A config that cannot be understood is an error naming the file and line, never ignored.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseManifestText } from '../sources/manifests/documents.js';
import { asArray, asNumber, asObject, asString, isObject, type JsonValue } from './json.js';
import { InputError } from './errors.js';

export const DEFAULT_CONFIG_FILE = '.kubemoat.yaml';

export interface ResourceMatcher {
  kind?: string;
  namespace?: string;
  /** a name, or a glob with `*` */
  name?: string;
}

export interface ConfigSuppression {
  rules: string[];
  resource: ResourceMatcher;
  reason: string;
  /** ISO date (YYYY-MM-DD); the suppression stops applying after this day */
  expires?: string;
}

/** `detect.allow[]`: activity a detection rule should not alert on (every matcher given must match). */
export interface DetectAllow {
  rules: string[];
  /** usernames, or globs with `*` (`system:serviceaccount:flux-system:*`) */
  users: string[];
  namespaces: string[];
  /** images (globs with `*`); matches when every image of the alert matches one */
  images: string[];
  /** runtime rules: pods by name glob (`web-*`), the workload's pods */
  workloads: string[];
  /** runtime rules: the program's path or name (globs with `*`) */
  binaries: string[];
  reason: string;
}

export interface DetectConfig {
  allow: DetectAllow[];
  /** KM-DT-025: denied requests from one user and address within `windowSeconds` */
  deniedBurst?: { count: number; windowSeconds: number };
  /** `detect.trust`: who the detector treats as the control plane (see src/detect/trust.ts) */
  trust?: { controlPlaneAddresses: string[]; managedIdentities: boolean };
}

/** `imageSignatures[]`: images matching `images` must carry a cosign signature by one of `keys`. */
export interface ImageSignatureConfig {
  /** reference globs with `*` (`registry.example.com/team/*`) */
  images: string[];
  /** public key files (PEM), resolved against the config file's directory */
  keys: string[];
}

export interface KubemoatConfig {
  file?: string;
  trustedRegistries: string[];
  /** `kubemoat images` signature policies; absent when the file has none */
  imageSignatures?: ImageSignatureConfig[];
  ignore: ConfigSuppression[];
  /** `kubemoat detect` settings; absent when the file has no `detect:` section */
  detect?: DetectConfig;
}

export class ConfigError extends InputError {}

export const EMPTY_CONFIG: KubemoatConfig = { trustedRegistries: [], ignore: [] };

/** Load the named config, or `.kubemoat.yaml` in the working directory if it exists. */
export function loadConfig(explicitPath: string | undefined, cwd = process.cwd()): KubemoatConfig {
  const path = explicitPath ?? `${cwd}/${DEFAULT_CONFIG_FILE}`;
  if (explicitPath === undefined && !existsSync(path)) return EMPTY_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config: ${(e as Error).message}`);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, file: string): KubemoatConfig {
  const parsed = parseManifestText(text);
  const error = parsed.problems.find((p) => p.severity === 'error');
  if (error) throw new ConfigError(`${file}:${error.line}:${error.column}: ${error.message}`);
  const root: JsonValue = parsed.documents[0]?.value ?? {};
  if (!isObject(root)) throw new ConfigError(`${file}: the config must be a mapping`);
  const known = new Set(['trustedRegistries', 'ignore', 'detect', 'imageSignatures']);
  for (const key of Object.keys(root)) if (!known.has(key)) throw new ConfigError(`${file}: unknown setting \`${key}\` (known: ${[...known].join(', ')})`);
  const trustedRegistries = asArray(root.trustedRegistries).map((r, i) => {
    const s = asString(r);
    if (!s) throw new ConfigError(`${file}: trustedRegistries[${i}] must be a string`);
    return s.replace(/\/+$/, '');
  });
  const ignore = asArray(root.ignore).map((entry, i) => parseSuppression(entry, `${file}: ignore[${i}]`));
  const detect = root.detect === undefined || root.detect === null ? undefined : parseDetect(root.detect, `${file}: detect`);
  if (root.imageSignatures !== undefined && root.imageSignatures !== null && !Array.isArray(root.imageSignatures)) throw new ConfigError(`${file}: imageSignatures must be a list of {images, key}`);
  const imageSignatures = asArray(root.imageSignatures).map((entry, i) => parseImageSignature(entry, `${file}: imageSignatures[${i}]`, dirname(file)));
  return { file, trustedRegistries, ignore, ...(detect ? { detect } : {}), ...(imageSignatures.length > 0 ? { imageSignatures } : {}) };
}

function parseImageSignature(entry: JsonValue, where: string, dir: string): ImageSignatureConfig {
  const e = asObject(entry);
  if (e === undefined) throw new ConfigError(`${where} must be a mapping with images and key`);
  for (const key of Object.keys(e)) if (!['images', 'key', 'keys'].includes(key)) throw new ConfigError(`${where}: unknown key \`${key}\` (known: images, key, keys)`);
  const images = stringList(e.images, `${where}.images`);
  if (images.length === 0) throw new ConfigError(`${where} needs \`images\`: the references it covers (globs with *, e.g. registry.example.com/team/*)`);
  const keys = [...stringList(e.key, `${where}.key`), ...stringList(e.keys, `${where}.keys`)].map((k) => resolve(dir, k));
  if (keys.length === 0) throw new ConfigError(`${where} needs \`key\`: a cosign public key file (cosign.pub)`);
  return { images, keys };
}

function stringList(v: JsonValue | undefined, where: string): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x, i) => {
    if (typeof x !== 'string' || x === '') throw new ConfigError(`${where}[${i}] must be a non-empty string`);
    return x;
  });
}

function parseDetect(value: JsonValue, where: string): DetectConfig {
  const d = asObject(value);
  if (d === undefined) throw new ConfigError(`${where} must be a mapping`);
  for (const key of Object.keys(d)) if (key !== 'allow' && key !== 'deniedBurst' && key !== 'trust') throw new ConfigError(`${where}: unknown setting \`${key}\` (known: allow, deniedBurst, trust)`);
  const allow = asArray(d.allow).map((entry, i): DetectAllow => {
    const at = `${where}.allow[${i}]`;
    const e = asObject(entry);
    if (e === undefined) throw new ConfigError(`${at} must be a mapping`);
    for (const key of Object.keys(e)) if (!['rule', 'rules', 'users', 'namespaces', 'images', 'workloads', 'binaries', 'reason'].includes(key)) throw new ConfigError(`${at}: unknown key \`${key}\``);
    const rules = [...stringList(e.rules, `${at}.rules`), ...stringList(e.rule, `${at}.rule`)].map((r) => r.toUpperCase());
    if (rules.length === 0) throw new ConfigError(`${at} needs \`rule\` or \`rules\` (a rule id, or * for every rule)`);
    const reason = asString(e.reason);
    if (!reason) throw new ConfigError(`${at} needs a \`reason\`: an allow-list entry without one cannot be reviewed`);
    const users = stringList(e.users, `${at}.users`);
    const namespaces = stringList(e.namespaces, `${at}.namespaces`);
    const images = stringList(e.images, `${at}.images`);
    const workloads = stringList(e.workloads, `${at}.workloads`);
    const binaries = stringList(e.binaries, `${at}.binaries`);
    if (users.length + namespaces.length + images.length + workloads.length + binaries.length === 0) throw new ConfigError(`${at} needs at least one of users, namespaces, images, workloads, binaries (to silence a rule entirely, say so with users: ['*'])`);
    return { rules, users, namespaces, images, workloads, binaries, reason };
  });
  let deniedBurst: DetectConfig['deniedBurst'];
  if (d.deniedBurst !== undefined && d.deniedBurst !== null) {
    const b = asObject(d.deniedBurst);
    const count = asNumber(b?.count);
    const windowSeconds = asNumber(b?.windowSeconds);
    if (!b || count === undefined || count < 2 || windowSeconds === undefined || windowSeconds < 1) throw new ConfigError(`${where}.deniedBurst needs count (≥ 2) and windowSeconds (≥ 1)`);
    deniedBurst = { count, windowSeconds };
  }
  let trust: DetectConfig['trust'];
  if (d.trust !== undefined && d.trust !== null) {
    const t = asObject(d.trust);
    if (!t) throw new ConfigError(`${where}.trust must be a mapping`);
    for (const key of Object.keys(t)) if (key !== 'controlPlaneAddresses' && key !== 'managedIdentities') throw new ConfigError(`${where}.trust: unknown key \`${key}\` (known: controlPlaneAddresses, managedIdentities)`);
    const controlPlaneAddresses = stringList(t.controlPlaneAddresses, `${where}.trust.controlPlaneAddresses`);
    for (const [i, a] of controlPlaneAddresses.entries()) if (!CIDR.test(a)) throw new ConfigError(`${where}.trust.controlPlaneAddresses[${i}]: ${JSON.stringify(a)} is not an IP address or CIDR`);
    if (t.managedIdentities !== undefined && typeof t.managedIdentities !== 'boolean') throw new ConfigError(`${where}.trust.managedIdentities must be true or false`);
    trust = { controlPlaneAddresses, managedIdentities: t.managedIdentities !== false };
  }
  return { allow, ...(deniedBurst ? { deniedBurst } : {}), ...(trust ? { trust } : {}) };
}

/** The shape of an address or CIDR; trust.ts checks the numbers when it compiles the list. */
const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:\/\d{1,3})?$/;

function parseSuppression(entry: JsonValue, where: string): ConfigSuppression {
  const e = asObject(entry);
  if (e === undefined) throw new ConfigError(`${where} must be a mapping`);
  const rules = [...asArray(e.rules), ...(e.rule !== undefined ? [e.rule] : [])].map((r) => String(r).toUpperCase());
  if (rules.length === 0) throw new ConfigError(`${where} needs \`rule\` or \`rules\``);
  const reason = asString(e.reason);
  if (!reason) throw new ConfigError(`${where} needs a \`reason\`: a suppression without one cannot be reviewed`);
  const resource = asObject(e.resource) ?? {};
  const expiresRaw = e.expires === undefined || e.expires === null ? undefined : String(e.expires);
  if (expiresRaw !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(expiresRaw)) throw new ConfigError(`${where}: expires must be a date like 2027-01-31`);
  return {
    rules,
    resource: { kind: asString(resource.kind), namespace: asString(resource.namespace), name: asString(resource.name) },
    reason,
    ...(expiresRaw ? { expires: expiresRaw } : {}),
  };
}
