// A small reader of SQLite database files: only what reading every row of one table needs (the
// header, the schema table, table b-tree pages, overflow chains, the record format). Written here
// rather than taken from a library because rpm's database is one table read front to back, and
// the alternative, SQLite compiled to WebAssembly (sql.js), is a megabyte-sized dependency that
// copies the whole file into its own heap; the on-disk format is documented and stable
// (https://www.sqlite.org/fileformat.html). Every offset, page number and length is checked: a
// corrupt or hostile file gives an SqliteError naming what is wrong, never a crash or a loop.

export class SqliteError extends Error {}

export type SqlValue = null | number | bigint | string | Uint8Array;

export interface SqlRow {
  rowid: number;
  values: SqlValue[];
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const LEAF_TABLE = 13;
const INTERIOR_TABLE = 5;
/** deeper than any real table b-tree (a billion rows fit in five levels) */
const MAX_DEPTH = 32;

/** A varint at `off`: its value and its length in bytes. */
export function readVarint(buf: Uint8Array, off: number, end = buf.length): [number, number] {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    if (off + i >= end) throw new SqliteError(`varint runs past the end of its page at offset ${off}`);
    const b = buf[off + i];
    if (i === 8) return [toNumber((v << 8n) | BigInt(b)), 9];
    v = (v << 7n) | BigInt(b & 0x7f);
    if (b < 0x80) return [toNumber(v), i + 1];
  }
  /* c8 ignore next */
  throw new SqliteError('unreachable');
}

function toNumber(v: bigint): number {
  const signed = BigInt.asIntN(64, v);
  return Number(signed);
}

export class SqliteFile {
  readonly pageSize: number;
  readonly usable: number;
  readonly pageCount: number;

  constructor(readonly data: Buffer) {
    if (data.length < 100 || !data.subarray(0, 16).equals(MAGIC)) throw new SqliteError('not an SQLite 3 database (bad header)');
    const raw = data.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new SqliteError(`bad page size ${raw}`);
    this.pageSize = pageSize;
    this.usable = pageSize - data[20];
    if (this.usable < 480) throw new SqliteError(`bad reserved space ${data[20]}`);
    if (data.readUInt32BE(56) > 1) throw new SqliteError(`text encoding ${data.readUInt32BE(56)} (UTF-16) is not supported`);
    if (data.length % pageSize !== 0) throw new SqliteError(`file size ${data.length} is not a multiple of the page size ${pageSize}: truncated`);
    this.pageCount = data.length / pageSize;
  }

  private page(n: number): Buffer {
    if (!Number.isInteger(n) || n < 1 || n > this.pageCount) throw new SqliteError(`page ${n} is outside the file (${this.pageCount} pages)`);
    return this.data.subarray((n - 1) * this.pageSize, n * this.pageSize);
  }

  /** The root page of a table, from the schema table; undefined when there is no such table. */
  tableRoot(name: string): number | undefined {
    for (const row of this.rows(1)) {
      const [type, rowName, , root] = row.values;
      if (type === 'table' && typeof rowName === 'string' && rowName === name) {
        if (typeof root !== 'number' || root < 1) throw new SqliteError(`table ${name} has a bad root page ${String(root)}`);
        return root;
      }
    }
    return undefined;
  }

