import { groupMatches, resourceMatches, verbMatches } from '../../inventory/rbac.js';
import { defineCapability, GRANT_MESSAGES, MITRE, namesText, NSA_RBAC, RBAC_DOCS, strongestRule } from './common.js';

export default defineCapability({
  meta: {
    id: 'KM-RB-013',
    title: 'Access to the kubelet API through nodes/proxy',
    severity: 'critical',
    door: 'rbac',
    description:
      '`nodes/proxy` passes requests through the API server straight to the kubelet of a node, whose API lists every pod with its ' +
      'environment and runs commands in any container (`/exec`, `/run`). The kubelet acts on its own authority: those commands are not ' +
      'checked by admission control and appear in the API server audit log only as a proxy request, not as an exec. A WebSocket `get` ' +
      'is enough for exec, so read-only looking grants count too. A RoleBinding cannot grant it (nodes are cluster-scoped), so only ' +
      'ClusterRoleBindings are reported.',
    remediation:
      'Remove `nodes/proxy` from the role. Monitoring agents need `nodes/metrics` and `nodes/stats`; on Kubernetes 1.33 and later the kubelet also ' +
      'accepts the fine-grained `nodes/configz`, `nodes/healthz` and `nodes/pods` subresources for read-only access.',
    references: [RBAC_DOCS.kubeletAuth, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.10'], nsa: [NSA_RBAC], mitre: [MITRE.containerAdministrationCommand, MITRE.escapeToHost] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-metrics}
rules:
  - {apiGroups: [""], resources: ["nodes", "nodes/metrics", "nodes/proxy"], verbs: ["get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-metrics}
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}`,
      // */proxy and a resources wildcard with an explicit verb both cover nodes/proxy
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: proxy-all}
rules:
  - {apiGroups: [""], resources: ["*/proxy"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: proxy-all}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: proxy-all}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}`,
    ],
    pass: [
      // metrics and stats only; nodes/proxy through a RoleBinding grants nothing (cluster-scoped)
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-metrics}
rules:
  - {apiGroups: [""], resources: ["nodes", "nodes/metrics", "nodes/stats"], verbs: ["get", "list"]}
  - {apiGroups: [""], resources: ["services/proxy"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-metrics}
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-proxy}
rules:
  - {apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: node-proxy, namespace: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-proxy}
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}`,
    ],
  },
  clusterOnly: true,
  judge: (rules) =>
    strongestRule(rules, (r) => {
      if (!groupMatches(r, '') || !resourceMatches(r, 'nodes', 'proxy')) return undefined;
      const verbs = ['get', 'create', 'update', 'patch', 'delete'].filter((verb) => verbMatches(r, verb));
      if (verbs.length === 0) return undefined;
      const named = r.resourceNames.length > 0;
      const nodes = named ? `nodes${namesText(r)}` : 'every node';
      return { what: `reach the kubelet API of ${nodes} through \`nodes/proxy\` (${verbs.join(', ')}; exec in any pod there, outside admission and audit)`, severity: named ? 'high' : 'critical', rank: verbs.includes('create') ? 1 : 0 };
    }),
});
