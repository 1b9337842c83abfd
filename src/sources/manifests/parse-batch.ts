// Reading and transcoding a batch of manifest files: what a parse worker does, and what the main
// thread does itself when there are too few files to be worth a worker. The result holds no
// JavaScript objects but the full parser's rare values, so it crosses threads as two transferred
// buffers (JSON text and position tapes).

import { readFileSync, statSync } from 'node:fs';
import { transcodeManifest, type TranscodedFile } from './documents.js';
import { JsonSink } from './json-sink.js';
import { TapeWriter } from './positions.js';

/** V8 cannot hold a string much larger than this; a larger file is reported, not read. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024 - 1;
const BINARY_SNIFF_BYTES = 8000;

export type FileResult =
  /** `templated`: the text holds `{{`, worth a hint when it does not parse */
  | { type: 'parsed'; file: TranscodedFile; templated: boolean }
  | { type: 'binary' }
  /** the file could not be read at all */
  | { type: 'unreadable'; reason: string };

export interface BatchResult {
  results: FileResult[];
  /** the JSON text of every parsed file, each at its `jsonStart` */
  json: Uint8Array;
  /** the position tapes of every document, each at its `tapeStart` (in entries) */
  tape: Uint32Array;
}

export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES') return 'permission denied';
  return err.message ?? String(e);
}

function readManifest(path: string, sink: JsonSink, tape: TapeWriter): FileResult {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) {
      return { type: 'unreadable', reason: `file is ${Math.round(size / 1048576)} MiB, more than the ${Math.round(MAX_FILE_BYTES / 1048576)} MiB kubemoat reads from one file; split it` };
    }
    bytes = readFileSync(path);
  } catch (e) {
    return { type: 'unreadable', reason: `cannot read: ${errnoText(e)}` };
  }
  return transcodeBytes(bytes, sink, tape);
}

function transcodeBytes(bytes: Buffer, sink: JsonSink, tape: TapeWriter): FileResult {
  const sniff = bytes.length > BINARY_SNIFF_BYTES ? bytes.subarray(0, BINARY_SNIFF_BYTES) : bytes;
  if (sniff.includes(0)) return { type: 'binary' };
  const file = transcodeManifest(bytes, sink, tape);
  const templated = file.problems.some((p) => p.severity === 'error') && bytes.includes('{{');
  return { type: 'parsed', file, templated };
}

/** Reused by every batch of this thread: the result is copied out of them. */
const sink = new JsonSink();
const tape = new TapeWriter();

/** Read and transcode files, in order, into one JSON text and one tape. */
export function transcodeFiles(paths: readonly string[]): BatchResult {
  sink.len = 0;
  tape.truncate(0);
  const results = paths.map((p) => readManifest(p, sink, tape));
  return { results, json: sink.buf.slice(0, sink.len), tape: tape.slice(0, tape.count) };
}
