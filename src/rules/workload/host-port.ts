import { defineRule } from '../../core/rule.js';
import { asArray, asNumber, asObject, asString } from '../../core/json.js';
import { podFlag } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-019',
    title: 'hostPort used',
    severity: 'medium',
    door: 'workload',
    description:
      "A hostPort opens the container on the node's own address: reachable by anything that can reach the node, outside the Service and load-balancer controls, " +
      'and often missed by NetworkPolicy, which many network plugins do not apply to host-port traffic. It also pins the pod to nodes where the port is free. ' +
      'Pods on the host network (KM-WL-004) already listen on the node and are not reported again.',
    remediation: 'Remove `hostPort` and expose the container through a Service (ClusterIP behind an Ingress, NodePort or LoadBalancer) so access goes through controlled paths.',
    references: [DOCS.hostPorts, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.13'], nsa: [NSA.podSecurity, NSA.networkPolicies], mitre: [MITRE.externalRemoteServices], pss: [PSS.hostPorts] },
    messages: { hostPort: '{{container}} in {{resource}} listens on host port {{port}} of its node' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: proxy, namespace: edge}
spec:
  selector: {matchLabels: {app: proxy}}
  template:
    metadata: {labels: {app: proxy}}
    spec:
      containers:
        - name: proxy
          image: registry.example.com/proxy:1.4
          ports:
            - {containerPort: 8080}
            - {containerPort: 443, hostPort: 443, protocol: TCP}`,
      `apiVersion: v1
kind: Pod
metadata: {name: str, namespace: edge}
spec:
  containers:
    - name: app
      image: busybox:1.36
      ports: [{containerPort: 53, hostPort: "53", protocol: UDP}]`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: edge}
spec:
  containers:
    - name: app
      image: busybox:1.36
      ports: [{containerPort: 8080, hostPort: 0}]`,
      `apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: edge}
spec:
  hostNetwork: true
  containers:
    - name: app
      image: busybox:1.36
      ports: [{containerPort: 9100, hostPort: 9100}]`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (podFlag(c.pod, 'hostNetwork') === true) return;
        asArray(c.container.ports).forEach((p, i) => {
          const port = asObject(p);
          const hostPort = asNumber(port?.hostPort);
          if (hostPort === undefined || hostPort <= 0) return;
          const protocol = asString(port?.protocol) ?? 'TCP';
          context.report({
            node: c,
            messageId: 'hostPort',
            data: { port: `${hostPort}/${protocol}` },
            at: ['ports', i, 'hostPort'],
            evidence: `hostPort: ${hostPort}${asString(port?.hostIP) ? ` (hostIP ${asString(port?.hostIP)})` : ''}`,
            ...purposeWeighing(context, c.pod, { kind: 'rule', rule: 'KM-WL-019' }),
          });
        });
      },
    };
  },
});
