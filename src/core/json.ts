// JSON-shaped values as they come out of a manifest or the API. Input is untrusted, so every
// accessor checks the type it returns instead of trusting the Kubernetes schema.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonObject | JsonArray;
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonArray = JsonValue[];

/** A path from a document's root to a value: object keys and array indexes. */
export type Path = readonly (string | number)[];

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function asArray(v: unknown): JsonArray {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** `true` only for a real boolean true or the string forms Kubernetes' decoder would accept. */
export function isTrue(v: unknown): boolean {
  return v === true || v === 'true' || v === 'True' || v === 'TRUE';
}

export function isFalse(v: unknown): boolean {
  return v === false || v === 'false' || v === 'False' || v === 'FALSE';
}

/** Read a nested value by keys, stopping at the first missing or non-object step. */
export function dig(v: unknown, ...keys: string[]): JsonValue | undefined {
  let cur: unknown = v;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur as JsonValue | undefined;
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}
