import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import type { WatchedPlace } from '../../../sources/runtime/event.js';
import { APP, PRIVILEGED, open } from './examples.js';

const WHAT: Partial<Record<WatchedPlace, string>> = {
  'static-pods': 'the kubelet\'s static pod directory: a pod it will run with no API server, audit or admission in the way',
  'host-etc': 'the node\'s /etc',
  'kernel-core-pattern': '/proc/sys/kernel/core_pattern: the kernel runs that program as root on the node at the next crash',
  'cgroup-release-agent': 'a cgroup release_agent: the kernel runs that program as root on the node',
  'kubelet-pods': 'the kubelet\'s pod directory (other pods\' volumes)',
};

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-011',
    title: 'Container wrote to the node\'s control files',
    severity: 'critical',
    description: 'A process in a container wrote into a file the node trusts: the kubelet\'s static pod directory (a pod that bypasses the API server), the node\'s /etc, the kernel\'s core_pattern, or a cgroup release_agent (both run a program as root on the node). These are the classic escapes from a privileged or host-mounting pod.',
    response: 'Look at what was written and remove it; treat the node as compromised (cordon, drain, rebuild). Take host mounts and privileged away from the workload, and make the static pod directory root-only.',
    mitre: ['T1611', 'T1543'],
    references: ['https://attack.mitre.org/techniques/T1611/', 'https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/'],
    repeatWindowSec: 60,
  },
  on: ['open'],
  create: () => (e) => {
    if (e.kind !== 'open' || !e.container || !e.write) return undefined;
    const what = WHAT[e.place];
    if (what === undefined) return undefined;
    return { message: `${e.comm} in ${where(e.container)} wrote ${e.path} in ${what}`, details: { ...containerDetails(e.container), file: e.path, place: e.place } };
  },
  examples: {
    trigger: [open(PRIVILEGED, 'static-pods', 'evil.yaml', { write: true, comm: 'sh' }), open(PRIVILEGED, 'kernel-core-pattern', 'core_pattern', { write: true }), open(PRIVILEGED, 'host-etc', 'crontab', { write: true })],
    ignore: [open(APP, 'static-pods', 'kube-apiserver.yaml', { write: false, comm: 'cat' }), open(APP, 'service-account-token', 'token', { write: false })],
  },
});
