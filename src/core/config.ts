// `.kubemoat.yaml`: the trusted-registry allow-list, suppressions with a reason and an optional
// expiry, detect allow-lists and image signature policies. The file is checked strictly, because a
// suppression that is misread widens silently: an unknown key, a misplaced matcher, a rule id that
// does not exist or a wrong type is an error naming the file, line and column, never ignored.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { asArray, asNumber, asObject, asString, type JsonObject, type JsonValue } from './json.js';
import { InputError } from './errors.js';
import { CONFIG_SPEC, type ListSpec, type MappingSpec, type Spec, type StringSpec } from './config-schema.js';
import { isGlob, matchesEverything, nameGlob } from './glob.js';
import type { PurposeDeclaration } from './rule.js';

export const DEFAULT_CONFIG_FILE = '.kubemoat.yaml';

export interface ResourceMatcher {
  kind?: string;
  apiVersion?: string;
  /** a namespace, or a glob with `*` */
  namespace?: string;
  /** a name, or a glob with `*` */
  name?: string;
}

export interface ConfigSuppression {
  /** rule ids and globs over them (`KM-WL-*`, `*`), upper-cased */
  rules: string[];
  resource: ResourceMatcher;
  /** globs over the finding's manifest file, relative to the config file's directory */
  paths?: string[];
  reason: string;
  /** ISO date (YYYY-MM-DD); the suppression stops applying after this day */
  expires?: string;
}

/** `detect.allow[]`: activity a detection rule should not alert on (every matcher given must match). */
export interface DetectAllow {
  /** detection rule ids and globs over them, upper-cased */
  rules: string[];
  /** usernames, or globs with `*` (`system:serviceaccount:flux-system:*`) */
  users: string[];
  namespaces: string[];
  /** images (globs with `*`); matches when every image of the alert matches one */
  images: string[];
  /** runtime rules: pods by name glob (`web-*`) */
  workloads: string[];
  /** runtime rules: the program's path or name (globs with `*`) */
  binaries: string[];
  reason: string;
}

export interface DetectConfig {
  allow: DetectAllow[];
  /** `detect.trust`: who the detector treats as the control plane (see src/detect/trust.ts) */
  trust?: { controlPlaneAddresses: string[]; managedIdentities: boolean };
  /** KM-DT-025: denied requests from one user and address within `windowSeconds` */
  deniedBurst?: { count: number; windowSeconds: number };
  /** `detect.internalNetworks`: the cluster's own networks (KM-DT-041; trust of nodes and components) */
  internalNetworks?: string[];
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
  /** the config file's directory (absolute): `paths` and key files are relative to it */
  dir?: string;
  trustedRegistries: string[];
  /** `kubemoat images` signature policies; absent when the file has none */
  imageSignatures?: ImageSignatureConfig[];
  ignore: ConfigSuppression[];
  /** `purposes[]`: what node agents are for; absent when the file has none */
  purposes?: PurposeDeclaration[];
  /** `kubemoat detect` settings; absent when the file has no `detect:` section */
  detect?: DetectConfig;
}

/** The rule ids a config may name: `ignore` is checked against `scan`, `detect.allow` against `detect`. */
export interface RuleIds {
  /** every rule whose findings a suppression can mark (scan, cluster, node, probe, images) */
  scan: readonly string[];
  detect: readonly string[];
}

export class ConfigError extends InputError {}

export const EMPTY_CONFIG: KubemoatConfig = { trustedRegistries: [], ignore: [] };

