// `kubemoat history`: the runs recorded in the store, with their counts and what was new and fixed
// in each, and trends per severity, namespace or rule.

import { Command, Option } from 'commander';
import { SEVERITIES, type Severity } from '../core/finding.js';
import { readHistory, TREND_KEYS, type TrendBy } from '../store/history.js';
import { RUN_KINDS, type RunKind } from '../store/store.js';
import { renderRuns, renderTrend } from '../report/history.js';
import { UsageError } from './exit.js';
import { addStoreOption, openStoreToRead, type StoreFlags } from './store-options.js';
import { emit, outputOption } from './output.js';

interface HistoryFlags extends StoreFlags {
  output?: string;
  kind?: RunKind;
  scope?: string;
  since?: string;
  by?: TrendBy;
  severity: Severity;
  limit: string;
  format: 'table' | 'json';
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--since`: a duration back from now (`90m`, `12h`, `7d`, `2w`) or a date or time (`2025-06-01`, ISO 8601). */
export function parseSince(text: string, now: Date): string {
  const duration = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new UsageError(`--since ${JSON.stringify(text)}: give a duration back from now (90m, 12h, 7d, 2w) or a date (2025-06-01, or an ISO 8601 time)`);
}

export function historyCommand(): Command {
  return addStoreOption(new Command('history'), 'read the runs from').description('list the runs recorded in the history store: counts per severity, new and fixed per run, and trends per severity, namespace or rule')
    .addOption(new Option('--kind <kind>', 'only runs of this command').choices(RUN_KINDS))
    .option('--scope <text>', 'only runs whose scope (paths, cluster, node, targets…) contains this text')
    .option('--since <when>', 'only runs started since: a duration back from now (90m, 12h, 7d, 2w) or a date (2025-06-01)')
    .addOption(new Option('--by <key>', 'also a trend of the counts per severity, namespace or rule, run by run').choices(TREND_KEYS))
    .addOption(new Option('-s, --severity <level>', 'with --by: lowest severity counted').choices(SEVERITIES).default('info'))
    .option('--limit <n>', 'the newest this many runs at most', '50')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(outputOption())
    .action(async (flags: HistoryFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit needs a whole number of runs, 1 or more (got ${JSON.stringify(flags.limit)})`);
      const since = flags.since === undefined ? undefined : parseSince(flags.since, new Date());
      const store = await openStoreToRead(flags, 'history');
      try {
        const view = await readHistory(store, { kind: flags.kind, scopeContains: flags.scope, since, limit }, flags.by ? { by: flags.by, minimum: flags.severity } : undefined);
        emit(flags.format === 'json' ? JSON.stringify({ store: store.name, ...view }, null, 2) + '\n' : renderRuns(view.runs) + (view.trend ? `\n${renderTrend(view.trend)}` : ''), flags.output);
      } finally {
        await store.close();
      }
    });
}
