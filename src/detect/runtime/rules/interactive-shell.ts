import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { SHELLS } from '../programs.js';
import { APP, child, entrypoint, exec } from './examples.js';

// A terminal on a shell's stdin is a person typing in the container; scripts (`sh -c …`, a pipe
// on stdin) are not, and raise nothing here.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-002',
    title: 'Interactive shell in a container',
    severity: 'medium',
    description: 'A shell started in a container with a terminal on its input: someone is typing commands inside a workload. Containers in production rarely need a person at a shell; attackers who got in through exec or a kubelet open one first.',
    response: 'Find who opened it (the exec alert before it, or the audit log). If it was not an expected debugging session, treat the container as compromised: capture it, rotate what it could reach, and redeploy.',
    mitre: ['T1059.004'],
    references: ['https://attack.mitre.org/techniques/T1059/004/'],
    repeatWindowSec: 60,
  },
  on: ['exec'],
  create: () => (e, view) => {
    if (e.kind !== 'exec' || !e.container) return undefined;
    const p = view.process(e.pid);
    if (!p || !SHELLS.has(p.program) || e.argv.includes('-c')) return undefined;
    if (e.stdin !== 'tty' && !(e.argv.includes('-i') && e.stdin !== 'pipe')) return undefined;
    return { message: `interactive shell \`${commandLine(e.argv)}\` in ${where(e.container)}`, details: { ...containerDetails(e.container), shell: p.program } };
  },
  examples: {
    trigger: [exec(APP, ['sh'], { stdin: 'tty', stdout: 'tty' }), exec(APP, ['/bin/bash', '-i'], { stdin: 'tty', stdout: 'tty', binary: '/bin/bash' })],
    ignore: [exec(APP, ['sh', '-c', 'id'], { stdin: 'pipe' }), entrypoint(APP, ['sh', '-c', 'sleep 1d'], { stdin: 'none' }), child(APP, ['sh'], { stdin: 'pipe' })],
  },
});
