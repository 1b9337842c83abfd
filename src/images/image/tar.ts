// A push parser for tar streams (POSIX ustar, pax extended headers, GNU long names), fed chunk by
// chunk as a layer is decompressed, so nothing is written to disk and nothing is held but the
// contents a caller asks for. Header checksums are verified: a corrupt or truncated layer is an
// error, not a silent end.

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

export interface TarEntry {
  /** the name as the archive gives it (after pax and GNU long-name records) */
  rawName: string;
  /** normalised absolute path inside the image (`/etc/os-release`); undefined when the name climbs out of the root */
  path: string | undefined;
  type: EntryType;
  size: number;
  mode: number;
  linkName: string;
}

/** Receives one entry's contents, chunk by chunk. */
export interface EntrySink {
  write(chunk: Buffer): void;
  end(): void;
}

export class TarError extends Error {}

const BLOCK = 512;

/** `./a/../b` → `/b`; undefined when `..` climbs above the root (a path traversal name). */
export function normaliseTarPath(name: string): string | undefined {
  const parts: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return '/' + parts.join('/');
}

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

function numeric(buf: Buffer, start: number, length: number): number {
  if (buf[start] & 0x80) {
    // base-256 (GNU), for sizes over 8 GiB
    let v = buf[start] & 0x7f;
    for (let i = start + 1; i < start + length; i++) v = v * 256 + buf[i];
    return v;
  }
  const text = buf.toString('latin1', start, start + length).replace(/[\0 ]+$/g, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bad number "${text}" in tar header`);
  return parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = numeric(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}

function parsePax(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const space = text.indexOf(' ', i);
    if (space < 0) break;
    const len = Number(text.slice(i, space));
    if (!Number.isInteger(len) || len <= 0) break;
    const record = text.slice(space + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

function typeOf(flag: string): EntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
    case '':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

const META_LIMIT = 1 << 20;

export class TarParser {
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private padding = 0;
  private sink: EntrySink | undefined;
  /** collecting a pax or GNU long-name record */
  private meta: { kind: 'pax' | 'longname' | 'longlink' | 'skip'; parts: Buffer[] } | undefined;
  private pending: { pax?: Record<string, string>; longName?: string; longLink?: string } = {};
  private zeroBlocks = 0;
  private finished = false;
  entries = 0;

  constructor(private readonly onEntry: (entry: TarEntry) => EntrySink | undefined) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.finished) return; // bytes after the end-of-archive blocks are padding
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        if (this.meta) this.meta.parts.push(Buffer.from(part));
        else this.sink?.write(part);
        this.remaining -= n;
        off += n;
        if (this.remaining === 0) this.endEntry();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - off);
        this.padding -= n;
        off += n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - off);
      chunk.copy(this.header, this.headerFill, off, off + n);
      this.headerFill += n;
      off += n;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.readHeader();
      }
    }
  }

  /** The stream ended: it must end between entries. */
  end(): void {
    if (this.remaining > 0 || this.headerFill > 0 || this.meta !== undefined) throw new TarError('truncated tar stream: it ends inside an entry');
  }

  private endEntry(): void {
    this.padding = (BLOCK - (this.lastSize % BLOCK)) % BLOCK;
    if (this.meta) {
      const data = Buffer.concat(this.meta.parts).toString('utf8');
      if (this.meta.kind === 'pax') this.pending.pax = { ...this.pending.pax, ...parsePax(data) };
      else if (this.meta.kind === 'longname') this.pending.longName = data.replace(/\0.*$/s, '');
      else if (this.meta.kind === 'longlink') this.pending.longLink = data.replace(/\0.*$/s, '');
      this.meta = undefined;
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
  }

  private lastSize = 0;

  private readHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.finished = true;
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(h)) throw new TarError(`corrupt tar header after ${this.entries} entries (bad checksum): not a tar stream, or a damaged layer`);
    const flag = String.fromCharCode(h[156]);
    let size = numeric(h, 124, 12);
    const pax = this.pending.pax;
    if (pax?.size !== undefined) size = Number(pax.size);
    this.lastSize = size;
    this.remaining = size;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > META_LIMIT) throw new TarError(`tar metadata record of ${size} bytes (limit ${META_LIMIT})`);
      // a global pax header applies to the whole archive; kubemoat needs nothing from it
      this.meta = { kind: flag === 'x' ? 'pax' : flag === 'L' ? 'longname' : flag === 'K' ? 'longlink' : 'skip', parts: [] };
      if (size === 0) this.endEntry();
      return;
    }
    const magic = h.toString('latin1', 257, 262);
    const prefix = magic === 'ustar' ? cString(h, 345, 155) : '';
    let name = cString(h, 0, 100);
    if (prefix !== '') name = `${prefix}/${name}`;
    if (this.pending.longName !== undefined) name = this.pending.longName;
    if (pax?.path !== undefined) name = pax.path;
    let linkName = this.pending.longLink ?? cString(h, 157, 100);
    if (pax?.linkpath !== undefined) linkName = pax.linkpath;
    this.pending = {};
    const type = typeOf(flag);
    const entry: TarEntry = { rawName: name, path: normaliseTarPath(name), type, size: type === 'file' ? size : 0, mode: numeric(h, 100, 8), linkName };
    this.entries++;
    this.sink = this.onEntry(entry);
    if (size === 0) this.endEntry();
  }
}
