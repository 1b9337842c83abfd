// One layer, streamed: the blob is hashed as it arrives (a digest that does not match rejects the
// layer), decompressed by what its first bytes say (gzip, zstd, or plain tar), and parsed as tar;
// only the files a package analyser wants are kept, each within a size bound. Nothing is written
// to disk. The result is small and is cached by digest, so a layer that many images share is read
// once.

import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { TarParser, type EntrySink, type TarEntry } from './tar.js';
import { PackageLimitError, parseApkInstalled, parseDpkgList, parseDpkgStatus, parseOsRelease } from '../packages/os.js';
import {
  GO_BUILDINFO_MAGIC,
  isJavaArchive,
  isNpmManifest,
  isPythonMetadata,
  parseGoBuildInfo,
  parseJavaArchive,
  parseNpmManifest,
  parsePythonMetadata,
} from '../packages/lang.js';
import { readRpmdbBdb, readRpmdbNdb, readRpmdbSqlite, RpmdbError, type RpmDb } from '../packages/rpm.js';
import type { OsRelease, Package } from '../packages/types.js';

export type FileFact =
  | { kind: 'os-release'; os: OsRelease; primary: boolean }
  | { kind: 'alpine-release'; version: string }
  | { kind: 'packages'; packages: Package[] }
  | { kind: 'owned'; paths: string[] }
  /** a package database that could not be read (in full): an error, or a warning for a format not supported */
  | { kind: 'unread'; reason: string; severity: 'error' | 'warning' };

export interface LayerAnalysis {
  digest: string;
  /** facts by absolute path */
  files: [string, FileFact[]][];
  /** paths deleted by whiteout entries */
  whiteouts: string[];
  /** directories whose lower-layer contents are hidden (opaque whiteouts) */
  opaque: string[];
  entries: number;
  /** uncompressed bytes */
  bytes: number;
  compression: 'gzip' | 'zstd' | 'none';
  /** things worth saying that did not stop the analysis (a traversal name, an oversized file) */
  notes: string[];
}

