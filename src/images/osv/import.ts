// `images db update --from FILE|DIR`: OSV records from JSON files (one record, or an array of
// records), from an ecosystem's `all.zip` as osv.dev publishes it, or from a directory holding any
// of those. A record that cannot be read is reported with its place and skipped.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { JsonValue } from '../../core/json.js';
import { readRecord, RecordError } from './record.js';
import type { StoreBuilder } from './store.js';

export interface ImportProblem {
  place: string;
  reason: string;
}

export interface ImportResult {
  files: number;
  records: number;
  problems: ImportProblem[];
}

function addJson(builder: StoreBuilder, text: string, place: string, result: ImportResult): void {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (e) {
    result.problems.push({ place, reason: `not JSON: ${(e as Error).message}` });
    return;
  }
  const records = Array.isArray(value) ? value : [value];
  records.forEach((r, i) => {
    try {
      for (const { key, advisory } of readRecord(r)) builder.add(key.ecosystem, key.name, advisory);
      result.records++;
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      result.problems.push({ place: Array.isArray(value) ? `${place}[${i}]` : place, reason: `not an OSV record: ${e.message}` });
    }
  });
}

/** Entries inflated per pass: an ecosystem's all.zip holds up to a few hundred thousand records, which need not all be in memory at once. */
const ZIP_BATCH = 16384;

function addZip(builder: StoreBuilder, file: string, result: ImportResult): void {
  let data: Uint8Array;
  try {
    data = readFileSync(file);
  } catch (e) {
    result.problems.push({ place: file, reason: `cannot read: ${(e as Error).message}` });
    return;
  }
  const decoder = new TextDecoder();
  for (let start = 0; ; start += ZIP_BATCH) {
    let seen = 0;
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(data, {
        filter: (f) => {
          if (!f.name.endsWith('.json')) return false;
          const i = seen++;
          return i >= start && i < start + ZIP_BATCH;
        },
      });
    } catch (e) {
      result.problems.push({ place: file, reason: `not a readable zip archive: ${(e as Error).message}` });
      return;
    }
    for (const [name, bytes] of Object.entries(entries)) addJson(builder, decoder.decode(bytes), `${file}:${name}`, result);
    if (seen <= start + ZIP_BATCH) return;
  }
}

function addPath(builder: StoreBuilder, path: string, result: ImportResult, depth: number): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    result.problems.push({ place: path, reason: `cannot read: ${(e as Error).message}` });
    return;
  }
  if (st.isDirectory()) {
    if (depth > 8) return;
    for (const name of readdirSync(path).sort()) {
      if (name.startsWith('.')) continue;
      const child = join(path, name);
      if (name.endsWith('.json') || name.endsWith('.zip') || statSync(child).isDirectory()) addPath(builder, child, result, depth + 1);
    }
    return;
  }
  result.files++;
  if (path.endsWith('.zip')) addZip(builder, path, result);
  else addJson(builder, readFileSync(path, 'utf8'), path, result);
}

export function importOsv(builder: StoreBuilder, paths: string[]): ImportResult {
  const result: ImportResult = { files: 0, records: 0, problems: [] };
  for (const p of paths) addPath(builder, p, result, 0);
  return result;
}
