import { defineRule } from '../../core/rule.js';
import { describeNamespace, describeWorkloads, type NetpolIndex, type NsInfo } from '../../inventory/netpol.js';
import { MITRE, NSA } from '../references.js';
import { CIS_NAMESPACES_HAVE_POLICIES, governedPods, judged, namespaceVerdictVisitors, NETPOL_DOCS, type NamespaceVerdict } from './shared.js';

/**
 * What this rule judges, and where it reports:
 * - namespaces with at least one workload NetworkPolicy governs (not host-network), outside the
 *   system namespaces and namespaces with network-plugin policies (see `judged`);
 * - on the Namespace object when the input has it, else on the namespace's first workload (in
 *   input order), so the finding has a line to point at;
 * - a namespace whose deny-all policy also allows everything back is left to KM-NP-004, which
 *   reports the rule that reopens it.
 * When the namespace has ingress policies that cover only some workloads, the uncovered ones are
 * KM-NP-003's; this finding then speaks only of the missing default. When they cover every
 * workload of the input, only pods created later are exposed: low.
 */
function verdict(index: NetpolIndex, ns: NsInfo): NamespaceVerdict {
  const pods = governedPods(ns);
  if (pods.length === 0 || !judged(index, ns.name)) return undefined;
  if (index.defaultDeny(ns.name, 'ingress').state !== 'none') return undefined;
  const subject = describeNamespace(ns.name);
  const ingressPolicies = ns.policies.filter((p) => p.types.ingress).length;
  if (ingressPolicies === 0) {
    return { messageId: 'noPolicy', data: { subject, workloads: describeWorkloads(pods), count: pods.length } };
  }
  // Every workload the input shows is already selected: only pods created later are open (low).
  if (pods.every((p) => p.policies.ingress.length > 0)) {
    return { messageId: 'covered', data: { subject, policies: ingressPolicies, count: pods.length }, severity: 'low' };
  }
  return { messageId: 'partial', data: { subject, policies: ingressPolicies } };
}

export default defineRule({
  meta: {
    id: 'KM-NP-001',
    title: 'Namespace without default-deny ingress NetworkPolicy',
    severity: 'medium',
    door: 'network',
    description:
      'Without a NetworkPolicy that selects every pod of a namespace for ingress, Kubernetes lets any pod in the cluster, and any address that can route to the pod network, connect to every port of those pods. ' +
      'One compromised pod anywhere (a vulnerable web app, a malicious image) can then scan and attack the databases, internal APIs and admin endpoints of this namespace: the flat pod network is how attackers move sideways. ' +
      'When the namespace\'s policies already select every workload it runs, only pods created later are exposed and the finding is low.',
    remediation:
      'Add a default-deny ingress policy to the namespace (`podSelector: {}`, `policyTypes: [Ingress]`, no `ingress` rules), then allow each legitimate flow with a narrow policy. `kubemoat netpol --emit-default-deny` prints one ready to apply.',
    references: [NETPOL_DOCS.defaultPolicies, NETPOL_DOCS.networkPolicies],
    frameworks: { cis: [CIS_NAMESPACES_HAVE_POLICIES], nsa: [NSA.networkPolicies], mitre: [MITRE.networkServiceDiscovery] },
    messages: {
      noPolicy: '{{subject}} has no ingress NetworkPolicy: any pod in the cluster can connect to its {{count}} workload(s) ({{workloads}}) on every port',
      partial:
        '{{subject}} has no default-deny ingress NetworkPolicy: its {{policies}} ingress policies cover chosen workloads only, and every other pod, including any created later, accepts connections from anywhere',
      covered:
        '{{subject}} has no default-deny ingress NetworkPolicy: its {{policies}} ingress policies select each of its {{count}} workload(s), but a pod created later with other labels accepts connections from anywhere',
    },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      // a policy that selects only one app is not a default deny; no Namespace object: reported on the first workload
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: lb}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      // policyTypes [Egress] only: ingress stays open
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
      // every workload selected today, but no default deny for tomorrow's pods: reported, at low
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: lb}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: "nginx:1.27"}]`,
    ],
    pass: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      // no policyTypes and no ingress: Ingress is the default type, so this denies all ingress
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
      // a catch-all that allows only the namespace's own pods still isolates every pod
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: same-namespace-only, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - from: [{podSelector: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
      // a namespace without workloads, a system namespace, and a host-network-only namespace
      `apiVersion: v1
kind: Namespace
metadata: {name: empty}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  template:
    spec:
      containers: [{name: coredns, image: "registry.k8s.io/coredns/coredns:v1.11.1"}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: agent, image: "registry.example.com/agent:1.0"}]`,
      // a Cilium policy may deny what NetworkPolicy does not show: not judged
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  endpointSelector: {}
  ingress: [{}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
    ],
  },
  create(context) {
    return namespaceVerdictVisitors(context, verdict);
  },
});