  /** Every row of the table b-tree rooted at `root`, in rowid order. */
  *rows(root: number): Generator<SqlRow> {
    const visited = new Set<number>();
    const stack: { page: number; depth: number }[] = [{ page: root, depth: 0 }];
    while (stack.length > 0) {
      const { page: n, depth } = stack.pop() as { page: number; depth: number };
      if (visited.has(n)) throw new SqliteError(`page ${n} is reached twice: the b-tree has a cycle`);
      visited.add(n);
      if (depth > MAX_DEPTH) throw new SqliteError(`b-tree deeper than ${MAX_DEPTH} levels`);
      const page = this.page(n);
      const h = n === 1 ? 100 : 0;
      const type = page[h];
      const cells = page.readUInt16BE(h + 3);
      if (type === INTERIOR_TABLE) {
        const ptrs = h + 12;
        if (ptrs + 2 * cells > this.usable) throw new SqliteError(`page ${n}: ${cells} cells do not fit`);
        // children pushed right to left so that rows come out in rowid order
        stack.push({ page: page.readUInt32BE(h + 8), depth: depth + 1 });
        for (let i = cells - 1; i >= 0; i--) {
          const at = page.readUInt16BE(ptrs + 2 * i);
          if (at + 4 > this.usable) throw new SqliteError(`page ${n}: cell ${i} at ${at} is outside the page`);
          stack.push({ page: page.readUInt32BE(at), depth: depth + 1 });
        }
      } else if (type === LEAF_TABLE) {
        const ptrs = h + 8;
        if (ptrs + 2 * cells > this.usable) throw new SqliteError(`page ${n}: ${cells} cells do not fit`);
        for (let i = 0; i < cells; i++) {
          const at = page.readUInt16BE(ptrs + 2 * i);
          if (at < ptrs + 2 * cells || at >= this.usable) throw new SqliteError(`page ${n}: cell ${i} at ${at} is outside the page`);
          yield this.leafCell(page, n, at, visited);
        }
      } else {
        throw new SqliteError(`page ${n}: type ${type} is not a table b-tree page`);
      }
    }
  }

  private leafCell(page: Buffer, n: number, at: number, visited: Set<number>): SqlRow {
    const [size, l1] = readVarint(page, at, this.usable);
    const [rowid, l2] = readVarint(page, at + l1, this.usable);
    if (size < 0 || size > this.data.length) throw new SqliteError(`page ${n}: row ${rowid} claims ${size} bytes`);
    const start = at + l1 + l2;
    const u = this.usable;
    const x = u - 35;
    let local = size;
    if (size > x) {
      const m = Math.floor(((u - 12) * 32) / 255) - 23;
      const k = m + ((size - m) % (u - 4));
      local = k <= x ? k : m;
    }
    if (start + local > u) throw new SqliteError(`page ${n}: row ${rowid} runs past the end of the page`);
    let payload: Buffer;
    if (local === size) {
      payload = page.subarray(start, start + size);
    } else {
      if (start + local + 4 > u) throw new SqliteError(`page ${n}: row ${rowid} has no room for its overflow pointer`);
      payload = Buffer.allocUnsafe(size);
      page.copy(payload, 0, start, start + local);
      let filled = local;
      let next = page.readUInt32BE(start + local);
      while (filled < size) {
        if (next === 0) throw new SqliteError(`row ${rowid}: overflow chain ends after ${filled} of ${size} bytes`);
        if (visited.has(next)) throw new SqliteError(`row ${rowid}: overflow page ${next} is reached twice`);
        visited.add(next);
        const o = this.page(next);
        const take = Math.min(u - 4, size - filled);
        o.copy(payload, filled, 4, 4 + take);
        filled += take;
        next = o.readUInt32BE(0);
      }
    }
    return { rowid, values: decodeRecord(payload, rowid) };
  }
}

