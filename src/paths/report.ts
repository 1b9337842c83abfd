// The parts of the paths report computed from its paths: version and summary.

import type { AttackPath, PathsSummary } from './model.js';

/** Raised when a field of the paths report is removed or changes meaning; a field added keeps it. */
export const PATHS_SCHEMA_VERSION = '1';

export function pathsSummary(paths: readonly AttackPath[], stats: { vertices: number; edges: number; findingsUsed: number }): PathsSummary {
  const byEntry: PathsSummary['byEntry'] = {};
  const byAsset: PathsSummary['byAsset'] = {};
  const pairs = new Set<string>();
  for (const p of paths) {
    byEntry[p.from] = (byEntry[p.from] ?? 0) + 1;
    byAsset[p.to] = (byAsset[p.to] ?? 0) + 1;
    pairs.add(`${p.from}>${p.to}`);
  }
  return { vertices: stats.vertices, edges: stats.edges, paths: paths.length, pairs: pairs.size, byEntry, byAsset, findingsUsed: stats.findingsUsed };
}