/** Load the named config, or `.kubemoat.yaml` in the working directory if it exists. */
export function loadConfig(explicitPath: string | undefined, ruleIds: RuleIds, cwd = process.cwd()): KubemoatConfig {
  const path = explicitPath ?? `${cwd}/${DEFAULT_CONFIG_FILE}`;
  if (explicitPath === undefined && !existsSync(path)) return EMPTY_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config: ${(e as Error).message}`);
  }
  return parseConfig(text, path, ruleIds);
}

type Path = (string | number)[];

/** Where each checked node starts (an offset into the text), by path; errors point there. */
interface Walk {
  file: string;
  lines: LineCounter;
  doc: Document;
  offsets: Map<string, number>;
}

function pathKey(path: Path): string {
  return path.join('\u0000');
}

/** `ignore[0].resource`: how the messages name a place in the file. */
export function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || 'the config';
}

function fail(w: Walk, offset: number, message: string): never {
  const { line, col } = w.lines.linePos(offset);
  throw new ConfigError(`${w.file}:${line}:${col}: ${message}`);
}

/** The offset recorded for `path`, or for the nearest parent that has one. */
function offsetOf(w: Walk, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const o = w.offsets.get(pathKey(path.slice(0, n)));
    if (o !== undefined) return o;
  }
  return 0;
}

function failAt(w: Walk, path: Path, message: string): never {
  return fail(w, offsetOf(w, path), message);
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  const v = isScalar(node) ? node.value : node;
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string \`${v}\``;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  return 'a value of another type';
}

function rangeStart(node: unknown): number | undefined {
  if (isMap(node) || isSeq(node) || isScalar(node) || isAlias(node)) return node.range?.[0];
  return undefined;
}

/** Edit distance, for "did you mean": typos are one or two edits away. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

function suggestion(key: string, spec: MappingSpec): string {
  const placed = spec.misplaced?.[key];
  if (placed !== undefined) return `; did you mean ${placed}?`;
  const near = Object.keys(spec.keys).find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return near === undefined ? '' : `; did you mean \`${near}\`?`;
}

function unknownKeyMessage(key: string, spec: MappingSpec, path: Path): string {
  const where = path.length === 0 ? `unknown setting \`${key}\`` : `unknown key \`${key}\` in ${pathText(path)}`;
  return `${where}${suggestion(key, spec)} (allowed here: ${Object.keys(spec.keys).join(', ')})`;
}

function checkString(w: Walk, node: unknown, spec: StringSpec, path: Path, offset: number): string {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'string') fail(w, offset, `${pathText(path)} must be a string (found ${describe(node)}${typeof value === 'number' ? '; quote it' : ''})`);
  if (value === '') fail(w, offset, `${pathText(path)} must not be empty`);
  if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) fail(w, offset, `${pathText(path)} must be ${spec.expected ?? `a value matching ${spec.pattern}`} (found \`${value}\`)`);
  return value;
}

function checkList(w: Walk, node: unknown, spec: ListSpec, path: Path, offset: number): JsonValue[] {
  if (!isSeq(node)) {
    if (spec.single && !isMap(node)) return [check(w, node, spec.items, path, offset)];
    fail(w, offset, `${pathText(path)} must be a list${spec.single ? ' or a single value' : ''} (found ${describe(node)})`);
  }
  const items = node.items.map((item, i) => check(w, item, spec.items, [...path, i], rangeStart(item) ?? offset));
  if (spec.minItems !== undefined && items.length < spec.minItems) fail(w, offset, `${pathText(path)} must not be an empty list`);
  return items;
}

function checkMapping(w: Walk, node: unknown, spec: MappingSpec, path: Path, offset: number): JsonObject {
  if (!isMap(node)) fail(w, offset, `${pathText(path)} must be a mapping (found ${describe(node)})`);
  const out: JsonObject = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : describe(pair.key);
    const keyOffset = rangeStart(pair.key) ?? offset;
    const keySpec = Object.hasOwn(spec.keys, key) ? spec.keys[key] : undefined;
    if (keySpec === undefined) fail(w, keyOffset, unknownKeyMessage(key, spec, path));
    // a key with no value is reported at the key: the empty value has no place of its own to show
    const empty = pair.value === null || (isScalar(pair.value) && pair.value.value === null);
    out[key] = check(w, pair.value, keySpec, [...path, key], empty ? keyOffset : rangeStart(pair.value) ?? keyOffset);
  }
  for (const [key, needs] of Object.entries(spec.required ?? {})) if (!Object.hasOwn(out, key)) fail(w, offset, `${pathText(path)} needs ${needs}`);
  for (const group of spec.atLeastOne ?? []) {
    if (!group.keys.some((k) => Object.hasOwn(out, k))) fail(w, offset, `${pathText(path)} needs ${group.keys.map((k) => `\`${k}\``).join(' or ')}: ${group.why}`);
  }
  return out;
}

/** Check one node against its spec, recording where it starts, and return its plain value. */
function check(w: Walk, node: unknown, spec: Spec, path: Path, offset: number): JsonValue {
  // an alias is checked as what it stands for, so an anchor cannot smuggle in an unchecked value
  const target = isAlias(node) ? node.resolve(w.doc) : node;
  w.offsets.set(pathKey(path), offset);
  switch (spec.type) {
    case 'string':
      return checkString(w, target, spec, path, offset);
    case 'integer': {
      const value = isScalar(target) ? target.value : undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.minimum) fail(w, offset, `${pathText(path)} must be a whole number ≥ ${spec.minimum} (found ${describe(target)})`);
      return value;
    }
    case 'boolean': {
      const value = isScalar(target) ? target.value : undefined;
      if (typeof value !== 'boolean') fail(w, offset, `${pathText(path)} must be true or false (found ${describe(target)})`);
      return value;
    }
    case 'list':
      return checkList(w, target, spec, path, offset);
    case 'mapping':
      return checkMapping(w, target, spec, path, offset);
  }
}

