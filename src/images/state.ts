// What each tag resolved to at the last scan, so that a tag that now names another manifest is
// noticed (KM-IM-005). One small JSON file; written after each scan.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';

export interface SeenDigest {
  digest: string;
  at: string;
}

export type SeenState = Record<string, SeenDigest>;

export function defaultStateFile(): string {
  const cache = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME !== '' ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'kubemoat', 'images-seen.json');
}

export function loadState(file: string): SeenState {
  if (!existsSync(file)) return {};
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as SeenState) : {};
  } catch {
    // a damaged state file only costs the tag-change check once; it is rewritten after the scan
    return {};
  }
}

export function saveState(file: string, state: SeenState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n');
  renameSync(tmp, file);
}
