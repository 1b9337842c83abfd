// The history store on the command line: `--store URL` (or $KUBEMOAT_STORE) on every command that
// produces findings or alerts, `--baseline REF` on scan and cluster, and the step after the rules
// that records a finished report and, with a baseline, hides what the baseline already had.

import type { Command } from 'commander';
import type { Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';
import { applyBaseline, baselineFromReportFile, type Baseline } from '../store/baseline.js';
import { StoreError } from '../store/errors.js';
import { describeRecorded, recordReport } from '../store/record.js';
import { formatRunRef, parseRunRef } from '../store/refs.js';
import { HistoryStore, type Series } from '../store/store.js';
import { UsageError } from './exit.js';
import { finishReport, type ReportFlags } from './report-options.js';

export const STORE_ENV = 'KUBEMOAT_STORE';

export interface StoreFlags {
  store?: string;
}

export interface BaselineFlags {
  baseline?: string;
}

const STORE_FORMS = `sqlite:PATH or a file path (SQLite), or postgres://USER@HOST/DB (default: $${STORE_ENV})`;

/** `--store`; `role` says what the command does with it. */
export function addStoreOption(cmd: Command, role = 'record this run in'): Command {
  return cmd.option('--store <url>', `${role} a history store: ${STORE_FORMS}`);
}

export function addBaselineOption(cmd: Command): Command {
  return cmd.option('--baseline <ref>', 'report (and fail on) only findings not in this baseline: a run in the store (an id, latest, latest~N) or a JSON report written by --format json');
}

function storeLocation(flags: StoreFlags): string | undefined {
  const env = process.env[STORE_ENV];
  return flags.store ?? (env !== undefined && env !== '' ? env : undefined);
}

export function storeNamed(flags: StoreFlags): boolean {
  return storeLocation(flags) !== undefined;
}

/** The store the flags or the environment name, open and migrated; undefined when none is named. */
export async function openStoreFor(flags: StoreFlags): Promise<HistoryStore | undefined> {
  const location = storeLocation(flags);
  return location === undefined ? undefined : HistoryStore.open(location, { create: true });
}

/** For the commands that only read history: the store must be named and must exist. */
export async function openStoreToRead(flags: StoreFlags, command: string): Promise<HistoryStore> {
  const location = storeLocation(flags);
  if (location === undefined) throw new UsageError(`${command} reads the history store: give --store URL or set ${STORE_ENV}`);
  return HistoryStore.open(location, { create: false });
}

/** Run `work` with the store the flags name (if any), closed afterwards whatever happens. */
export async function withStore<T>(flags: StoreFlags, work: (store: HistoryStore | undefined) => Promise<T>): Promise<T> {
  const store = await openStoreFor(flags);
  try {
    return await work(store);
  } finally {
    await store?.close();
  }
}

/**
 * The baseline `ref` names: a run of the store (`latest` is the newest finished run of the same
 * series) or a JSON report file. A `latest` the store does not have yet is an empty baseline
 * (a pipeline's first run), said on stderr.
 */
export async function loadBaseline(ref: string | undefined, store: HistoryStore | undefined, series: Series): Promise<Baseline | undefined> {
  if (ref === undefined) return undefined;
  const runRef = parseRunRef(ref);
  if (runRef === undefined) return baselineFromReportFile(ref);
  if (store === undefined) throw new UsageError(`--baseline ${ref} names a run in the history store: give --store URL (or set ${STORE_ENV}), or a JSON report file (./${ref} for a file of that name)`);
  const run = await store.resolve(runRef, { kind: series.kind, scope: series.scope });
  if (run === undefined) {
    process.stderr.write(`kubemoat: --baseline ${ref}: ${store.name} has no ${runRef.type === 'latest' && runRef.back > 0 ? `${formatRunRef(runRef)} ` : ''}finished ${series.kind} run of ${series.scope} yet; every finding is new\n`);
    return { label: ref, fingerprints: new Set() };
  }
  return { label: `run ${run.id}${runRef.type === 'latest' ? ` (${formatRunRef(runRef)})` : ''}`, fingerprints: await store.fingerprints(run.id) };
}

export interface Recording {
  store?: HistoryStore;
  series: Series;
  baseline?: Baseline;
}

/**
 * After the rules: record the whole report in the store, then report what the baseline lacks with
 * the exit code of finishReport. A store that fails does not change what is reported; it is said,
 * and the exit code is 2.
 */
export async function finishRecorded(report: Report, flags: ReportFlags, rules: readonly Pick<Rule, 'meta'>[], incomplete: boolean, recording: Recording): Promise<void> {
  let failure: StoreError | undefined;
  if (recording.store !== undefined) {
    try {
      const run = await recordReport(recording.store, recording.series, report, incomplete);
      process.stderr.write(`kubemoat: recorded ${describeRecorded(run)} in ${recording.store.name}\n`);
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      failure = e;
    }
  }
  const shown = recording.baseline ? applyBaseline(report, recording.baseline) : report;
  finishReport(shown, flags, rules, incomplete);
  if (recording.baseline) {
    process.stderr.write(`kubemoat: --baseline ${recording.baseline.label}: ${shown.summary.inBaseline ?? 0} finding(s) already in it not reported, ${shown.findings.length} new\n`);
  }
  if (failure !== undefined) throw failure;
}
