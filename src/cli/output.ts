// Picking and writing a reporter: shared by every command that produces a report.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';
import { renderJsonChunks } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderSarif } from '../report/sarif.js';
import { renderTable } from '../report/table.js';

export const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/** The rendered report as pieces to write in order (JSON is produced in chunks of bytes). */
export function render(report: Report, format: Format, rules: readonly Pick<Rule, 'meta'>[], colour: boolean): Iterable<string | Uint8Array> {
  switch (format) {
    case 'table':
      return [renderTable(report, { colour })];
    case 'json':
      return renderJsonChunks(report);
    case 'sarif':
      return [renderSarif(report, rules)];
    case 'junit':
      return [renderJunit(report, rules)];
  }
}

export function useColour(outputFile: string | undefined): boolean {
  if (outputFile !== undefined) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return process.stdout.isTTY === true;
}

const WRITE_BATCH_CHARS = 1 << 20;

/** Write text, or pieces of text and bytes (small text batched into writes of about a megabyte), to stdout or a file. */
export function emit(text: string | Iterable<string | Uint8Array>, outputFile: string | undefined): void {
  const fd = outputFile === undefined ? undefined : openSync(outputFile, 'w');
  const write = (s: string | Uint8Array): void => {
    if (fd === undefined) process.stdout.write(s);
    else if (typeof s === 'string') writeSync(fd, s);
    else for (let off = 0; off < s.length; ) off += writeSync(fd, s, off);
  };
  try {
    if (typeof text === 'string') {
      write(text);
      return;
    }
    let batch: string[] = [];
    let size = 0;
    const flush = (): void => {
      if (batch.length > 0) write(batch.join(''));
      batch = [];
      size = 0;
    };
    for (const piece of text) {
      if (typeof piece !== 'string') {
        flush();
        write(piece);
        continue;
      }
      batch.push(piece);
      size += piece.length;
      if (size >= WRITE_BATCH_CHARS) flush();
    }
    flush();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
