import { defineRule } from '../../core/rule.js';
import { podFlag } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { evidence, runningNow } from '../running-now.js';

export default defineRule({
  meta: {
    id: 'KM-WL-003',
    title: 'Host IPC namespace shared',
    severity: 'high',
    door: 'workload',
    description:
      "With `hostIPC: true` the pod shares the node's System V IPC and POSIX shared memory: it can read and tamper with the shared memory segments and message queues of host processes and of other pods that use them, " +
      'leaking data and breaking the isolation a container is supposed to give.',
    remediation: 'Remove `hostIPC: true` (or set it to false). Containers of one pod that must share memory can do so through an `emptyDir` with `medium: Memory`.',
    references: [DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.4'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost], pss: [PSS.hostNamespaces] },
    messages: { hostIPC: "{{resource}} shares the node's IPC namespace (hostIPC)" },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shm-agent, namespace: ops}
spec:
  selector: {matchLabels: {app: shm}}
  template:
    metadata: {labels: {app: shm}}
    spec:
      hostIPC: true
      containers:
        - {name: agent, image: "registry.example.com/agent:2.1"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  hostIPC: false
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        if (podFlag(pod, 'hostIPC') === true) context.report({ node: pod, messageId: 'hostIPC', at: ['hostIPC'], evidence: evidence('hostIPC: true', runningNow(context.inventory, pod.object)) });
      },
    };
  },
});
