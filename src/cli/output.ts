// Picking and writing a reporter: shared by every command that produces a report.

import { closeSync, openSync, writeSync } from 'node:fs';
import { Option } from 'commander';
import type { Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';
import { renderJsonChunks } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderSarif } from '../report/sarif.js';
import { DEFAULT_WIDTH, renderTable } from '../report/table.js';
import { UsageError } from './exit.js';

export const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/** The rendered report as pieces to write in order (JSON is produced in chunks of bytes). */
export function render(report: Report, format: Format, rules: readonly Pick<Rule, 'meta'>[], colour: boolean, width: number = DEFAULT_WIDTH): Iterable<string | Uint8Array> {
  switch (format) {
    case 'table':
      return [renderTable(report, { colour, width })];
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
  // a terminal that says it understands no escape sequences gets none
  if (process.env.TERM === 'dumb') return false;
  return process.stdout.isTTY === true;
}

/**
 * Columns the table may take: the terminal's when stdout is one, else $COLUMNS (as `COLUMNS=120
 * kubemoat scan … | less` asks), else 80. A report written to a file is 80 wide unless $COLUMNS says.
 */
export function tableWidth(outputFile: string | undefined, env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean; columns?: number } = process.stdout): number {
  if (outputFile === undefined && stdout.isTTY === true && stdout.columns !== undefined && stdout.columns > 0) return stdout.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
}

const WRITE_BATCH_CHARS = 1 << 20;

/** Names that are a format, not a file: `-o json` was meant as `-f json`. */
const FORMAT_WORDS = new Set<string>([...FORMATS, 'text', 'markdown', 'yaml', 'html']);

const OPEN_FAILURE: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of its path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** Open the report's file for writing, or say in one line why it cannot be. */
export function openOutput(file: string): number {
  if (FORMAT_WORDS.has(file)) process.stderr.write(`kubemoat: warning: writing the report to a file named "${file}"; -o names the file, -f (--format) the format\n`);
  try {
    return openSync(file, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new UsageError(`-o ${file}: cannot write the report: ${OPEN_FAILURE[code] ?? (e as Error).message}`);
  }
}

/** `-o, --output FILE` for the commands that print an answer rather than a report (who-can, can, history, diff, rules). */
export function outputOption(): Option {
  return new Option('-o, --output <file>', 'write to a file instead of stdout');
}

/** An answer written piece by piece, then to stdout or the -o file at once (the file is opened once, and not at all if the command fails first). */
export class OutputText {
  private readonly parts: string[] = [];

  write(text: string): void {
    this.parts.push(text);
  }

  flush(outputFile: string | undefined): void {
    emit(this.parts.join(''), outputFile);
    this.parts.length = 0;
  }
}

/** Write text, or pieces of text and bytes (small text batched into writes of about a megabyte), to stdout or a file. */
export function emit(text: string | Iterable<string | Uint8Array>, outputFile: string | undefined): void {
  const fd = outputFile === undefined ? undefined : openOutput(outputFile);
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
