// A progress line on stderr for the commands that can be silent for tens of seconds (probe,
// cluster, images): one line rewritten in place, only on a terminal and without --no-progress, so
// pipelines, CI logs and tests see nothing of it.

import type { Command } from 'commander';

export interface ProgressState {
  /** what is being done: `probe`, `cluster: listing` */
  label: string;
  done: number;
  /** undefined while the total is unknown */
  total?: number;
  /** what `done` counts: ports, resource types, images */
  unit: string;
  /** the rate's unit, per second (default: `unit`) */
  rateUnit?: string;
  /** facts after the counts: `4 open`, `5230 objects` */
  details?: readonly string[];
}

export interface ProgressFlags {
  /** commander's `--no-progress` */
  progress: boolean;
}

export function addProgressOption(cmd: Command): Command {
  return cmd.option('--no-progress', 'no progress line on stderr (it is shown only when stderr is a terminal)');
}

function rateText(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** The line: `probe 45% 100/220 ports (50 probes/s), 4 open, ETA 3 s`. */
export function progressText(state: ProgressState, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const rate = state.done / seconds;
  const { total } = state;
  const counts = total === undefined ? `${state.done} ${state.unit}` : `${total > 0 ? Math.floor((Math.min(state.done, total) / total) * 100) : 100}% ${state.done}/${total} ${state.unit}`;
  const details = (state.details ?? []).map((d) => `, ${d}`).join('');
  const eta = total !== undefined && rate > 0 && state.done < total ? `, ETA ${Math.ceil((total - state.done) / rate)} s` : '';
  return `${state.label} ${counts} (${rateText(rate)} ${state.rateUnit ?? state.unit}/s)${details}${eta}`;
}

export interface ProgressLine {
  update(state: ProgressState): void;
  /** erase the line, before the report or an error is written */
  clear(): void;
}

interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

/** Redraws at most this often: a probe reports every port, and the terminal need not see each. */
const REDRAW_MS = 100;

const SILENT: ProgressLine = { update: () => {}, clear: () => {} };

/** A progress line on `stream` when `flags.progress` and the stream is a terminal; else one that writes nothing. */
export function progressLine(flags: ProgressFlags, stream: ProgressStream = process.stderr, now: () => number = () => performance.now()): ProgressLine {
  if (!flags.progress || stream.isTTY !== true) return SILENT;
  const started = now();
  let drawn = -Infinity;
  let shown = false;
  return {
    update(state) {
      const t = now();
      const finished = state.total !== undefined && state.done >= state.total;
      if (t - drawn < REDRAW_MS && !finished) return;
      drawn = t;
      // one column short of the width: a full line would wrap, and \r would then redraw only its end
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[K${progressText(state, t - started).slice(0, width)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
