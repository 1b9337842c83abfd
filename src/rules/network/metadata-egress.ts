import { defineRule } from '../../core/rule.js';
import { describeNamespace, describeWorkloads, METADATA_ENDPOINTS, type NetpolIndex, type NsInfo } from '../../inventory/netpol.js';
import { MITRE, NSA } from '../references.js';
import { governedPods, indexOf, judged, judgedPolicyTargets, listWorkloads, MITRE_CLOUD_METADATA_API, namespaceVerdictVisitors, NETPOL_DOCS, type NamespaceVerdict } from './shared.js';

/** The namespace's workloads no egress policy selects: one finding for all of them, naming how many. */
function notIsolated(index: NetpolIndex, ns: NsInfo): NamespaceVerdict {
  if (!judged(index, ns.name)) return undefined;
  const open = governedPods(ns).filter((p) => index.metadataAccess(p)?.via === 'not-isolated');
  if (open.length === 0) return undefined;
  return {
    messageId: 'notIsolated',
    data: { namespace: describeNamespace(ns.name), count: open.length, workloads: describeWorkloads(open) },
    evidence: `${open.length} workload(s) selected by no egress policy: ${listWorkloads(open)}`,
    on: open[0],
  };
}

/**
 * Three ways a workload's pods reach the instance metadata service (169.254.169.254, and AWS's
 * IPv6 fd00:ec2::254, on TCP 80):
 * - no egress policy selects the workload: one finding per namespace for all such workloads (on the
 *   Namespace object, or on the first of them), counting them in the message and naming each in the
 *   evidence, since it is one missing policy, not one problem per workload;
 * - an egress rule lets it through: no `to`, or an ipBlock that covers the address and does not
 *   except it, with ports that include TCP 80 (or no ports). Reported on the policy, at that peer
 *   or rule, once per rule, naming the workloads it selects. A named port never matches an
 *   outside address, and a pod or namespace selector never matches it either;
 * A workload on the host network, where NetworkPolicy does not apply, reaches the address too; that
 * is the same fact as its host network, which KM-WL-004 reports (and says so), not a second finding.
 * System namespaces and namespaces with network-plugin policies are not judged. Whether the nodes
 * run in a cloud at all is not known from manifests; on bare metal the address answers nothing.
 */
export default defineRule({
  meta: {
    id: 'KM-NP-005',
    title: 'Workload can reach the cloud metadata endpoint',
    // Medium, not high: manifests cannot show whether the nodes run in a cloud at all, or whether a
    // cluster-wide control (IMDSv2 hop limit, a global policy) already blocks the address.
    severity: 'medium',
    door: 'network',
    description:
      'The cloud instance metadata service (169.254.169.254) answers any process on the node, pods included, with the node\'s identity and, on most clouds, temporary credentials of the node\'s cloud role. ' +
      'In the 2018 Tesla compromise, attackers came in through an unauthenticated Kubernetes dashboard and found cloud keys this way; from a single compromised pod the same request yields access to buckets, registries and the cloud account. ' +
      'Neither NetworkPolicy defaults nor the common scanners block or check this path.',
    remediation:
      'Give the namespace a default-deny egress policy and allow only the destinations the workload needs; when a rule must allow the outside world, write `ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}`. ' +
      'On the cloud side, require IMDSv2 with a hop limit of 1 (AWS), or use GKE Workload Identity / metadata concealment, so that pods cannot use the node\'s credentials even when they reach the address.',
    references: [NETPOL_DOCS.metadataApi, NETPOL_DOCS.awsImds, NETPOL_DOCS.gkeMetadata, NETPOL_DOCS.networkPolicies],
    frameworks: { nsa: [NSA.networkPolicies], mitre: [MITRE_CLOUD_METADATA_API, MITRE.unsecuredCredentials] },
    messages: {
      notIsolated: '{{namespace}} has {{count}} workload(s) ({{workloads}}) that no egress NetworkPolicy selects: on a cloud node their pods can reach the metadata endpoint 169.254.169.254 and take the node\'s cloud credentials, unless the node or a cluster-wide policy blocks it',
      allowed: '{{resource}} lets {{targets}} reach the cloud metadata endpoint {{endpoint}}: egress rule {{rule}} allows {{how}} on {{ports}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`,
      // the internet rule forgets to except the metadata address
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: internet, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: "nginx:1.27"}]`,
      // a link-local block on port 80
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: link-local, namespace: shop}
spec:
  podSelector: {}
  egress:
    - to: [{ipBlock: {cidr: 169.254.0.0/16}}]
      ports: [{protocol: TCP, port: 80}]`,
    ],
    pass: [
      // a host-network workload reaches it too, which KM-WL-004 says with its host network: one finding for one fact
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: agent, image: "registry.example.com/agent:1.0"}]`,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: internet, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            except: [169.254.169.254/32]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: web, image: "nginx:1.27"}]`,
      // the whole world, but only on 443 and DNS
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: https-out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
      ports: [{protocol: TCP, port: 443}]
    - ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: web, image: "nginx:1.27"}]`,
      // a range that stops short of 80, and a named port (names never match an outside address)
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ranges, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 169.254.0.0/16}}]
      ports: [{protocol: TCP, port: 81, endPort: 1024}, {protocol: TCP, port: http}, {protocol: UDP, port: 80}]
    - to: [{namespaceSelector: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: web, image: "nginx:1.27"}]`,
      // kube-system is not judged
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  template:
    spec:
      containers: [{name: coredns, image: "registry.k8s.io/coredns/coredns:v1.11.1"}]`,
    ],
  },
  create(context) {
    const perNamespace = namespaceVerdictVisitors(context, notIsolated);
    return {
      podSpec: perNamespace.podSpec,
      kinds: {
        ...perNamespace.kinds,
        NetworkPolicy(o) {
          const index = indexOf(context.inventory);
          const policy = index.policyOf(o);
          const targets = judgedPolicyTargets(index, policy, 'egress');
          if (policy === undefined || targets === undefined) return;
          for (const rule of policy.rules.egress) {
            for (const endpoint of METADATA_ENDPOINTS) {
              const hit = index.ruleReachesAddress(rule, endpoint.ip, endpoint.protocol, endpoint.port);
              if (hit === undefined) continue;
              const peer = hit.peer;
              const how =
                peer?.type === 'ipBlock'
                  ? `\`${peer.cidr.text}\`${peer.except.length > 0 ? ` (its except list leaves ${endpoint.address} in)` : ''}`
                  : 'any destination (no `to`)';
              context.report({
                node: o,
                messageId: 'allowed',
                data: { targets, endpoint: `${endpoint.address} (${endpoint.clouds})`, rule: rule.index + 1, how, ports: rule.ports === 'any' ? 'every port' : `TCP ${endpoint.port}` },
                at: peer?.path ?? rule.path,
              });
              break; // one finding per rule: the IPv4 address is the one that matters first
            }
          }
        },
      },
    };
  },
});
