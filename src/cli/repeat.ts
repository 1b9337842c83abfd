// `--every` and `--metrics` for the posture commands (cluster, node, probe): run once, or run on a
// schedule inside a long-lived pod (the chart's DaemonSet) and serve the latest findings as
// Prometheus metrics. A failed run is reported and counted, and the schedule goes on.

import type { Command } from 'commander';
import type { Report } from '../core/report.js';
import { parseListen } from '../sources/audit/webhook.js';
import { PostureMetrics, type PostureCommand, type RunOutcome } from '../report/posture-metrics.js';
import { serveMetrics } from '../report/prometheus.js';
import { durationMs } from './flag-values.js';
import { EXIT_OK, UsageError } from './exit.js';

export interface RepeatFlags {
  every?: string;
  metrics?: string;
}

/** What one run produced: the report (already written by the command) and whether part of the target was unreadable. */
export interface PostureRun {
  report: Report;
  incomplete: boolean;
}

export function addRepeatOptions(cmd: Command): Command {
  return cmd
    .option('--every <duration>', 'run again on this schedule (30s, 10m, 6h) until stopped by SIGTERM or SIGINT; each run writes its report')
    .option('--metrics <addr>', 'with --every: serve Prometheus metrics of the latest run on host:port (/metrics)');
}

interface Schedule {
  everyMs: number;
  metrics?: { host: string; port: number };
}

function scheduleOf(flags: RepeatFlags): Schedule | undefined {
  if (flags.every === undefined) {
    if (flags.metrics !== undefined) throw new UsageError('--metrics needs --every: a single run ends before anything could read its metrics');
    return undefined;
  }
  const everyMs = durationMs(flags.every, '--every');
  if (flags.metrics === undefined) return { everyMs };
  const metrics = parseListen(flags.metrics);
  if (!metrics) throw new UsageError(`--metrics ${flags.metrics}: expected host:port`);
  return { everyMs, metrics };
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

async function timed(once: () => Promise<PostureRun>): Promise<RunOutcome> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  try {
    const run = await once();
    return { status: run.incomplete ? 'incomplete' : 'complete', report: run.report, seconds: seconds(), finishedAt: new Date() };
  } catch (e) {
    return { status: 'failed', error: e instanceof Error ? e.message : String(e), seconds: seconds(), finishedAt: new Date() };
  }
}

/** Run `once`, or, with --every, run it on the schedule until SIGTERM/SIGINT. */
export async function runPosture(command: PostureCommand, flags: RepeatFlags, once: () => Promise<PostureRun>): Promise<void> {
  const schedule = scheduleOf(flags);
  if (!schedule) {
    await once();
    return;
  }
  const metrics = new PostureMetrics(command);
  const server = schedule.metrics ? await serveMetrics(schedule.metrics.host, schedule.metrics.port, () => metrics.render()) : undefined;
  if (server) process.stderr.write(`kubemoat: metrics on http://${server.address}/metrics\n`);
  const stop = new AbortController();
  const onSignal = (): void => {
    // A second signal while the current run finishes: leave at once.
    if (stop.signal.aborted) process.exit(EXIT_OK);
    process.stderr.write(`kubemoat: ${command}: stopping after the current run\n`);
    stop.abort();
  };
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  try {
    for (let n = 1; !stop.signal.aborted; n++) {
      const startedAt = performance.now();
      const outcome = await timed(once);
      metrics.record(outcome);
      if (outcome.status === 'failed') process.stderr.write(`kubemoat: ${command}: run ${n} failed: ${outcome.error}\n`);
      await pause(Math.max(0, schedule.everyMs - (performance.now() - startedAt)), stop.signal);
    }
  } finally {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    await server?.close();
  }
  // The schedule was stopped on purpose; the last run's findings are in its report and metrics.
  process.exitCode = EXIT_OK;
}
