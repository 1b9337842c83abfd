import { defineRule } from '../../core/rule.js';
import { describeNamespace, describeWorkloads, type NetpolIndex, type NsInfo } from '../../inventory/netpol.js';
import { describeObject } from '../../inventory/objects.js';
import { MITRE, NSA } from '../references.js';
import { CIS_NAMESPACES_HAVE_POLICIES, governedPods, judged, namespaceVerdictVisitors, NETPOL_DOCS, type NamespaceVerdict } from './shared.js';

/**
 * The egress twin of KM-NP-001, one severity lower: an open way out lets an intruder call home and
 * reach the metadata endpoint, but it is not by itself a way in. Judged namespaces and the place
 * of the finding are as for KM-NP-001. Unlike ingress, a deny-all egress policy that allows
 * everything back is reported here (no other rule names that egress rule).
 */
function verdict(index: NetpolIndex, ns: NsInfo): NamespaceVerdict {
  const pods = governedPods(ns);
  if (pods.length === 0 || !judged(index, ns.name)) return undefined;
  const state = index.defaultDeny(ns.name, 'egress');
  if (state.state === 'deny') return undefined;
  const subject = describeNamespace(ns.name);
  if (state.state === 'reopened') {
    const what = index.openPeers(state.rule)[0]?.what ?? 'any destination';
    return { messageId: 'reopened', data: { subject, policy: describeObject(state.policy.object), rule: state.rule.index + 1, what } };
  }
  const egressPolicies = ns.policies.filter((p) => p.types.egress).length;
  if (egressPolicies === 0) return { messageId: 'noPolicy', data: { subject, workloads: describeWorkloads(pods), count: pods.length } };
  return { messageId: 'partial', data: { subject, policies: egressPolicies } };
}

export default defineRule({
  meta: {
    id: 'KM-NP-002',
    title: 'Namespace without default-deny egress NetworkPolicy',
    severity: 'low',
    door: 'network',
    description:
      'Without a NetworkPolicy that selects every pod of a namespace for egress, its pods may connect anywhere: to every other pod, to the API server and kubelets, to the cloud metadata endpoint, and out to the internet. ' +
      'Whoever takes over one of these pods can download tools, send data out, open a reverse shell and attack the rest of the cluster from inside.',
    remediation:
      'Add a default-deny egress policy (`podSelector: {}`, `policyTypes: [Egress]`, no `egress` rules) with an allowance for DNS to kube-dns, then allow each destination the workloads need. `kubemoat netpol --emit-default-deny` prints both, ready to apply.',
    references: [NETPOL_DOCS.defaultPolicies, NETPOL_DOCS.networkPolicies],
    frameworks: { cis: [CIS_NAMESPACES_HAVE_POLICIES], nsa: [NSA.networkPolicies], mitre: [MITRE.networkServiceDiscovery] },
    messages: {
      noPolicy: '{{subject}} has no egress NetworkPolicy: its {{count}} workload(s) ({{workloads}}) may connect to any pod and any address',
      partial: '{{subject}} has no default-deny egress NetworkPolicy: its {{policies}} egress policies cover chosen workloads only, and every other pod may connect anywhere',
      reopened: '{{subject}} has no effective default-deny egress: {{policy}} selects every pod, and its egress rule {{rule}} allows {{what}} on every port',
    },
  },
  examples: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: shop}
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
      // \`egress: []\` without policyTypes does not make an egress policy
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-egress, namespace: shop}
spec:
  podSelector: {}
  egress: []
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
      // deny-all egress handed back by an allow-all rule in the same policy
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: leaky, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress: [{}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers: [{name: api, image: "busybox:1.36"}]`,
    ],
    pass: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      // egress rules without policyTypes make it an egress policy; DNS-only is still a default deny
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-only, namespace: shop}
spec:
  podSelector: {}
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
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
