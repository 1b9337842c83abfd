import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { APP, PRIVILEGED, WEB, child, syscall } from './examples.js';

// runc's own init (comm `runc:[…]`) joins namespaces and mounts while it builds a container; every
// other process that does so from inside a container is leaving it.
const RUNC_INIT = /^runc:/;

function nsenterTarget(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '-t' || a === '--target') && argv[i + 1] !== undefined) return argv[i + 1];
    const m = /^(?:-t|--target=)(\d+)$/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-010',
    title: 'Container escape attempt (namespaces, mounts, kernel modules)',
    severity: 'critical',
    description: 'A process in a container tried to leave it: entered another process\'s namespaces (`nsenter -t 1`, setns), mounted a file system (the node\'s disk from a privileged pod), or loaded a kernel module. From there the node, every pod on it and the kubelet\'s credentials are the attacker\'s.',
    response: 'Treat the node as compromised: cordon and drain it, capture the pod, and rebuild the node. Remove privileged, hostPID and SYS_ADMIN from workloads that do not need them, and enforce the Pod Security "restricted" or "baseline" level.',
    mitre: ['T1611'],
    references: ['https://attack.mitre.org/techniques/T1611/', 'https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
    repeatWindowSec: 60,
  },
  on: ['exec', 'syscall'],
  create: () => (e, view) => {
    if (!e.container || RUNC_INIT.test(e.comm)) return undefined;
    if (e.kind === 'exec') {
      const p = view.process(e.pid);
      if (p?.program !== 'nsenter') return undefined;
      const target = nsenterTarget(e.argv);
      if (target === undefined) return undefined;
      return { message: `\`${commandLine(e.argv)}\` in ${where(e.container)} enters the namespaces of process ${target}${target === '1' ? ' (the node\'s init: the host)' : ''}`, details: { ...containerDetails(e.container), target } };
    }
    if (e.kind !== 'syscall') return undefined;
    switch (e.call) {
      case 'setns':
        return { message: `${e.comm} in ${where(e.container)} joined another namespace (setns)`, details: { ...containerDetails(e.container), call: 'setns', flags: e.detail } };
      case 'mount': {
        const device = e.detail.split(' ')[0] ?? '';
        const hostDisk = device.startsWith('/dev/') && !device.startsWith('/dev/pts') && !device.startsWith('/dev/mqueue');
        return { message: `${e.comm} in ${where(e.container)} mounted ${e.detail}${hostDisk ? ' (a block device: the node\'s disk)' : ''}`, details: { ...containerDetails(e.container), call: 'mount', mount: e.detail }, ...(hostDisk ? {} : { severity: 'high' as const }) };
      }
      case 'init_module':
      case 'finit_module':
        return { message: `${e.comm} in ${where(e.container)} loaded a kernel module (${e.call})`, details: { ...containerDetails(e.container), call: e.call } };
      default:
        return undefined;
    }
  },
  examples: {
    trigger: [child(PRIVILEGED, ['nsenter', '-t', '1', '-m', '-u', '-i', '-n', 'sh']), syscall(PRIVILEGED, 'mount', '/dev/vda1 type=ext4', { comm: 'mount' }), syscall(PRIVILEGED, 'setns', '0', { comm: 'nsenter' })],
    ignore: [syscall(APP, 'mount', 'proc type=proc', { comm: 'runc:[2:INIT]' }), child(WEB, ['nsenter', '--help'])],
  },
});
