// A reader of rpm's "ndb" package database (`Packages.db`, SUSE Linux Enterprise 15 and openSUSE):
// a little-endian file of 4096-byte pages. The header (magic `RpmP`, version 0, generation, the
// number of slot pages, the next package index) takes the first 32 bytes; the rest of the slot
// pages are 16-byte slots (magic `Slot`, package index, offset and length in 16-byte blocks; index
// 0 = free). A slot's blocks hold a blob: a head (magic `BlbS`, package index, generation, length),
// the rpm header, and at the end of the blocks a tail (checksum, length, magic `BlbE`). Every
// offset and length is checked against the file and against the slot; a bad blob is skipped and
// named, the others are read.

export class NdbError extends Error {}

const MAGIC_DB = 0x506d7052; // 'RpmP'
const MAGIC_SLOT = 0x746f6c53; // 'Slot'
const MAGIC_HEAD = 0x53626c42; // 'BlbS'
const MAGIC_TAIL = 0x45626c42; // 'BlbE'
const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;
const HEAD = 16;
const TAIL = 12;

export interface NdbRead {
  blobs: { id: number; blob: Buffer }[];
  errors: string[];
}

export function readNdb(data: Buffer): NdbRead {
  if (data.length < PAGE || data.readUInt32LE(0) !== MAGIC_DB) throw new NdbError('not an rpm ndb database (bad magic)');
  if (data.readUInt32LE(4) !== 0) throw new NdbError(`ndb version ${data.readUInt32LE(4)} is not supported`);
  const slotPages = data.readUInt32LE(12);
  if (slotPages < 1 || slotPages * PAGE > data.length) throw new NdbError(`${slotPages} slot pages do not fit in the file`);
  const blobs: NdbRead['blobs'] = [];
  const errors: string[] = [];
  const say = (s: string): void => {
    if (errors.length < 20) errors.push(s);
  };
  // the header takes the first two slots
  for (let at = 32; at + SLOT <= slotPages * PAGE; at += SLOT) {
    if (data.readUInt32LE(at) !== MAGIC_SLOT) throw new NdbError(`slot at ${at} has no slot magic: the slot table is corrupt`);
    const id = data.readUInt32LE(at + 4);
    if (id === 0) continue;
    const off = data.readUInt32LE(at + 8) * BLOCK;
    const len = data.readUInt32LE(at + 12) * BLOCK;
    if (off < slotPages * PAGE || len < HEAD + TAIL || off + len > data.length) {
      say(`package ${id}: its blocks (${off}, ${len} bytes) are outside the data area`);
      continue;
    }
    if (data.readUInt32LE(off) !== MAGIC_HEAD || data.readUInt32LE(off + 4) !== id) {
      say(`package ${id}: no blob head where its slot points`);
      continue;
    }
    const blobLen = data.readUInt32LE(off + 12);
    const tail = off + len - TAIL;
    if (HEAD + blobLen > len - TAIL || data.readUInt32LE(tail + 8) !== MAGIC_TAIL || data.readUInt32LE(tail + 4) !== blobLen) {
      say(`package ${id}: its blob of ${blobLen} bytes does not fit its ${len}-byte slot or has no tail`);
      continue;
    }
    blobs.push({ id, blob: data.subarray(off + HEAD, off + HEAD + blobLen) });
  }
  blobs.sort((a, b) => a.id - b.id);
  return { blobs, errors };
}
