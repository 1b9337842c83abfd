import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { APP, PRIVILEGED, syscall } from './examples.js';

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-015',
    title: 'Process attached to another with ptrace in a container',
    severity: 'high',
    description: 'A process in a container attached to another process with ptrace (PTRACE_ATTACH or PTRACE_SEIZE). Debuggers do this; so does code injection into another process, and with hostPID into the node\'s own processes, to read their memory and secrets.',
    response: 'Check whether a debugging session was expected. If not, capture the container and remove SYS_PTRACE and hostPID from the workload.',
    mitre: ['T1055.008'],
    references: ['https://attack.mitre.org/techniques/T1055/008/'],
    repeatWindowSec: 60,
  },
  on: ['syscall'],
  create: () => (e) => {
    if (e.kind !== 'syscall' || e.call !== 'ptrace' || !e.container) return undefined;
    return { message: `${e.comm} in ${where(e.container)} attached to process ${e.detail} with ptrace`, details: { ...containerDetails(e.container), target: e.detail } };
  },
  examples: {
    trigger: [syscall(PRIVILEGED, 'ptrace', '1', { comm: 'gdb' })],
    ignore: [syscall(APP, 'setns', '0', { comm: 'sh' })],
  },
});
