// `kubemoat diff RUN_A RUN_B`: what is new, fixed, still open and suppressed in B against A.

import { Command, Option } from 'commander';
import { formatRunRef, parseRunRef, type RunRef } from '../store/refs.js';
import { RUN_KINDS, type HistoryStore, type RunFilter, type RunKind, type RunRecord } from '../store/store.js';
import { renderDiff } from '../report/history.js';
import { UsageError } from './exit.js';
import { addStoreOption, openStoreToRead, type StoreFlags } from './store-options.js';
import { emit, outputOption } from './output.js';

interface DiffFlags extends StoreFlags {
  output?: string;
  kind?: RunKind;
  scope?: string;
  all?: boolean;
  format: 'table' | 'json';
}

function refOf(text: string): RunRef {
  const ref = parseRunRef(text);
  if (ref === undefined) throw new UsageError(`diff: ${JSON.stringify(text)} is not a run: give a run id (see \`kubemoat history\`), latest, or latest~N`);
  return ref;
}

/**
 * Both runs. `latest` counts finished runs of one series: the series of the run given by id, else
 * of the newest run matching --kind/--scope, so `diff latest~1 latest` compares a run with the one
 * before it of the same kind and scope.
 */
async function resolvePair(store: HistoryStore, refs: [RunRef, RunRef], filter: RunFilter): Promise<[RunRecord, RunRecord]> {
  const byId = refs.find((r) => r.type === 'id');
  const anchor = await store.resolve(byId ?? { type: 'latest', back: 0 }, filter);
  if (anchor === undefined) throw new UsageError(`diff: ${store.name} has no finished run${filter.kind ? ` of kind ${filter.kind}` : ''}${filter.scopeContains ? ` with scope containing ${JSON.stringify(filter.scopeContains)}` : ''}`);
  const series: RunFilter = { kind: anchor.kind, scope: anchor.scope };
  const resolveOne = async (ref: RunRef): Promise<RunRecord> => {
    const run = await store.resolve(ref, series);
    if (run === undefined) throw new UsageError(`diff: ${store.name} has no run ${formatRunRef(ref)} of ${anchor.kind} ${anchor.scope}`);
    return run;
  };
  return [await resolveOne(refs[0]), await resolveOne(refs[1])];
}

export function diffCommand(): Command {
  return addStoreOption(new Command('diff'), 'read the runs from').description('compare two recorded runs: findings new in RUN_B, fixed since RUN_A, still open, and suppressed')
    .argument('<runA>', 'the earlier run: an id, latest, or latest~N')
    .argument('<runB>', 'the later run: an id, latest, or latest~N')
    .addOption(new Option('--kind <kind>', 'latest means the newest run of this command').choices(RUN_KINDS))
    .option('--scope <text>', 'latest means the newest run whose scope contains this text')
    .option('--all', 'table: list the findings still open and suppressed too, not only their number')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(outputOption())
    .action(async (a: string, b: string, flags: DiffFlags) => {
      const refs: [RunRef, RunRef] = [refOf(a), refOf(b)];
      const store = await openStoreToRead(flags, 'diff');
      try {
        const [from, to] = await resolvePair(store, refs, { kind: flags.kind, scopeContains: flags.scope });
        const diff = await store.diff(from, to);
        emit(flags.format === 'json' ? JSON.stringify({ store: store.name, ...diff }, null, 2) + '\n' : renderDiff(diff, flags.all === true), flags.output);
      } finally {
        await store.close();
      }
    });
}
