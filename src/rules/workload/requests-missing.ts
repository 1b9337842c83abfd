import { defineRule } from '../../core/rule.js';
import { unboundedResources } from '../resources.js';
import { DOCS, MITRE, NSA } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-021',
    title: 'CPU or memory request missing',
    severity: 'low',
    door: 'workload',
    description:
      'Without a CPU or memory request the scheduler places the pod as if it needed nothing, and under pressure it is the first to be starved or evicted (BestEffort). ' +
      'Nodes get overcommitted, which turns one noisy or compromised pod, a miner for example, into an outage for its neighbours. ' +
      'A request is considered set when the container sets it, when it sets the limit (Kubernetes copies the limit into the request), or when a LimitRange for type Container in the same namespace and input defaults it.',
    remediation: 'Set `resources.requests.cpu` and `resources.requests.memory` on every container, or give the namespace a LimitRange with `defaultRequest` (or `default`) values for type Container.',
    references: [DOCS.resources, DOCS.limitRange],
    frameworks: { nsa: [NSA.resourcePolicies], mitre: [MITRE.resourceHijacking, MITRE.endpointDenialOfService] },
    notForControlPlane: true,
    messages: { missing: '{{container}} in {{resource}} has no {{resources}} request' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:4.1
          resources:
            limits: {memory: 256Mi}`,
      `apiVersion: v1
kind: LimitRange
metadata: {name: cpu-only, namespace: shop}
spec:
  limits:
    - type: Container
      defaultRequest: {cpu: 100m}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
    - {name: c, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  initContainers:
    - name: init
      image: busybox:1.36
      resources:
        limits: {cpu: 200m, memory: 64Mi}
  containers:
    - name: app
      image: busybox:1.36
      resources:
        requests: {cpu: 100m, memory: 128Mi}`,
      `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      defaultRequest: {cpu: 100m, memory: 128Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
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
        const missing = unboundedResources(context.inventory, c, 'requests');
        if (missing.length === 0) return;
        context.report({ node: c, messageId: 'missing', data: { resources: missing.join(' or ') }, at: ['resources', 'requests'] });
      },
    };
  },
});
