// rpm's package database in its SQLite form (`rpmdb.sqlite`: RHEL/Rocky/AlmaLinux 9, Fedora ≥ 33,
// Amazon Linux 2023, openSUSE with the sqlite backend), whose `Packages` table holds one rpm header
// per installed package (hnum, blob), in its older Berkeley DB form (`Packages`: RHEL/CentOS 7
// and 8, Amazon Linux 2), a hash of the same headers, and in SUSE's ndb form (`Packages.db`). A header blob is: the number of index entries and the size
// of the data store (two big-endian 32-bit integers), the index entries (tag, type, offset, count:
// four big-endian 32-bit integers each), then the data store the offsets point into. The tags read
// here are the package's name, epoch, version, release, arch, source rpm, licence and module label,
// and its file list (base names, directory names and, per file, the index of its directory), so
// that language packages an rpm installed are not counted twice.

import { BdbError, readBdbHash } from './bdb.js';
import { NdbError, readNdb } from './ndb.js';
import { isJavaArchive, isNpmManifest, isPythonMetadata } from './lang.js';
import { applyWal, SqliteError, SqliteFile } from './sqlite.js';
import type { Package } from './types.js';

export class RpmdbError extends Error {}

const TAG_NAME = 1000;
const TAG_VERSION = 1001;
const TAG_RELEASE = 1002;
const TAG_EPOCH = 1003;
const TAG_LICENSE = 1014;
const TAG_ARCH = 1022;
const TAG_FILEMODES = 1030;
const TAG_SOURCERPM = 1044;
const TAG_DIRINDEXES = 1116;
const TAG_BASENAMES = 1117;
const TAG_DIRNAMES = 1118;
const TAG_MODULARITYLABEL = 5096;

const TYPE_INT16 = 3;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

/** rpm's own limits on a header (header.c): at most 0xffff entries and a 256 MiB data store. */
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

/** One rpm header blob, with bounds-checked access to its tags. */
export class RpmHeader {
  private readonly entries = new Map<number, Entry>();
  private readonly store: Buffer;

  constructor(blob: Buffer) {
    if (blob.length < 8) throw new RpmdbError(`header of ${blob.length} bytes is too short`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il === 0 || il > MAX_ENTRIES) throw new RpmdbError(`header claims ${il} index entries`);
    if (dl > MAX_DATA) throw new RpmdbError(`header claims ${dl} bytes of data`);
    const ds = 8 + il * 16;
    if (ds + dl > blob.length) throw new RpmdbError(`header claims ${il} entries and ${dl} bytes of data, but the blob has ${blob.length} bytes`);
    this.store = blob.subarray(ds, ds + dl);
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readInt32BE(at);
      const type = blob.readUInt32BE(at + 4);
      const offset = blob.readInt32BE(at + 8);
      const count = blob.readUInt32BE(at + 12);
      // region tags (61–63) point at a trailer; they say nothing this reader needs
      if (tag < 1000) continue;
      if (offset < 0 || offset >= dl) throw new RpmdbError(`tag ${tag}: data offset ${offset} is outside the ${dl}-byte data store`);
      if (count > dl) throw new RpmdbError(`tag ${tag}: count ${count} exceeds the data store`);
      this.entries.set(tag, { type, offset, count });
    }
  }

  private stringsAt(tag: number, e: Entry, n: number): string[] {
    const out: string[] = [];
    let off = e.offset;
    for (let i = 0; i < n; i++) {
      const end = this.store.indexOf(0, off);
      if (end < 0) throw new RpmdbError(`tag ${tag}: string ${i} is not terminated inside the data store`);
      out.push(this.store.toString('utf8', off, end));
      off = end + 1;
    }
    return out;
  }

  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    if (e.type !== TYPE_STRING && e.type !== TYPE_I18NSTRING && e.type !== TYPE_STRING_ARRAY) throw new RpmdbError(`tag ${tag}: type ${e.type} is not a string`);
    return this.stringsAt(tag, e, 1)[0];
  }

  strings(tag: number): string[] {
    const e = this.entries.get(tag);
    if (e === undefined) return [];
    if (e.type !== TYPE_STRING_ARRAY) throw new RpmdbError(`tag ${tag}: type ${e.type} is not a string array`);
    return this.stringsAt(tag, e, e.count);
  }

  int16s(tag: number): number[] {
    const e = this.entries.get(tag);
    if (e === undefined) return [];
    if (e.type !== TYPE_INT16) throw new RpmdbError(`tag ${tag}: type ${e.type} is not a 16-bit integer`);
    if (e.offset + 2 * e.count > this.store.length) throw new RpmdbError(`tag ${tag}: ${e.count} integers run past the data store`);
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) out.push(this.store.readUInt16BE(e.offset + 2 * i));
    return out;
  }

  int32s(tag: number): number[] {
    const e = this.entries.get(tag);
    if (e === undefined) return [];
    if (e.type !== TYPE_INT32) throw new RpmdbError(`tag ${tag}: type ${e.type} is not a 32-bit integer`);
    if (e.offset + 4 * e.count > this.store.length) throw new RpmdbError(`tag ${tag}: ${e.count} integers run past the data store`);
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) out.push(this.store.readInt32BE(e.offset + 4 * i));
    return out;
  }
}

