import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { APP, child, entrypoint } from './examples.js';

// Learned per workload container by `--learn`; quiet while learning and without a baseline.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-016',
    title: 'Program the workload never ran while its baseline was learned',
    severity: 'medium',
    description: 'A container ran a program that its workload did not run during the learning window (`--learn`). Workloads run the same few programs day after day; a new one is an intruder\'s tool, a dropped payload, or a change to review. The baseline is YAML in the state directory and can be edited.',
    response: 'Check whether a release changed the workload. If not, find how the program got there (the exec or drift alerts around it). If it is expected, add it to the workload\'s baseline file.',
    mitre: ['T1059', 'T1204'],
    references: ['https://attack.mitre.org/techniques/T1059/'],
    repeatWindowSec: 3600,
  },
  on: ['exec', 'process'],
  create: () => (e, view) => {
    if ((e.kind !== 'exec' && e.kind !== 'process') || !e.container) return undefined;
    const b = view.baseline(e);
    // by program name: /proc shows a busybox applet as /bin/busybox, its exec as /bin/sleep; a strange
    // path for a known name is KM-RT-009's
    const program = view.process(e.pid)?.program ?? e.comm;
    if (b?.state !== 'enforcing' || b.executables.has(program)) return undefined;
    return { message: `${program} (\`${commandLine(e.argv)}\`) ran in ${where(e.container)}; its workload's baseline never ran it`, details: { ...containerDetails(e.container), program, binary: e.binary } };
  },
  examples: {
    // the examples run with a 1 s learning window
    trigger: [[entrypoint(APP, ['sleep', '1d'], { binary: '/bin/sleep' }), child(APP, ['date'], { time: 10, binary: '/bin/date' }), child(APP, ['wget', 'http://10.77.1.10/x'], { time: 5_000, binary: '/bin/wget', pid: 28300 })]],
    ignore: [
      [entrypoint(APP, ['sleep', '1d'], { binary: '/bin/sleep' }), child(APP, ['date'], { time: 10, binary: '/bin/date' }), child(APP, ['date'], { time: 5_000, binary: '/bin/date', pid: 28301 })],
      // still learning: nothing is new yet
      [entrypoint(APP, ['sleep', '1d'], { binary: '/bin/sleep' }), child(APP, ['wget', 'http://10.77.1.10/x'], { time: 200, binary: '/bin/wget' })],
    ],
  },
});
