// Picking and writing a reporter: shared by every command that produces a report.

import { writeFileSync } from 'node:fs';
import type { Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderSarif } from '../report/sarif.js';
import { renderTable } from '../report/table.js';

export const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export function render(report: Report, format: Format, rules: readonly Rule[], colour: boolean): string {
  switch (format) {
    case 'table':
      return renderTable(report, { colour });
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, rules);
    case 'junit':
      return renderJunit(report, rules);
  }
}

export function useColour(outputFile: string | undefined): boolean {
  if (outputFile !== undefined) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return process.stdout.isTTY === true;
}

export function emit(text: string, outputFile: string | undefined): void {
  if (outputFile === undefined) process.stdout.write(text);
  else writeFileSync(outputFile, text);
}
