// Audit log files: read once, read a stream (stdin), or follow like `tail -F`. Following keeps the
// path, not the file: when the log is rotated (the path names a new inode) the rest of the old file
// is read first and then the new one from its start; when it is truncated (smaller than what was
// read) reading starts again from the top. A missing file is waited for.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { LineSplitter, type LineSink } from './lines.js';

const CHUNK = 1 << 20;

/** Feed a whole stream (a file, stdin) through the splitter; resolves at its end. */
export async function readStream(stream: Readable, sink: LineSink, maxLineChars: number): Promise<void> {
  const splitter = new LineSplitter(sink, maxLineChars);
  for await (const chunk of stream) splitter.push(chunk as Buffer);
  splitter.end();
}

export function readOnce(path: string, sink: LineSink, maxLineChars: number): Promise<void> {
  return readStream(createReadStream(path, { highWaterMark: CHUNK }), sink, maxLineChars);
}

export interface FollowOptions {
  /** read what the file holds already (default: start at its end, like `tail -F -n 0`) */
  fromStart: boolean;
  pollMs: number;
  maxLineChars: number;
  signal: AbortSignal;
  /** rotation, truncation, a missing file: said on stderr by the caller */
  note(message: string): void;
  /** called after each batch of reads reached the end of the file (the CLI flushes its sinks) */
  idle?(): void;
}

interface Opened {
  handle: FileHandle;
  ino: number;
  dev: number;
  position: number;
}

async function tryOpen(path: string): Promise<Opened | undefined> {
  try {
    const handle = await open(path, 'r');
    const s = await handle.stat();
    return { handle, ino: s.ino, dev: s.dev, position: 0 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Read from the file's current position to its end; returns how many bytes were read. */
async function drain(file: Opened, splitter: LineSplitter, buffer: Buffer): Promise<number> {
  let total = 0;
  for (;;) {
    const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, file.position);
    if (bytesRead === 0) return total;
    file.position += bytesRead;
    total += bytesRead;
    splitter.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
  }
}

/** Follow `path` until the signal aborts. */
export async function follow(path: string, sink: LineSink, opts: FollowOptions): Promise<void> {
  const splitter = new LineSplitter(sink, opts.maxLineChars);
  const buffer = Buffer.allocUnsafe(CHUNK);
  let file = await tryOpen(path);
  if (!file) opts.note(`${path}: does not exist yet; waiting for it`);
  else if (!opts.fromStart) file.position = (await file.handle.stat()).size;
  try {
    while (!opts.signal.aborted) {
      if (!file) {
        await sleep(opts.pollMs, opts.signal);
        file = await tryOpen(path);
        if (file) opts.note(`${path}: appeared; reading it from the start`);
        continue;
      }
      const read = await drain(file, splitter, buffer);
      if (read > 0) continue;
      opts.idle?.();
      await sleep(opts.pollMs, opts.signal);
      let now;
      try {
        now = await stat(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        now = undefined;
      }
      if (now && (now.ino !== file.ino || now.dev !== file.dev)) {
        // rotated: finish the old file (the writer may have added lines before renaming it)
        await drain(file, splitter, buffer);
        splitter.end();
        await file.handle.close();
        opts.note(`${path}: rotated; reading the new file from the start`);
        file = await tryOpen(path);
        continue;
      }
      if (now && now.size < file.position) {
        opts.note(`${path}: truncated; reading again from the start`);
        splitter.reset();
        file.position = 0;
      }
    }
  } finally {
    splitter.end();
    await file?.handle.close();
  }
}
