import { defineRule } from '../../core/rule.js';
import { hostProcessFields, podFlag } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';
import { evidence, runningNow } from '../running-now.js';

export default defineRule({
  meta: {
    id: 'KM-WL-004',
    title: 'Host network namespace shared',
    severity: 'high',
    door: 'workload',
    description:
      "With `hostNetwork: true` the pod uses the node's network stack: it reaches services bound to the node's loopback (kubelet read-only port, etcd or the API server on control-plane nodes, local agents), " +
      'sniffs traffic of every pod on the node, binds any node port, and bypasses NetworkPolicy, which does not apply to host-network pods. ' +
      'It also reaches the cloud metadata endpoint (169.254.169.254) whatever the namespace\'s egress policies say; KM-NP-005 leaves that to this finding. ' +
      'Windows HostProcess pods must use the host network; KM-WL-022 reports them instead, so they are not counted twice.',
    remediation: 'Remove `hostNetwork: true`. Expose the workload through a Service (ClusterIP, NodePort or LoadBalancer) instead of the node\'s interfaces.',
    references: [DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.5'], nsa: [NSA.podSecurity, NSA.networkPolicies], mitre: [MITRE.escapeToHost, MITRE.networkServiceDiscovery], pss: [PSS.hostNamespaces] },
    notForControlPlane: true,
    messages: { hostNetwork: "{{resource}} uses the node's network namespace (hostNetwork): NetworkPolicy does not govern it, and it reaches whatever the node reaches, the cloud metadata endpoint included" },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: edge}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: proxy
          image: registry.example.com/proxy:1.4
          ports: [{containerPort: 443, hostPort: 443}]`,
      `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: sniffer, namespace: ops}
    spec:
      hostNetwork: "True"
      containers:
        - {name: tcpdump, image: "registry.example.com/tcpdump:4.99"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  hostNetwork: false
  containers:
    - {name: app, image: "busybox:1.36"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: win-agent, namespace: ops}
spec:
  os: {name: windows}
  hostNetwork: true
  securityContext:
    windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\\\SYSTEM"}
  containers:
    - {name: agent, image: "registry.example.com/win-agent:1.0"}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        if (podFlag(pod, 'hostNetwork') !== true) return;
        if (hostProcessFields(pod).length > 0) return; // KM-WL-022: a HostProcess pod is the whole node, network included
        context.report({ node: pod, messageId: 'hostNetwork', at: ['hostNetwork'], evidence: evidence('hostNetwork: true', runningNow(context.inventory, pod.object)), ...purposeWeighing(context, pod, { kind: 'rule', rule: 'KM-WL-004' }) });
      },
    };
  },
});
