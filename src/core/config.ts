// `.kubemoat.yaml`: the trusted-registry allow-list and suppressions with a reason and an optional
// expiry. A config that cannot be understood is an error naming the file and line, never ignored.

import { existsSync, readFileSync } from 'node:fs';
import { parseManifestText } from '../sources/manifests/documents.js';
import { asArray, asObject, asString, isObject, type JsonValue } from './json.js';

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

export interface KubemoatConfig {
  file?: string;
  trustedRegistries: string[];
  ignore: ConfigSuppression[];
}

export class ConfigError extends Error {}

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
  const known = new Set(['trustedRegistries', 'ignore']);
  for (const key of Object.keys(root)) if (!known.has(key)) throw new ConfigError(`${file}: unknown setting \`${key}\` (known: ${[...known].join(', ')})`);
  const trustedRegistries = asArray(root.trustedRegistries).map((r, i) => {
    const s = asString(r);
    if (!s) throw new ConfigError(`${file}: trustedRegistries[${i}] must be a string`);
    return s.replace(/\/+$/, '');
  });
  const ignore = asArray(root.ignore).map((entry, i) => parseSuppression(entry, `${file}: ignore[${i}]`));
  return { file, trustedRegistries, ignore };
}

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
