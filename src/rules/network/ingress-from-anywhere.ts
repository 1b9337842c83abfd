import { defineRule } from '../../core/rule.js';
import { formatPolicyPorts } from '../../inventory/netpol-ports.js';
import { MITRE, NSA } from '../references.js';
import { indexOf, judgedPolicyTargets, NETPOL_DOCS } from './shared.js';
import { metricsOnly } from './metrics-ports.js';

/**
 * Reported on the NetworkPolicy, at the peer that opens it (or at the rule when it has no `from`),
 * because that is the line to change; the message names the workloads it opens. One finding per
 * opening rule. What counts as "anywhere":
 * - a rule without `from` (or `from: []`): any source;
 * - a peer whose namespaceSelector is `{}` or only excludes (NotIn, DoesNotExist, or Exists on
 *   kubernetes.io/metadata.name), with no podSelector or an empty one: any pod of any namespace,
 *   including namespaces created later. A peer that also needs a pod label is not reported;
 * - an ipBlock of 0.0.0.0/0 or ::/0, with or without `except`: every outside address.
 * A workload with no ingress policy at all is open too, but that is KM-NP-001/003's finding.
 * The rule is silent when the policy selects no workload of a namespace that has some (KM-NP-006).
 * A rule that opens only metrics ports (see metrics-ports.ts) is low: Prometheus scrapes across
 * namespaces, and a metrics endpoint leaks internals rather than handing over the workload.
 */
export default defineRule({
  meta: {
    id: 'KM-NP-004',
    title: 'Workload reachable from any namespace or any address',
    severity: 'medium',
    door: 'network',
    description:
      'A NetworkPolicy isolates these pods and then lets everyone back in: a rule with no `from`, a namespaceSelector that matches every namespace, or an ipBlock of 0.0.0.0/0. ' +
      'Any pod in the cluster, including one an attacker starts or takes over in a namespace created tomorrow, or any address on the internet the Service is exposed to, can then connect to these ports. ' +
      'A rule that opens only metrics ports (named `metrics`/`http-metrics`, scraped per a `prometheus.io/port` annotation, behind a metrics Service, or an exporter\'s well-known port such as 9100) is low: Prometheus scrapes across namespaces. A bare 9090 (Prometheus\' own API) or 9091 (the Pushgateway, which takes writes) is not a metrics port here.',
    remediation:
      'Name the real clients: a namespaceSelector on the namespace label (`kubernetes.io/metadata.name: ingress-nginx`) combined with a podSelector in the same peer, or the exact CIDRs of the load balancer. Keep 0.0.0.0/0 only for workloads meant to face the internet, and document them with a suppression.',
    references: [NETPOL_DOCS.networkPolicies],
    frameworks: { nsa: [NSA.networkPolicies], mitre: [MITRE.networkServiceDiscovery, MITRE.exploitPublicFacingApplication] },
    messages: {
      open: '{{resource}} lets {{what}} connect to {{targets}} on {{ports}} (ingress rule {{rule}})',
      metrics: '{{resource}} lets {{what}} connect to the metrics endpoint of {{targets}} on {{ports}} (ingress rule {{rule}}): metrics leak internals; check nothing else (pprof, admin handlers) is served there, and name the scraper if you can',
    },
  },
  examples: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  podSelector: {}
  ingress: [{}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from:
        - namespaceSelector: {}
      ports: [{port: 8080}]
    - from:
        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: "nginx:1.27", ports: [{name: http, containerPort: 8080}]}]`,
      // only exclusions: every namespace not named, including tomorrow's
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-dev, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector:
            matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [dev]}]`,
      // only a metrics port, from every namespace: reported, at low
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: scrape, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {}}]
      ports: [{port: 9102}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: "nginx:1.27", ports: [{name: http-metrics, containerPort: 9102}]}]`,
    ],
    pass: [
      // namespace AND pod selector in one peer: only the ingress controller's pods
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
          podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: "nginx:1.27"}]`,
      // any namespace, but only pods with a given label
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-prometheus, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - from:
        - namespaceSelector: {}
          podSelector: {matchLabels: {app: prometheus}}
      ports: [{port: 9090}]`,
      // an Egress-only policy: its ingress list is ignored
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress: [{}]`,
      // ingress: [] denies everything
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
  ingress: []`,
    ],
  },
  create(context) {
    return {
      kinds: {
        NetworkPolicy(o) {
          const index = indexOf(context.inventory);
          const policy = index.policyOf(o);
          const targets = judgedPolicyTargets(index, policy, 'ingress');
          if (policy === undefined || targets === undefined) return;
          for (const rule of policy.rules.ingress) {
            const open = index.openPeers(rule);
            if (open.length === 0) continue;
            const metrics = metricsOnly(context.inventory, policy.selected, rule.ports);
            context.report({
              node: o,
              messageId: metrics === undefined ? 'open' : 'metrics',
              data: { what: open.map((x) => x.what).join(' and '), targets, ports: formatPolicyPorts(rule.ports), rule: rule.index + 1 },
              at: open[0].peer?.path ?? rule.path,
              ...(metrics === undefined ? {} : { severity: 'low' as const, evidence: `metrics ports: ${metrics.join(', ')}` }),
            });
          }
        },
      },
    };
  },
});
