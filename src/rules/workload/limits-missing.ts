import { defineRule } from '../../core/rule.js';
import { unboundedResources } from '../resources.js';
import { DOCS, MITRE, NSA } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-020',
    title: 'CPU or memory limit missing',
    severity: 'medium',
    door: 'workload',
    description:
      'A container without a CPU or memory limit can take the whole node. This is how cryptominers planted through an exposed kubelet or dashboard go unnoticed for weeks, and how one compromised pod starves its neighbours (denial of service).',
    remediation:
      'Set `resources.limits.cpu` and `resources.limits.memory` on every container, or give the namespace a LimitRange with `default` limits for type Container.',
    references: [DOCS.resources, DOCS.limitRange],
    frameworks: { nsa: [NSA.resourcePolicies], mitre: [MITRE.resourceHijacking, MITRE.endpointDenialOfService] },
    notForControlPlane: true,
    messages: { missing: '{{container}} in {{resource}} has no {{resources}} limit' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: miner, namespace: web}
spec:
  template:
    spec:
      containers:
        - name: worker
          image: registry.example.com/worker:1.0
          resources:
            requests: {cpu: 100m, memory: 64Mi}`,
      `apiVersion: v1
kind: LimitRange
metadata: {name: mem-only, namespace: web}
spec:
  limits:
    - type: Container
      default: {memory: 256Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: web}
spec:
  containers:
    - {name: c, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: bounded}
spec:
  containers:
    - name: c
      image: busybox:1.36
      resources:
        limits: {cpu: 500m, memory: 256Mi}`,
      `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: web}
spec:
  limits:
    - type: Container
      default: {cpu: 500m}
      max: {memory: 1Gi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: web}
spec:
  template:
    spec:
      containers:
        - {name: c, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const missing = unboundedResources(context.inventory, c, 'limits');
        if (missing.length === 0) return;
        context.report({ node: c, messageId: 'missing', data: { resources: missing.join(' or ') }, at: ['resources'] });
      },
    };
  },
});
