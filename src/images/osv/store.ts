// The local vulnerability store: OSV records indexed once (`images db update`) into three files
// that load in milliseconds whatever the database's size:
//   meta.json     when it was built, from what, the newest record, counts per ecosystem
//   index.json    "ecosystem\0package" → [offset, length] in data.jsonl, [offset, length] in details.jsonl
//   data.jsonl    per key, one JSON array of what matching needs (id, ranges, versions)
//   details.jsonl per key, the rest of each advisory (summary, aliases, severity, references), same order
// A lookup parses only the ranges of the package it asks about; details only for what matched.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, openSync, writeSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Advisory } from './record.js';
import { storeKey } from './record.js';

export const STORE_SCHEMA = 2;

/** The part of an advisory matching reads. */
export type AdvisoryRanges = Pick<Advisory, 'id' | 'ranges' | 'versions'>;

type IndexEntry = [number, number, number, number];

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
    const index: Record<string, IndexEntry> = {};
    const fd = openSync(join(tmp, 'data.jsonl'), 'w');
    const dfd = openSync(join(tmp, 'details.jsonl'), 'w');
    let offset = 0;
    let doffset = 0;
    try {
      for (const key of keys) {
        const list = this.byKey.get(key) as Advisory[];
        const bytes = Buffer.from(JSON.stringify(list.map((a) => ({ id: a.id, ranges: a.ranges, versions: a.versions }))) + '\n', 'utf8');
        const details = Buffer.from(JSON.stringify(list.map(({ ranges: _r, versions: _v, ...rest }) => rest)) + '\n', 'utf8');
        writeSync(fd, bytes);
        writeSync(dfd, details);
        index[key] = [offset, bytes.length - 1, doffset, details.length - 1];
        offset += bytes.length;
        doffset += details.length;
      }
    } finally {
      closeSync(fd);
      closeSync(dfd);
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
  private readonly parsed = new Map<string, AdvisoryRanges[]>();
  private readonly parsedDetails = new Map<string, Omit<Advisory, 'ranges' | 'versions'>[]>();

  private constructor(
    readonly dir: string,
    readonly meta: StoreMeta,
    private readonly index: Record<string, IndexEntry>,
    private readonly data: Buffer,
    private readonly details: Buffer,
  ) {}

  static open(dir: string): Store {
    const metaFile = join(dir, 'meta.json');
    if (!existsSync(metaFile)) throw new StoreError(`no vulnerability database in ${dir}; run \`kubemoat images db update --from FILE|DIR\` with OSV records (e.g. an ecosystem's all.zip)`);
    let meta: StoreMeta;
    let index: Record<string, IndexEntry>;
    let data: Buffer;
    let details: Buffer;
    try {
      meta = JSON.parse(readFileSync(metaFile, 'utf8')) as StoreMeta;
      if (meta.schema !== STORE_SCHEMA) throw new StoreError(`${dir}: database format ${meta.schema}, this kubemoat reads ${STORE_SCHEMA}; run \`kubemoat images db update\` again`);
      index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Record<string, IndexEntry>;
      data = readFileSync(join(dir, 'data.jsonl'));
      details = readFileSync(join(dir, 'details.jsonl'));
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`${dir}: the vulnerability database cannot be read (${(e as Error).message}); run \`kubemoat images db update\` again`);
    }
    return new Store(dir, meta, index, data, details);
  }

  /** What matching needs of the advisories for a package of an ecosystem (`Debian:12`, `npm`, …); [] when none. */
  lookupRanges(ecosystem: string, name: string): AdvisoryRanges[] {
    const key = storeKey(ecosystem, name);
    const hit = this.parsed.get(key);
    if (hit !== undefined) return hit;
    const at = this.index[key];
    const list = at === undefined ? [] : (JSON.parse(this.data.toString('utf8', at[0], at[0] + at[1])) as AdvisoryRanges[]);
    this.parsed.set(key, list);
    return list;
  }

  /** The whole advisory: one returned by lookupRanges for the same package, with its details. */
  complete(ecosystem: string, name: string, ranged: AdvisoryRanges): Advisory {
    const key = storeKey(ecosystem, name);
    const list = this.lookupRanges(ecosystem, name);
    const i = list.indexOf(ranged);
    let details = this.parsedDetails.get(key);
    if (details === undefined) {
      const at = this.index[key];
      details = at === undefined ? [] : (JSON.parse(this.details.toString('utf8', at[2], at[2] + at[3])) as Omit<Advisory, 'ranges' | 'versions'>[]);
      this.parsedDetails.set(key, details);
    }
    const d = details[i];
    if (i < 0 || d === undefined) throw new StoreError(`${this.dir}: advisory ${ranged.id} has no details; run \`kubemoat images db update\` again`);
    return { ...d, ranges: ranged.ranges, versions: ranged.versions };
  }

  /** Every advisory for a package, complete. */
  lookup(ecosystem: string, name: string): Advisory[] {
    return this.lookupRanges(ecosystem, name).map((r) => this.complete(ecosystem, name, r));
  }

  private ecosystemNames: string[] | undefined;

  /** The full ecosystem names (`Red Hat:enterprise_linux:9::baseos`, …) that begin with a prefix, from the index. */
  ecosystemsStartingWith(prefix: string): string[] {
    if (this.ecosystemNames === undefined) {
      const names = new Set<string>();
      for (const key of Object.keys(this.index)) names.add(key.slice(0, key.indexOf('\u0000')));
      this.ecosystemNames = [...names].sort();
    }
    return this.ecosystemNames.filter((e) => e.startsWith(prefix));
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