export interface RpmPackage {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  modularityLabel?: string;
  files: string[];
  /** each file's mode (type and permission bits), when the header gives one per file */
  modes?: number[];
}

/** The package a header describes; undefined for rpm's imported signing keys (`gpg-pubkey`), which are not software. */
export function packageOfHeader(h: RpmHeader): RpmPackage | undefined {
  const name = h.string(TAG_NAME);
  const version = h.string(TAG_VERSION);
  const release = h.string(TAG_RELEASE);
  if (!name || version === undefined || release === undefined) throw new RpmdbError('header without a name, version or release');
  if (name === 'gpg-pubkey') return undefined;
  const epochs = h.int32s(TAG_EPOCH);
  const basenames = h.strings(TAG_BASENAMES);
  const dirnames = h.strings(TAG_DIRNAMES);
  const dirindexes = h.int32s(TAG_DIRINDEXES);
  if (dirindexes.length !== basenames.length) throw new RpmdbError(`${name}: ${basenames.length} file names but ${dirindexes.length} directory indexes`);
  const files = basenames.map((b, i) => {
    const d = dirnames[dirindexes[i]];
    if (d === undefined) throw new RpmdbError(`${name}: file ${b} names directory ${dirindexes[i]} of ${dirnames.length}`);
    return d + b;
  });
  const pkg: RpmPackage = { name, version, release, files };
  const modes = h.int16s(TAG_FILEMODES);
  if (modes.length === files.length && files.length > 0) pkg.modes = modes;
  if (epochs.length > 0) pkg.epoch = epochs[0];
  const arch = h.string(TAG_ARCH);
  if (arch) pkg.arch = arch;
  const source = h.string(TAG_SOURCERPM);
  if (source && source !== '(none)') pkg.sourceRpm = source;
  const license = h.string(TAG_LICENSE);
  if (license) pkg.license = license;
  const label = h.string(TAG_MODULARITYLABEL);
  if (label) pkg.modularityLabel = label;
  return pkg;
}

/** `openssl-3.0.7-27.el9.src.rpm` → name, version and release. */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  return m ? { name: m[1], version: m[2], release: m[3] } : undefined;
}

/** `[epoch:]version-release`, as `rpm -q --qf '%{EVR}'` writes it. */
export function evr(epoch: number | undefined, version: string, release: string): string {
  return `${epoch !== undefined ? `${epoch}:` : ''}${version}-${release}`;
}

export function toPackage(p: RpmPackage, path: string): Package {
  const pkg: Package = { type: 'rpm', name: p.name, version: evr(p.epoch, p.version, p.release), path };
  if (p.arch) pkg.arch = p.arch;
  if (p.license) pkg.license = p.license;
  const src = p.sourceRpm !== undefined ? parseSourceRpm(p.sourceRpm) : undefined;
  if (src) pkg.source = { name: src.name, version: evr(p.epoch, src.version, src.release) };
  if (p.modularityLabel) pkg.modularity = p.modularityLabel;
  return pkg;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/**
 * Could a language package analyser read this file (a package.json under node_modules, Python
 * metadata, a Java archive, an executable that may be a Go binary)? Only those owned files are
 * kept: a RHEL image's database owns some 50,000–100,000 files, repeated in every layer that
 * changes it, and ownership only ever drops language packages. A file of unknown mode is kept.
 */
export function mayHoldLanguagePackage(path: string, mode: number | undefined): boolean {
  if (mode === undefined) return true;
  if ((mode & S_IFMT) !== S_IFREG) return false;
  return (mode & 0o111) !== 0 || isNpmManifest(path) || isPythonMetadata(path) || isJavaArchive(path);
}

export interface RpmDb {
  packages: Package[];
  /** the files the packages own that could hold a language package (see mayHoldLanguagePackage) */
  owned: string[];
  /** how many files the packages own in all */
  files: number;
  /** what could not be read (a bad header, a broken page): the packages are then partial */
  errors: string[];
  /** things worth saying that did not lose packages (a write-ahead log applied) */
  notes?: string[];
}

/** Packages from header blobs, each named by its record number; a bad header is skipped and said. */
function collectPackages(blobs: Iterable<{ id: number; blob: unknown }>, path: string, db: RpmDb): void {
  for (const { id, blob } of blobs) {
    try {
      if (!(blob instanceof Uint8Array)) throw new RpmdbError('the header is not a blob');
      const p = packageOfHeader(new RpmHeader(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)));
      if (p === undefined) continue;
      db.packages.push(toPackage(p, path));
      db.files += p.files.length;
      p.files.forEach((f, i) => {
        if (mayHoldLanguagePackage(f, p.modes?.[i])) db.owned.push(f);
      });
    } catch (e) {
      if (!(e instanceof RpmdbError)) throw e;
      if (db.errors.length < 20) db.errors.push(`${path}: package ${id}: ${e.message}; that package was skipped`);
    }
  }
}

