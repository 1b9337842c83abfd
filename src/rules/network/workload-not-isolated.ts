import { defineRule } from '../../core/rule.js';
import { describeNamespace } from '../../inventory/netpol.js';
import { MITRE, NSA } from '../references.js';
import { CIS_NAMESPACES_HAVE_POLICIES, indexOf, judged, NETPOL_DOCS, podLabelsPath } from './shared.js';

/**
 * Only where the namespace HAS ingress policies and this workload slipped through them: a
 * namespace with no ingress policy at all is KM-NP-001's (one finding for the namespace, not one
 * per workload), and a namespace with a default deny isolates every pod. Host-network workloads
 * are left out: no NetworkPolicy can select them (KM-WL host-network rules cover them).
 */
export default defineRule({
  meta: {
    id: 'KM-NP-003',
    title: 'Workload selected by no ingress NetworkPolicy',
    severity: 'medium',
    door: 'network',
    description:
      'The namespace uses NetworkPolicies, but none selects this workload for ingress, so it stays open to every pod in the cluster and every address that can route to it. ' +
      'This is the gap a team misses when it writes policies app by app: a new service, or one whose labels changed, quietly accepts connections from a compromised pod anywhere.',
    remediation:
      'Select the workload with a policy that allows only its real clients, or add a default-deny ingress policy (`podSelector: {}`, `policyTypes: [Ingress]`) so that every pod the namespace runs is isolated unless allowed.',
    references: [NETPOL_DOCS.networkPolicies, NETPOL_DOCS.defaultPolicies],
    frameworks: { cis: [CIS_NAMESPACES_HAVE_POLICIES], nsa: [NSA.networkPolicies], mitre: [MITRE.networkServiceDiscovery] },
    messages: {
      unselected:
        '{{resource}} is selected by none of the {{policies}} ingress NetworkPolicies of {{namespace}}: any pod in the cluster can connect to it on every port (its pod labels: {{labels}})',
    },
  },
  examples: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: lb}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: db}
    spec:
      containers: [{name: db, image: "postgres:16"}]`,
      // selected only by an egress policy: ingress is still open
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: api, namespace: shop}
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: api}
        spec:
          restartPolicy: Never
          containers: [{name: api, image: "busybox:1.36"}]`,
    ],
    pass: [
      // matchExpressions select the workload
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: tiers, namespace: shop}
spec:
  podSelector:
    matchExpressions: [{key: tier, operator: In, values: [backend, db]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: db, tier: db}
    spec:
      containers: [{name: db, image: "postgres:16"}]`,
      // no ingress policy in the namespace at all: KM-NP-001's finding, not this one
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: db}
    spec:
      containers: [{name: db, image: "postgres:16"}]`,
      // a host-network workload is outside NetworkPolicy
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: agent}
    spec:
      hostNetwork: true
      containers: [{name: agent, image: "registry.example.com/agent:1.0"}]`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        const index = indexOf(context.inventory);
        const info = index.podOf(pod.object);
        if (info === undefined || info.hostNetwork || info.policies.ingress.length > 0) return;
        if (!judged(index, info.namespace)) return;
        const policies = (index.namespaceInfo(info.namespace)?.policies ?? []).filter((p) => p.types.ingress).length;
        if (policies === 0) return;
        const labels = Object.entries(info.labels).map(([k, v]) => `${k}=${v}`).join(',') || 'none';
        context.report({
          node: pod.object,
          messageId: 'unselected',
          data: { policies, namespace: describeNamespace(info.namespace), labels },
          at: { fromObject: podLabelsPath(info) },
        });
      },
    };
  },
});
