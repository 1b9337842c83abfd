// A reader of the Berkeley DB hash files rpm used before its SQLite backend (`/var/lib/rpm/Packages`
// on RHEL/CentOS 7 and 8, Amazon Linux 2, Oracle Linux): only what listing every record needs.
// The file is pages of one size; page 0 is the hash metadata (magic 0x061561, in the byte order of
// the machine that wrote it); hash pages (type 13, or 2 before DB 4.6) hold key/data items whose
// offsets follow the 26-byte page header; an item is inline (H_KEYDATA) or names a chain of
// overflow pages (H_OFFPAGE: first page and total length; type 7 pages, each with its own length
// and the next page). Pages are read in file order: buckets and their overflow pages are all
// hash pages, and freed pages lose their type. Every offset and length is checked; a loop in an
// overflow chain or a page outside the file is an error, never a hang.

export class BdbError extends Error {}

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export interface BdbRecord {
  key: Buffer;
  value: Buffer;
}

export interface BdbRead {
  records: BdbRecord[];
  /** items that could not be read (a broken overflow chain); the others are kept */
  errors: string[];
}

export function readBdbHash(data: Buffer): BdbRead {
  if (data.length < 512) throw new BdbError('not a Berkeley DB file (too short)');
  const le = data.readUInt32LE(12) === HASH_MAGIC;
  if (!le && data.readUInt32BE(12) !== HASH_MAGIC) throw new BdbError('not a Berkeley DB hash file (bad magic)');
  const u32 = (b: Buffer, off: number): number => (le ? b.readUInt32LE(off) : b.readUInt32BE(off));
  const u16 = (b: Buffer, off: number): number => (le ? b.readUInt16LE(off) : b.readUInt16BE(off));
  const pageSize = u32(data, 20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new BdbError(`bad page size ${pageSize}`);
  if (data[25] !== P_HASHMETA) throw new BdbError(`page 0 has type ${data[25]}, not hash metadata`);
  if (data[24] !== 0) throw new BdbError('the database is encrypted');
  const pages = Math.floor(data.length / pageSize);
  const page = (n: number): Buffer => {
    if (!Number.isInteger(n) || n < 1 || n >= pages) throw new BdbError(`page ${n} is outside the file (${pages} pages)`);
    return data.subarray(n * pageSize, (n + 1) * pageSize);
  };

  const overflow = (first: number, total: number): Buffer => {
    if (total > data.length) throw new BdbError(`an item claims ${total} bytes, more than the file`);
    const out = Buffer.allocUnsafe(total);
    const seen = new Set<number>();
    let filled = 0;
    let n = first;
    while (filled < total) {
      if (n === 0) throw new BdbError(`overflow chain from page ${first} ends after ${filled} of ${total} bytes`);
      if (seen.has(n)) throw new BdbError(`overflow chain from page ${first} reaches page ${n} twice`);
      seen.add(n);
      const p = page(n);
      if (p[25] !== P_OVERFLOW) throw new BdbError(`page ${n} in the overflow chain from page ${first} has type ${p[25]}`);
      const len = u16(p, 22);
      if (len > pageSize - PAGE_HEADER) throw new BdbError(`overflow page ${n} claims ${len} bytes`);
      const take = Math.min(len, total - filled);
      p.copy(out, filled, PAGE_HEADER, PAGE_HEADER + take);
      filled += take;
      n = u32(p, 16);
    }
    return out;
  };

  const records: BdbRecord[] = [];
  const errors: string[] = [];
  for (let n = 1; n < pages; n++) {
    const p = data.subarray(n * pageSize, (n + 1) * pageSize);
    if (p[25] !== P_HASH && p[25] !== P_HASH_UNSORTED) continue;
    const entries = u16(p, 20);
    if (PAGE_HEADER + 2 * entries > pageSize) {
      errors.push(`page ${n}: ${entries} entries do not fit`);
      continue;
    }
    const offsets: number[] = [];
    for (let i = 0; i < entries; i++) offsets.push(u16(p, PAGE_HEADER + 2 * i));
    // items are packed from the end of the page down: each ends where the previous one starts
    const item = (i: number): Buffer => {
      const start = offsets[i];
      const end = i === 0 ? pageSize : offsets[i - 1];
      if (start < PAGE_HEADER + 2 * entries || start >= end || end > pageSize) throw new BdbError(`page ${n}: item ${i} at ${start}..${end} is outside the page`);
      const type = p[start];
      if (type === H_KEYDATA) return p.subarray(start + 1, end);
      if (type === H_OFFPAGE) {
        if (start + 12 > end) throw new BdbError(`page ${n}: item ${i} is too short for an overflow reference`);
        return overflow(u32(p, start + 4), u32(p, start + 8));
      }
      throw new BdbError(`page ${n}: item ${i} has type ${type}, which rpm does not write`);
    };
    for (let i = 0; i + 1 < entries; i += 2) {
      try {
        records.push({ key: item(i), value: item(i + 1) });
      } catch (e) {
        if (!(e instanceof BdbError)) throw e;
        if (errors.length < 20) errors.push(e.message);
      }
    }
  }
  return { records, errors };
}