/**
 * Read an `rpmdb.sqlite` file: every installed package, and the files they own. A file that is
 * not an rpm database throws; a bad header or a broken page part-way keeps what was read before it
 * and says what was lost.
 */
export function readRpmdbSqlite(data: Buffer, path: string, wal?: Buffer): RpmDb {
  const notes: string[] = [];
  if (wal !== undefined && wal.length > 0) {
    // rpm closes its database cleanly (log copied back and emptied); a log with commits in it is an interrupted session
    try {
      const applied = applyWal(data, wal);
      data = applied.data;
      notes.push(`${path}-wal: ${applied.frames} committed page(s) of the SQLite write-ahead log applied`);
    } catch (e) {
      if (!(e instanceof SqliteError)) throw e;
      notes.push(`${path}-wal: ${e.message}; the log was ignored, packages of its last transactions may be missing`);
    }
  }
  let file: SqliteFile;
  let root: number | undefined;
  try {
    file = new SqliteFile(data);
    root = file.tableRoot('Packages');
  } catch (e) {
    if (e instanceof SqliteError) throw new RpmdbError(`${path}: ${e.message}; the image's rpm packages were not read`);
    throw e;
  }
  if (root === undefined) throw new RpmdbError(`${path}: no Packages table, so not an rpm database; the image's rpm packages were not read`);
  const db: RpmDb = { packages: [], owned: [], files: 0, errors: [], ...(notes.length > 0 ? { notes } : {}) };
  const rows = file.rows(root);
  function* blobs(): Generator<{ id: number; blob: unknown }> {
    for (const row of rows) yield { id: row.rowid, blob: row.values[1] };
  }
  try {
    collectPackages(blobs(), path, db);
  } catch (e) {
    if (!(e instanceof SqliteError)) throw e;
    db.errors.push(`${path}: ${e.message}; only the ${db.packages.length} packages read before it are listed`);
  }
  return db;
}

/**
 * Read rpm's older Berkeley DB `Packages` file (a hash of record number → header; record 0 is
 * rpm's counter, not a package).
 */
export function readRpmdbBdb(data: Buffer, path: string): RpmDb {
  let read: ReturnType<typeof readBdbHash>;
  try {
    read = readBdbHash(data);
  } catch (e) {
    if (e instanceof BdbError) throw new RpmdbError(`${path}: ${e.message}; the image's rpm packages were not read`);
    throw e;
  }
  const db: RpmDb = { packages: [], owned: [], files: 0, errors: read.errors.slice(0, 20).map((e) => `${path}: ${e}; a package may be missing`) };
  const blobs = read.records
    .filter((r) => !(r.key.length === 4 && r.key.readUInt32LE(0) === 0))
    .map((r) => ({ id: r.key.length === 4 ? r.key.readUInt32LE(0) : -1, blob: r.value }))
    .sort((a, b) => a.id - b.id);
  collectPackages(blobs, path, db);
  return db;
}

/** Read rpm's ndb database (`Packages.db`, SUSE): slots pointing at header blobs. */
export function readRpmdbNdb(data: Buffer, path: string): RpmDb {
  let read: ReturnType<typeof readNdb>;
  try {
    read = readNdb(data);
  } catch (e) {
    if (e instanceof NdbError) throw new RpmdbError(`${path}: ${e.message}; the image's rpm packages were not read`);
    throw e;
  }
  const db: RpmDb = { packages: [], owned: [], files: 0, errors: read.errors.map((e) => `${path}: ${e}; that package is missing`) };
  collectPackages(read.blobs, path, db);
  return db;
}