/** A calendar day that exists: 2027-02-30 matches the pattern but is no date. */
export function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

interface Catalogue {
  ids: readonly string[];
  /** what to say when the id belongs to the other catalogue */
  elsewhere: { ids: readonly string[]; hint: string };
}

/** Why `pattern` names no rule of the catalogue, or undefined when it names at least one. */
export function rulePatternProblem(pattern: string, c: Catalogue): string | undefined {
  const re = nameGlob(pattern);
  if (c.ids.some((id) => re.test(id))) return undefined;
  if (c.elsewhere.ids.some((id) => re.test(id))) return `\`${pattern}\` ${c.elsewhere.hint}`;
  return isGlob(pattern) ? `\`${pattern}\` matches no rule` : `no rule \`${pattern}\` (\`kubemoat rules\` lists them)`;
}

/** `rule` and `rules` of an entry, upper-cased, each with its path for errors. */
function rulePatterns(entry: JsonObject, path: Path): { pattern: string; path: Path }[] {
  const single = asString(entry.rule);
  return [
    ...(single !== undefined ? [{ pattern: single.toUpperCase(), path: [...path, 'rule'] }] : []),
    ...asArray(entry.rules).map((r, i) => ({ pattern: String(r).toUpperCase(), path: [...path, 'rules', i] })),
  ];
}

function checkRules(w: Walk, entry: JsonObject, path: Path, c: Catalogue): string[] {
  return rulePatterns(entry, path).map(({ pattern, path: at }) => {
    if (!matchesEverything(pattern)) {
      const problem = rulePatternProblem(pattern, c);
      if (problem !== undefined) failAt(w, at, `${pathText(at)}: ${problem}`);
    }
    return pattern;
  });
}

/** A matcher that leaves something out: a value that is not all wildcards. */
function narrows(entry: JsonObject): boolean {
  const resource = Object.values(asObject(entry.resource) ?? {}).map(String);
  const paths = asArray(entry.paths).map(String);
  return [...resource, ...paths].some((p) => !matchesEverything(p));
}

function buildSuppression(w: Walk, entry: JsonObject, path: Path, c: Catalogue): ConfigSuppression {
  const rules = checkRules(w, entry, path, c);
  if (rules.some(matchesEverything) && !narrows(entry)) {
    failAt(w, path, `${pathText(path)} suppresses every rule everywhere; \`rule: '*'\` needs a resource or paths matcher that narrows it (or list the rules)`);
  }
  const expires = asString(entry.expires);
  if (expires !== undefined && !isRealDate(expires)) failAt(w, [...path, 'expires'], `${pathText(path)}.expires: ${expires} is not a date (YYYY-MM-DD)`);
  const r = asObject(entry.resource) ?? {};
  const resource: ResourceMatcher = {};
  for (const key of ['kind', 'apiVersion', 'namespace', 'name'] as const) {
    const v = asString(r[key]);
    if (v !== undefined) resource[key] = v;
  }
  const paths = asArray(entry.paths).map(String);
  return {
    rules,
    resource,
    ...(paths.length > 0 ? { paths } : {}),
    reason: String(entry.reason),
    ...(expires !== undefined ? { expires } : {}),
  };
}