export interface LayerLimits {
  /** uncompressed bytes of one layer: beyond this it is treated as a decompression bomb */
  maxLayerBytes: number;
  /** entries of one layer */
  maxEntries: number;
  /** bytes of one file kept for analysis (a Java archive, a package database) */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: LayerLimits = { maxLayerBytes: 8 * 1024 ** 3, maxEntries: 2_000_000, maxFileBytes: 256 * 1024 ** 2 };

/** What the layer's bytes must hash to. */
export type Verification = { blob: string } | { content: string } | { none: true };

export class LayerError extends Error {}

function collect(limit: number, onDone: (data: Buffer) => void, onTooBig: () => void): EntrySink {
  const parts: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  return {
    write(chunk) {
      if (tooBig) return;
      size += chunk.length;
      if (size > limit) {
        tooBig = true;
        parts.length = 0;
        return;
      }
      parts.push(Buffer.from(chunk));
    },
    end() {
      if (tooBig) onTooBig();
      else onDone(Buffer.concat(parts));
    },
  };
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const BUILDINFO_WINDOW = 64 * 1024;

/** Scan an executable for Go build information without holding it: only the bytes after the magic are kept. */
function goBinarySink(path: string, onPackages: (p: Package[]) => void): EntrySink {
  let head = Buffer.alloc(0);
  let state: 'head' | 'scan' | 'collect' | 'skip' = 'head';
  let carry = Buffer.alloc(0);
  const found: Buffer[] = [];
  let kept = 0;
  const scan = (chunk: Buffer): void => {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const at = data.indexOf(GO_BUILDINFO_MAGIC);
    if (at >= 0) {
      state = 'collect';
      keep(data.subarray(at));
      return;
    }
    carry = Buffer.from(data.subarray(Math.max(0, data.length - (GO_BUILDINFO_MAGIC.length - 1))));
  };
  const keep = (chunk: Buffer): void => {
    const n = Math.min(chunk.length, BUILDINFO_WINDOW - kept);
    if (n > 0) found.push(Buffer.from(chunk.subarray(0, n)));
    kept += n;
    if (kept >= BUILDINFO_WINDOW) state = 'skip';
  };
  return {
    write(chunk) {
      if (state === 'skip') return;
      if (state === 'head') {
        head = Buffer.concat([head, chunk]);
        if (head.length < 4) return;
        if (!head.subarray(0, 4).equals(ELF)) {
          state = 'skip';
          return;
        }
        state = 'scan';
        scan(head);
        return;
      }
      if (state === 'scan') scan(chunk);
      else keep(chunk);
    },
    end() {
      if (found.length === 0) return;
      const packages = parseGoBuildInfo(Buffer.concat(found), path);
      if (packages.length > 0) onPackages(packages);
    },
  };
}

const DPKG_STATUS_D = /^\/var\/lib\/dpkg\/status\.d\/[^/]+$/;
const DPKG_LIST = /^\/var\/lib\/dpkg\/info\/[^/]+\.list$/;
const SMALL = 4 * 1024 * 1024;
/** rpm's SQLite database: /var/lib/rpm (RHEL 9 and rebuilds, Amazon Linux 2023), /usr/lib/sysimage/rpm (Fedora ≥ 36, openSUSE) */
export const RPMDB_SQLITE = new Set(['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite']);
/** rpm's Berkeley DB database (RHEL/CentOS 7 and 8, Amazon Linux 2, Oracle Linux ≤ 8) */
export const RPMDB_BDB = new Set(['/var/lib/rpm/Packages', '/usr/lib/sysimage/rpm/Packages']);
/** rpm's ndb database (SUSE Linux Enterprise 15, openSUSE) */
export const RPMDB_NDB = new Set(['/var/lib/rpm/Packages.db', '/usr/lib/sysimage/rpm/Packages.db']);

/** An rpm SQLite database and its write-ahead log, as one layer holds them. */
type PendingRpmdb = Map<string, { db?: Buffer; wal?: Buffer }>;

/** The facts of one rpm database read: its packages, the files they own, what could not be read. */
function addRpmDb(p: string, read: () => RpmDb, add: (path: string, fact: FileFact) => void, note: (s: string) => void): void {
  try {
    const db = read();
    add(p, { kind: 'packages', packages: db.packages });
    add(p, { kind: 'owned', paths: db.owned });
    for (const e of db.errors) add(p, { kind: 'unread', reason: e, severity: 'error' });
    for (const n of db.notes ?? []) note(n);
  } catch (e) {
    if (!(e instanceof RpmdbError)) throw e;
    add(p, { kind: 'unread', reason: e.message, severity: 'error' });
  }
}

/** The sink for an entry a package analyser wants, or undefined to skip its bytes. */
function sinkFor(entry: TarEntry & { path: string }, add: (path: string, fact: FileFact) => void, note: (s: string) => void, limits: LayerLimits, rpmSqlite: PendingRpmdb): EntrySink | undefined {
  const p = entry.path;
  // a package database past its bound is a coverage error: the image's packages are not all known
  const parseBounded = (parse: () => void): void => {
    try {
      parse();
    } catch (e) {
      if (!(e instanceof PackageLimitError)) throw e;
      add(p, { kind: 'unread', reason: e.message, severity: 'error' });
    }
  };
  const text = (limit: number, parse: (s: string) => void): EntrySink =>
    collect(Math.min(limit, limits.maxFileBytes), (b) => parseBounded(() => parse(b.toString('utf8'))), () => note(`${p}: larger than ${Math.min(limit, limits.maxFileBytes)} bytes, not analysed`));
  if (p === '/etc/os-release' || p === '/usr/lib/os-release') {
    return text(64 * 1024, (s) => {
      const os = parseOsRelease(s);
      if (os) add(p, { kind: 'os-release', os, primary: p === '/etc/os-release' });
    });
  }
  if (p === '/etc/alpine-release') return text(1024, (s) => add(p, { kind: 'alpine-release', version: s.trim() }));
  if (p === '/var/lib/dpkg/status' || (DPKG_STATUS_D.test(p) && !p.endsWith('.md5sums'))) {
    return text(256 * 1024 * 1024, (s) => add(p, { kind: 'packages', packages: parseDpkgStatus(s, p) }));
  }
  if (DPKG_LIST.test(p)) return text(64 * 1024 * 1024, (s) => add(p, { kind: 'owned', paths: parseDpkgList(s) }));
  if (p === '/lib/apk/db/installed') {
    return text(256 * 1024 * 1024, (s) => {
      const db = parseApkInstalled(s, p);
      add(p, { kind: 'packages', packages: db.packages });
      add(p, { kind: 'owned', paths: db.owned });
    });
  }
  if (RPMDB_SQLITE.has(p)) {
    // read when the layer ends, with its write-ahead log if the layer holds one
    return collect(limits.maxFileBytes, (b) => rpmSqlite.set(p, { ...rpmSqlite.get(p), db: b }), () => add(p, { kind: 'unread', reason: `${p}: larger than ${limits.maxFileBytes} bytes, not read; the image's rpm packages are not listed`, severity: 'error' }));
  }
  if (p.endsWith('-wal') && RPMDB_SQLITE.has(p.slice(0, -4)) && entry.size > 0) {
    const dbPath = p.slice(0, -4);
    return collect(limits.maxFileBytes, (b) => rpmSqlite.set(dbPath, { ...rpmSqlite.get(dbPath), wal: b }), () => note(`${p}: larger than ${limits.maxFileBytes} bytes, not applied; packages of an interrupted rpm transaction may be missing`));
  }
  if (RPMDB_BDB.has(p) || RPMDB_NDB.has(p)) {
    const read = RPMDB_BDB.has(p) ? readRpmdbBdb : readRpmdbNdb;
    return collect(limits.maxFileBytes, (b) => addRpmDb(p, () => read(b, p), add, note), () => add(p, { kind: 'unread', reason: `${p}: larger than ${limits.maxFileBytes} bytes, not read; the image's rpm packages are not listed`, severity: 'error' }));
  }
  if (isNpmManifest(p)) {
    return text(SMALL, (s) => {
      const pkg = parseNpmManifest(s, p);
      if (pkg) add(p, { kind: 'packages', packages: [pkg] });
    });
  }
  if (isPythonMetadata(p)) {
    return text(SMALL, (s) => {
      const pkg = parsePythonMetadata(s, p);
      if (pkg) add(p, { kind: 'packages', packages: [pkg] });
    });
  }
  if (isJavaArchive(p)) {
    return collect(limits.maxFileBytes, (b) => {
      const packages = parseJavaArchive(b, p);
      if (packages.length > 0) add(p, { kind: 'packages', packages });
    }, () => note(`${p}: Java archive larger than ${limits.maxFileBytes} bytes, not analysed`));
  }
  if ((entry.mode & 0o111) !== 0 && entry.size >= 1024) return goBinarySink(p, (packages) => add(p, { kind: 'packages', packages }));
  return undefined;
}

function zstdTransform(): Transform {
  let decoder: Decompress;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        decoder.push(chunk);
        cb();
      } catch (e) {
        cb(new LayerError(`zstd: ${(e as Error).message}`));
      }
    },
    flush(cb) {
      try {
        decoder.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new LayerError(`zstd: truncated or corrupt stream (${(e as Error).message})`));
      }
    },
  });
  decoder = new Decompress((data) => {
    t.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  return t;
}

function hexOf(digest: string): { algorithm: string; hex: string } {
  const i = digest.indexOf(':');
  return { algorithm: digest.slice(0, i), hex: digest.slice(i + 1) };
}

function hasherFor(digest: string): Hash {
  const { algorithm } = hexOf(digest);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') throw new LayerError(`unsupported digest algorithm in ${digest}`);
  return createHash(algorithm);
}

/** Analyse one layer blob. `digest` names it (cache key, messages); `verify` says what its bytes must hash to. */
export async function analyseLayer(digest: string, source: Readable, verify: Verification, limits: LayerLimits = DEFAULT_LIMITS): Promise<LayerAnalysis> {
  const facts = new Map<string, FileFact[]>();
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  const notes: string[] = [];
  const add = (path: string, fact: FileFact): void => {
    const list = facts.get(path);
    if (list) list.push(fact);
    else facts.set(path, [fact]);
  };
  const note = (s: string): void => {
    if (notes.length < 50) notes.push(s);
  };
  const rpmSqlite: PendingRpmdb = new Map();
  const parser = new TarParser((entry) => {
    if (parser.entries > limits.maxEntries) throw new LayerError(`more than ${limits.maxEntries} entries`);
    if (entry.path === undefined) {
      note(`entry name climbs out of the image root: ${JSON.stringify(entry.rawName)} (ignored)`);
      return undefined;
    }
    const slash = entry.path.lastIndexOf('/');
    const base = entry.path.slice(slash + 1);
    const dir = entry.path.slice(0, slash) || '/';
    if (base.startsWith('.wh.')) {
      if (base === '.wh..wh..opq') opaque.push(dir);
      else whiteouts.push(`${dir === '/' ? '' : dir}/${base.slice(4)}`);
      return undefined;
    }
    if (entry.type !== 'file') return undefined;
    return sinkFor(entry as TarEntry & { path: string }, add, note, limits, rpmSqlite);
  });

  const blobHash = 'blob' in verify ? hasherFor(verify.blob) : undefined;
  const contentHash = 'content' in verify ? hasherFor(verify.content) : undefined;
  let bytes = 0;
  let compression: LayerAnalysis['compression'] = 'none';

  // Sniff the first bytes to pick the decompressor.
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 4 && !done) {
    const r = await iterator.next();
    if (r.done) done = true;
    else head = Buffer.concat([head, r.value]);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) compression = 'gzip';
  else if (head.readUInt32LE(0) === 0xfd2fb528) compression = 'zstd';
  async function* raw(): AsyncGenerator<Buffer> {
    if (head.length > 0) {
      blobHash?.update(head);
      yield head;
    }
    while (!done) {
      const r = await iterator.next();
      if (r.done) break;
      blobHash?.update(r.value);
      yield r.value;
    }
  }
  async function consume(src: AsyncIterable<Buffer>): Promise<void> {
    for await (const chunk of src) {
      bytes += chunk.length;
      if (bytes > limits.maxLayerBytes) throw new LayerError(`decompresses to more than ${limits.maxLayerBytes} bytes: refused as a decompression bomb`);
      contentHash?.update(chunk);
      parser.push(chunk);
    }
    parser.end();
  }
  try {
    if (head.length < 4 && head.length === 0) throw new LayerError('empty layer blob');
    if (compression === 'gzip') await pipeline(raw, createGunzip(), consume);
    else if (compression === 'zstd') await pipeline(raw, zstdTransform(), consume);
    else await pipeline(raw, consume);
  } catch (e) {
    source.destroy();
    const msg = (e as Error).message;
    if (e instanceof LayerError) throw e;
    throw new LayerError(compression === 'gzip' && /unexpected end|incorrect header|invalid/i.test(msg) ? `gzip: truncated or corrupt stream (${msg})` : msg);
  }
  if (blobHash && 'blob' in verify && blobHash.digest('hex') !== hexOf(verify.blob).hex) throw new LayerError(`digest mismatch: the blob's bytes do not hash to ${verify.blob}; layer rejected`);
  if (contentHash && 'content' in verify && contentHash.digest('hex') !== hexOf(verify.content).hex) throw new LayerError(`digest mismatch: the layer's content does not hash to ${verify.content}; layer rejected`);
  for (const [p, { db, wal }] of rpmSqlite) {
    if (db !== undefined) addRpmDb(p, () => readRpmdbSqlite(db, p, wal), add, note);
    else note(`${p}-wal: a write-ahead log without its database in the same layer; not applied`);
  }
  return { digest, files: [...facts.entries()], whiteouts, opaque, entries: parser.entries, bytes, compression, notes };
}

/** Analysed layers by digest, least recently used dropped first; concurrent requests for one layer share one analysis. */
export class LayerCache {
  private readonly done = new Map<string, LayerAnalysis>();
  private readonly inFlight = new Map<string, Promise<LayerAnalysis>>();
  analysed = 0;
  hits = 0;

  constructor(private readonly maxEntries = 1024) {}

  async get(digest: string, analyse: () => Promise<LayerAnalysis>): Promise<LayerAnalysis> {
    const hit = this.done.get(digest);
    if (hit !== undefined) {
      this.hits++;
      this.done.delete(digest);
      this.done.set(digest, hit);
      return hit;
    }
    const running = this.inFlight.get(digest);
    if (running !== undefined) {
      this.hits++;
      return running;
    }
    const p = analyse().then(
      (a) => {
        this.analysed++;
        this.inFlight.delete(digest);
        this.done.set(digest, a);
        while (this.done.size > this.maxEntries) this.done.delete(this.done.keys().next().value as string);
        return a;
      },
      (e: unknown) => {
        this.inFlight.delete(digest);
        throw e;
      },
    );
    this.inFlight.set(digest, p);
    return p;
  }
}
