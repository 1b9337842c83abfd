// Parse workers: batches of files are read and transcoded on other threads while the main thread
// turns finished batches into objects, in input order.

import { Worker } from 'node:worker_threads';
import type { BatchResult } from './parse-batch.js';
import type { BatchRequest } from './parse-worker.js';

/** Batches a worker holds at once: enough that it never idles while the main thread is busy (a GC pause, a batch of objects). */
const IN_FLIGHT_PER_WORKER = 8;

interface BatchReply {
  batch: number;
  result: BatchResult;
}

/**
 * Transcode `batches` on `threads` workers; `use` sees every batch's result in order, on this
 * thread, as soon as it and the batches before it are done.
 */
export function transcodeOnWorkers(batches: readonly string[][], threads: number, use: (result: BatchResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const done = new Map<number, BatchResult>();
    let sent = 0;
    let used = 0;
    let failed = false;
    const finish = (error?: unknown): void => {
      for (const w of workers) void w.terminate();
      if (error !== undefined) reject(error);
      else resolve();
    };
    const send = (w: Worker): void => {
      if (sent >= batches.length) return;
      const request: BatchRequest = { batch: sent, paths: batches[sent] };
      sent++;
      w.postMessage(request);
    };
    for (let i = 0; i < Math.min(threads, batches.length); i++) {
      const w = new Worker(new URL('./parse-worker.js', import.meta.url));
      workers.push(w);
      w.on('message', (reply: BatchReply) => {
        if (failed) return;
        done.set(reply.batch, reply.result);
        send(w);
        try {
          for (let r = done.get(used); r !== undefined; r = done.get(used)) {
            done.delete(used);
            used++;
            use(r);
          }
        } catch (e) {
          failed = true;
          finish(e);
          return;
        }
        if (used === batches.length) finish();
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        finish(e);
      });
      for (let k = 0; k < IN_FLIGHT_PER_WORKER; k++) send(w);
    }
    if (batches.length === 0) finish();
  });
}
