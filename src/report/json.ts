// The JSON report, written in pieces: a scan of 100,000 resources has hundreds of thousands of
// findings, and one JSON string of them would cost as much memory as the inventory itself.
// The report is indented like `JSON.stringify(report, null, 2)` except that each finding is
// written compactly on a line of its own: pretty-printing every finding was a seventh of a scan's
// CPU, and one finding per line is what `grep` and `jq -c` users want anyway.

import type { Report } from '../core/report.js';

const STREAMED_ARRAYS = new Set<keyof Report>(['findings', 'suppressed']);

function indent(json: string, by: string): string {
  return json.replace(/\n/g, `\n${by}`);
}

export function* renderJsonChunks(report: Report): Generator<string> {
  const keys = (Object.keys(report) as (keyof Report)[]).filter((k) => report[k] !== undefined);
  yield '{\n';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const value = report[key];
    const tail = k < keys.length - 1 ? ',\n' : '\n';
    const head = `  ${JSON.stringify(key)}: `;
    if (STREAMED_ARRAYS.has(key) && Array.isArray(value) && value.length > 0) {
      yield `${head}[\n`;
      for (let i = 0; i < value.length; i++) {
        yield `    ${JSON.stringify(value[i])}${i < value.length - 1 ? ',\n' : '\n'}`;
      }
      yield `  ]${tail}`;
    } else {
      yield `${head}${indent(JSON.stringify(value, null, 2), '  ')}${tail}`;
    }
  }
  yield '}\n';
}

export function renderJson(report: Report): string {
  return [...renderJsonChunks(report)].join('');
}
