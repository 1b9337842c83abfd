import { defineRule } from '../../core/rule.js';
import { describeNamespace } from '../../inventory/netpol.js';
import { NSA } from '../references.js';
import { hasCustomResources, indexOf, NETPOL_DOCS } from './shared.js';

/**
 * A policy "selects nothing" only when the input shows what it could select: the namespace has at
 * least one workload in the input, and (for manifests) no custom resource that an operator could
 * turn into pods with labels the manifests do not show. A policy with an invalid podSelector
 * selects nothing too (the API server would refuse it). A select-all policy (podSelector `{}`) is
 * never reported: it also governs the pods created later. A policy that selects only host-network
 * workloads is reported with its own message: it has no effect on them. System namespaces are
 * judged like any other: a dead policy is a mistake anywhere. When the source could not list some
 * workload kind (a live cluster's 403), the rule stays silent.
 */
export default defineRule({
  meta: {
    id: 'KM-NP-006',
    title: 'NetworkPolicy selects no workload',
    severity: 'low',
    door: 'network',
    description:
      'A NetworkPolicy whose podSelector matches none of the workloads of its namespace protects nothing. It usually means a label was renamed or mistyped, so the pods the author meant to isolate are open while the policy gives the comforting impression that they are not.',
    remediation:
      'Fix the podSelector to match the pod template labels of the workload it is meant for (compare with `kubectl get pods --show-labels`), or delete the policy if the workload is gone.',
    references: [NETPOL_DOCS.networkPolicies],
    frameworks: { nsa: [NSA.networkPolicies] },
    messages: {
      none: '{{resource}} selects no workload: none of the {{count}} workload(s) of {{namespace}} has pod labels matching `{{selector}}`',
      onlyHostNetwork: '{{resource}} selects only host-network workloads ({{workloads}}), which NetworkPolicy does not govern: it has no effect',
    },
  },
  examples: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: postgres}
  ingress:
    - from: [{podSelector: {matchLabels: {app: api}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: postgresql}
    spec:
      containers: [{name: db, image: "postgres:16"}]`,
      // the Deployment's own labels are not the pod template's
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector:
    matchExpressions: [{key: tier, operator: Exists}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {tier: front}}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent, namespace: monitoring}
spec:
  podSelector: {matchLabels: {app: agent}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  template:
    metadata:
      labels: {app: agent}
    spec:
      hostNetwork: true
      containers: [{name: agent, image: "registry.example.com/agent:1.0"}]`,
    ],
    pass: [
      // no workload of that namespace in the input: nothing to compare with
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: postgres}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  template:
    metadata:
      labels: {app: postgres}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      // NotIn and DoesNotExist select pods without the label
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-legacy, namespace: shop}
spec:
  podSelector:
    matchExpressions:
      - {key: generation, operator: NotIn, values: [legacy]}
      - {key: canary, operator: DoesNotExist}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
      // an operator's custom resource may create the pods this policy selects
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: kafka, namespace: data}
spec:
  podSelector:
    matchLabels: {strimzi.io/cluster: events}
---
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: events, namespace: data}
spec:
  kafka: {replicas: 3}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: consumer, namespace: data}
spec:
  template:
    metadata:
      labels: {app: consumer}
    spec:
      containers: [{name: c, image: "busybox:1.36"}]`,
      // namespaces left unset in the manifests are the same namespace
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
    ],
  },
  create(context) {
    return {
      kinds: {
        NetworkPolicy(o) {
          const index = indexOf(context.inventory);
          const policy = index.policyOf(o);
          // A select-all policy (a default deny) also governs the pods created tomorrow: never dead.
          if (policy === undefined || policy.selected.length > 0 || policy.podSelector.empty) return;
          const ns = index.namespaceInfo(policy.namespace);
          if (ns === undefined || ns.pods.length === 0 || index.workloadsUnreadable || hasCustomResources(context.inventory, ns)) return;
          if (policy.selectedHostNetwork.length > 0) {
            const workloads = policy.selectedHostNetwork.map((p) => `${p.object.kind} ${p.object.name}`).join(', ');
            context.report({ node: o, messageId: 'onlyHostNetwork', data: { workloads }, at: ['spec', 'podSelector'] });
            return;
          }
          context.report({
            node: o,
            messageId: 'none',
            data: { count: ns.pods.length, namespace: describeNamespace(ns.name), selector: policy.podSelector.text },
            at: ['spec', 'podSelector'],
          });
        },
      },
    };
  },
});
