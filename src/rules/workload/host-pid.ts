import { defineRule } from '../../core/rule.js';
import { podFlag } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';
import { evidence, runningNow } from '../running-now.js';

export default defineRule({
  meta: {
    id: 'KM-WL-002',
    title: 'Host PID namespace shared',
    severity: 'high',
    door: 'workload',
    description:
      'With `hostPID: true` the pod sees every process on the node: it can read their command lines and environment (tokens and passwords passed as variables), signal or kill them, ' +
      'and, with root or SYS_PTRACE, attach to them and reach their files through /proc/<pid>/root. It is one step from owning the node.',
    remediation: 'Remove `hostPID: true` (or set it to false). Node monitoring agents that need it belong in a dedicated, locked-down namespace; everything else should see only its own processes.',
    references: [DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.3'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost, MITRE.containerAndResourceDiscovery], pss: [PSS.hostNamespaces] },
    messages: { hostPID: "{{resource}} shares the node's process namespace (hostPID)" },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: ops}
spec:
  hostPID: true
  containers:
    - {name: shell, image: "busybox:1.36"}`,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: sweep, namespace: ops}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          hostPID: "true"
          restartPolicy: Never
          containers:
            - {name: sweep, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      hostPID: false
      shareProcessNamespace: true
      containers:
        - {name: web, image: "nginx:1.27"}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        if (podFlag(pod, 'hostPID') === true) context.report({ node: pod, messageId: 'hostPID', at: ['hostPID'], evidence: evidence('hostPID: true', runningNow(context.inventory, pod.object)), ...purposeWeighing(context, pod, { kind: 'rule', rule: 'KM-WL-002' }) });
      },
    };
  },
});