function strings(v: JsonValue | undefined): string[] {
  return asArray(v).map(String);
}

function buildDetect(w: Walk, d: JsonObject, c: Catalogue): DetectConfig {
  const allow = asArray(d.allow).map((value, i): DetectAllow => {
    const e = asObject(value) ?? {};
    return { rules: checkRules(w, e, ['detect', 'allow', i], c), users: strings(e.users), namespaces: strings(e.namespaces), images: strings(e.images), workloads: strings(e.workloads), binaries: strings(e.binaries), reason: String(e.reason) };
  });
  const b = asObject(d.deniedBurst);
  const count = asNumber(b?.count);
  const windowSeconds = asNumber(b?.windowSeconds);
  const t = asObject(d.trust);
  const trust = t === undefined ? undefined : { controlPlaneAddresses: strings(t.controlPlaneAddresses), managedIdentities: t.managedIdentities !== false };
  const internalNetworks = d.internalNetworks === undefined ? undefined : strings(d.internalNetworks);
  return { allow, ...(count !== undefined && windowSeconds !== undefined ? { deniedBurst: { count, windowSeconds } } : {}), ...(trust ? { trust } : {}), ...(internalNetworks ? { internalNetworks } : {}) };
}

function buildPurpose(e: JsonObject): PurposeDeclaration {
  const r = asObject(e.resource) ?? {};
  const resource: PurposeDeclaration['resource'] = {};
  for (const key of ['kind', 'apiVersion', 'namespace', 'name'] as const) {
    const v = asString(r[key]);
    if (v !== undefined) resource[key] = v;
  }
  return { purpose: String(e.purpose), resource, reason: String(e.reason) };
}

function buildImageSignature(e: JsonObject, dir: string): ImageSignatureConfig {
  return { images: strings(e.images), keys: [...strings(e.key), ...strings(e.keys)].map((k) => resolve(dir, k)) };
}

function parseYaml(text: string, file: string): Walk {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const w: Walk = { file, lines, doc, offsets: new Map() };
  const error = doc.errors[0];
  if (error !== undefined) fail(w, error.pos[0], `not valid YAML: ${error.message.split('\n')[0]}`);
  return w;
}

export function parseConfig(text: string, file: string, ruleIds: RuleIds): KubemoatConfig {
  const w = parseYaml(text, file);
  const dir = resolve(dirname(file));
  const root = w.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { ...EMPTY_CONFIG, file, dir };
  if (!isMap(root)) fail(w, rangeStart(root) ?? 0, `the config must be a mapping of settings (found ${describe(root)})`);
  const data = checkMapping(w, root, CONFIG_SPEC, [], rangeStart(root) ?? 0);
  const scan: Catalogue = { ids: ruleIds.scan, elsewhere: { ids: ruleIds.detect, hint: 'is a detection rule: allow-list it under detect.allow' } };
  const detectIds: Catalogue = { ids: ruleIds.detect, elsewhere: { ids: ruleIds.scan, hint: 'is not a detection rule: suppress its findings under ignore' } };
  const ignore = asArray(data.ignore).map((e, i) => buildSuppression(w, asObject(e) ?? {}, ['ignore', i], scan));
  const detect = asObject(data.detect);
  const imageSignatures = asArray(data.imageSignatures).map((e) => buildImageSignature(asObject(e) ?? {}, dir));
  const purposes = asArray(data.purposes).map((e) => buildPurpose(asObject(e) ?? {}));
  return {
    file,
    dir,
    trustedRegistries: strings(data.trustedRegistries).map((r) => r.replace(/\/+$/, '')),
    ignore,
    ...(detect !== undefined ? { detect: buildDetect(w, detect, detectIds) } : {}),
    ...(imageSignatures.length > 0 ? { imageSignatures } : {}),
    ...(purposes.length > 0 ? { purposes } : {}),
  };
}
