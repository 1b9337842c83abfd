// A parse worker: reads and transcodes the batches of files the main thread sends, and hands back
// each batch's JSON text and tapes as transferred buffers (no copy, no structured clone of objects).

import { parentPort } from 'node:worker_threads';
import { transcodeFiles } from './parse-batch.js';

export interface BatchRequest {
  batch: number;
  paths: string[];
}

parentPort?.on('message', (request: BatchRequest) => {
  const result = transcodeFiles(request.paths);
  parentPort?.postMessage({ batch: request.batch, result }, [result.json.buffer as ArrayBuffer, result.tape.buffer as ArrayBuffer]);
});
