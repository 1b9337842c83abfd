import { defineRule } from '../../core/rule.js';
import { hostProcessFields } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-022',
    title: 'Windows HostProcess container',
    severity: 'critical',
    door: 'workload',
    description:
      "A Windows HostProcess container is not isolated at all: it runs as a process directly on the node, on the node's network, with the node's filesystem and, usually, as SYSTEM or an administrator. " +
      'Whoever controls it controls the Windows node. It is the Windows counterpart of a privileged container with every host namespace; the baseline Pod Security Standard forbids it. ' +
      'Reported once per pod, at the pod-level setting or else at the first container that asks for it (the host network such a pod must use is not reported again by KM-WL-004).',
    remediation: 'Remove `windowsOptions.hostProcess: true`. Node-management agents that need it belong in a dedicated namespace with the privileged Pod Security level and tight RBAC on who may create pods there.',
    references: [DOCS.windowsHostProcess, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.11'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost], pss: [PSS.hostProcess] },
    messages: { hostProcess: '{{resource}} runs Windows HostProcess containers, with full access to the node' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: win-agent, namespace: ops}
spec:
  selector: {matchLabels: {app: win-agent}}
  template:
    metadata: {labels: {app: win-agent}}
    spec:
      hostNetwork: true
      nodeSelector: {kubernetes.io/os: windows}
      securityContext:
        windowsOptions:
          hostProcess: true
          runAsUserName: "NT AUTHORITY\\\\SYSTEM"
      containers:
        - {name: agent, image: "registry.example.com/win-agent:1.0"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: per-container, namespace: ops}
spec:
  os: {name: windows}
  hostNetwork: true
  containers:
    - name: agent
      image: registry.example.com/win-agent:1.0
      securityContext:
        windowsOptions: {hostProcess: "true"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: iis, namespace: web}
spec:
  os: {name: windows}
  securityContext:
    windowsOptions: {hostProcess: false, runAsUserName: ContainerUser}
  containers:
    - {name: iis, image: "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022"}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        const fields = hostProcessFields(pod);
        if (fields.length === 0) return;
        context.report({ node: pod, messageId: 'hostProcess', at: fields[0], evidence: `windowsOptions.hostProcess: true (${fields.length} setting${fields.length === 1 ? '' : 's'})` });
      },
    };
  },
});