/** The columns of one record (SQLite's record format: a header of serial types, then the values). */
export function decodeRecord(p: Buffer, rowid: number): SqlValue[] {
  const [headerSize, hl] = readVarint(p, 0);
  if (headerSize < hl || headerSize > p.length) throw new SqliteError(`row ${rowid}: bad record header size ${headerSize}`);
  const types: number[] = [];
  for (let off = hl; off < headerSize; ) {
    const [t, l] = readVarint(p, off, headerSize);
    types.push(t);
    off += l;
  }
  const values: SqlValue[] = [];
  let off = headerSize;
  const need = (n: number): void => {
    if (off + n > p.length) throw new SqliteError(`row ${rowid}: a value runs past the end of the record`);
  };
  for (const t of types) {
    if (t === 0) values.push(null);
    else if (t >= 1 && t <= 6) {
      const len = [0, 1, 2, 3, 4, 6, 8][t];
      need(len);
      if (t === 6) {
        const big = p.readBigInt64BE(off);
        values.push(big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big);
      } else values.push(p.readIntBE(off, len));
      off += len;
    } else if (t === 7) {
      need(8);
      values.push(p.readDoubleBE(off));
      off += 8;
    } else if (t === 8 || t === 9) values.push(t - 8);
    else if (t >= 12) {
      const len = Math.floor((t - 12) / 2);
      need(len);
      values.push(t % 2 === 0 ? p.subarray(off, off + len) : p.toString('utf8', off, off + len));
      off += len;
    } else throw new SqliteError(`row ${rowid}: reserved serial type ${t}`);
  }
  return values;
}

// The write-ahead log (`NAME-wal`): pages changed by transactions not yet copied back into the
// database. A reader sees the database as of the last commit in the log: for each page, the copy
// in the last valid committed frame. A frame is valid while its salts match the log header's and
// its cumulative checksum (over 32-bit words, in the byte order the magic names) matches; the
// first invalid frame ends the log. https://www.sqlite.org/fileformat.html#the_write_ahead_log

const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;

function walChecksum(buf: Buffer, start: number, end: number, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s0, s1] = s;
  for (let i = start; i + 8 <= end; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

export interface WalApplied {
  data: Buffer;
  /** committed frames applied */
  frames: number;
}

/** The database as the log's last commit left it. A log that is not one (bad magic, page size) throws; a torn tail is ignored, as SQLite ignores it. */
export function applyWal(db: Buffer, wal: Buffer): WalApplied {
  if (wal.length < 32) throw new SqliteError('write-ahead log shorter than its header');
  const magic = wal.readUInt32BE(0);
  if (magic !== WAL_MAGIC_LE && magic !== WAL_MAGIC_BE) throw new SqliteError('not an SQLite write-ahead log (bad magic)');
  const bigEndian = magic === WAL_MAGIC_BE;
  const pageSize = wal.readUInt32BE(8) === 1 ? 65536 : wal.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new SqliteError(`write-ahead log page size ${pageSize} is not valid`);
  if (db.length >= 100 && (db.readUInt16BE(16) === 1 ? 65536 : db.readUInt16BE(16)) !== pageSize) throw new SqliteError('the write-ahead log and the database have different page sizes');
  let sum = walChecksum(wal, 0, 24, bigEndian, [0, 0]);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) throw new SqliteError('write-ahead log header checksum does not match');
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const committed = new Map<number, number>();
  const pendingFrames = new Map<number, number>();
  let size = Math.floor(db.length / pageSize);
  let frames = 0;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    if (wal.readUInt32BE(off + 8) !== salt1 || wal.readUInt32BE(off + 12) !== salt2) break;
    sum = walChecksum(wal, off, off + 8, bigEndian, sum);
    sum = walChecksum(wal, off + 24, off + 24 + pageSize, bigEndian, sum);
    if (sum[0] !== wal.readUInt32BE(off + 16) || sum[1] !== wal.readUInt32BE(off + 20)) break;
    const page = wal.readUInt32BE(off);
    if (page < 1) break;
    pendingFrames.set(page, off + 24);
    const commitSize = wal.readUInt32BE(off + 4);
    if (commitSize > 0) {
      for (const [p, at] of pendingFrames) committed.set(p, at);
      frames += pendingFrames.size;
      pendingFrames.clear();
      size = commitSize;
    }
  }
  if (committed.size === 0) return { data: db, frames: 0 };
  const data = Buffer.alloc(size * pageSize);
  db.copy(data, 0, 0, Math.min(db.length, data.length));
  for (const [p, at] of committed) if (p <= size) wal.copy(data, (p - 1) * pageSize, at, at + pageSize);
  return { data, frames };
}
