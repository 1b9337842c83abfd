// The local vulnerability store: OSV records indexed once (`images db update`) into three files
// that load in milliseconds whatever the database's size:
//   meta.json     when it was built, from what, the newest record, counts per ecosystem
//   index.json    "ecosystem\0package" → [byte offset, byte length] in data.json
//   data.jsonl    one JSON array of advisories per key, in key order
// A lookup parses only the advisories of the package it asks about.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, openSync, writeSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Advisory } from './record.js';
import { storeKey } from './record.js';

export const STORE_SCHEMA = 1;

export interface StoreMeta {
  schema: number;
  builtAt: string;
  sources: string[];
  /** the newest `modified` date among the records: how fresh the data is */
  newestRecord: string;
  records: number;
  packages: number;
  ecosystems: Record<string, number>;
}

export class StoreError extends Error {}

export function defaultStoreDir(): string {
  const cache = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME !== '' ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'kubemoat', 'osv');
}

/** Collects advisories by package before writing the store. */
export class StoreBuilder {
  private readonly byKey = new Map<string, Advisory[]>();
  private readonly ids = new Set<string>();
  private newest = '';
  readonly ecosystems: Record<string, number> = {};

  add(ecosystem: string, name: string, advisory: Advisory): void {
    const key = storeKey(ecosystem, name);
    let list = this.byKey.get(key);
    if (list === undefined) {
      list = [];
      this.byKey.set(key, list);
    }
    // the same record may come twice (a JSON file and a zip of the same data): keep the newest
    const at = list.findIndex((a) => a.id === advisory.id);
    if (at >= 0) {
      if (list[at].modified < advisory.modified) list[at] = advisory;
    } else {
      list.push(advisory);
      if (!this.ids.has(advisory.id)) this.ecosystems[ecosystem.split(':')[0]] = (this.ecosystems[ecosystem.split(':')[0]] ?? 0) + 1;
    }
    this.ids.add(advisory.id);
    if (advisory.modified > this.newest) this.newest = advisory.modified;
  }

  get records(): number {
    return this.ids.size;
  }

  /** Write the store into dir, replacing what was there only once the new one is complete. */
  write(dir: string, sources: string[], now = new Date()): StoreMeta {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const keys = [...this.byKey.keys()].sort();
    const index: Record<string, [number, number]> = {};
    const fd = openSync(join(tmp, 'data.jsonl'), 'w');
    let offset = 0;
    try {
      for (const key of keys) {
        const bytes = Buffer.from(JSON.stringify(this.byKey.get(key)) + '\n', 'utf8');
        writeSync(fd, bytes);
        index[key] = [offset, bytes.length - 1];
        offset += bytes.length;
      }
    } finally {
      closeSync(fd);
    }
    writeFileSync(join(tmp, 'index.json'), JSON.stringify(index));
    const meta: StoreMeta = {
      schema: STORE_SCHEMA,
      builtAt: now.toISOString(),
      sources,
      newestRecord: this.newest,
      records: this.ids.size,
      packages: keys.length,
      ecosystems: this.ecosystems,
    };
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(tmp, dir);
    return meta;
  }
}

/** An opened store: the index in memory, the data as one buffer, advisories parsed on demand. */
export class Store {
  private readonly parsed = new Map<string, Advisory[]>();

  private constructor(
    readonly dir: string,
    readonly meta: StoreMeta,
    private readonly index: Record<string, [number, number]>,
    private readonly data: Buffer,
  ) {}

  static open(dir: string): Store {
    const metaFile = join(dir, 'meta.json');
    if (!existsSync(metaFile)) throw new StoreError(`no vulnerability database in ${dir}; run \`kubemoat images db update --from FILE|DIR\` with OSV records (e.g. an ecosystem's all.zip)`);
    let meta: StoreMeta;
    let index: Record<string, [number, number]>;
    let data: Buffer;
    try {
      meta = JSON.parse(readFileSync(metaFile, 'utf8')) as StoreMeta;
      if (meta.schema !== STORE_SCHEMA) throw new StoreError(`${dir}: database format ${meta.schema}, this kubemoat reads ${STORE_SCHEMA}; run \`kubemoat images db update\` again`);
      index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Record<string, [number, number]>;
      data = readFileSync(join(dir, 'data.jsonl'));
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`${dir}: the vulnerability database cannot be read (${(e as Error).message}); run \`kubemoat images db update\` again`);
    }
    return new Store(dir, meta, index, data);
  }

  /** Advisories for a package of an ecosystem (`Debian:12`, `npm`, …); [] when none. */
  lookup(ecosystem: string, name: string): Advisory[] {
    const key = storeKey(ecosystem, name);
    const hit = this.parsed.get(key);
    if (hit !== undefined) return hit;
    const at = this.index[key];
    const list = at === undefined ? [] : (JSON.parse(this.data.toString('utf8', at[0], at[0] + at[1])) as Advisory[]);
    this.parsed.set(key, list);
    return list;
  }

  /** Does the store hold any records of this ecosystem (`Debian:12` → Debian)? */
  hasEcosystem(prefix: string): boolean {
    return Object.keys(this.meta.ecosystems).includes(prefix.split(':')[0]);
  }
}

/** How old the data is, in days, from its newest record (or from when it was built, if no record has a date). */
export function ageInDays(meta: StoreMeta, now = new Date()): number {
  const basis = meta.newestRecord !== '' ? meta.newestRecord : meta.builtAt;
  return Math.max(0, (now.getTime() - new Date(basis).getTime()) / 86_400_000);
}
