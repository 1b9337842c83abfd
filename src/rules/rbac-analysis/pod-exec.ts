import type { Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, verbMatches, type PolicyRule } from '../../inventory/rbac.js';
import { bySeverity, defineCapability, GRANT_MESSAGES, MITRE, namesText, NSA_RBAC, RBAC_DOCS, strongestRule, type GrantScope, type RuleJudgement } from './common.js';

/**
 * The strongest of exec, attach, port-forward a rule allows. A WebSocket upgrade is a GET, authorized
 * as `get`; from v1.35 the API server also requires `create` on the subresource (feature gate
 * AuthorizePodWebsocketUpgradeCreatePermission, beta and on by default), so up to v1.34 `get` alone
 * is a working exec.
 */
function strongest(r: PolicyRule, scope: GrantScope): RuleJudgement | undefined {
  if (!groupMatches(r, '')) return undefined;
  const at = (cluster: Severity, namespaced: Severity): Severity => bySeverity(scope, cluster, namespaced);
  const names = namesText(r);
  for (const sub of ['exec', 'attach'] as const) {
    if (resourceMatches(r, 'pods', sub) && verbMatches(r, 'create')) return { what: `run commands in pods (\`create pods/${sub}\`)${names}`, severity: at('critical', 'medium'), rank: 3 };
  }
  for (const sub of ['exec', 'attach'] as const) {
    if (resourceMatches(r, 'pods', sub) && verbMatches(r, 'get')) {
      return { what: `run commands in pods on API servers up to v1.34 (\`get pods/${sub}\` is enough over WebSocket there; v1.35 also asks for \`create\`)${names}`, severity: at('high', 'medium'), rank: 2 };
    }
  }
  if (resourceMatches(r, 'pods', 'portforward') && verbMatches(r, 'create')) return { what: `open tunnels to any port of pods (\`create pods/portforward\`), past every NetworkPolicy${names}`, severity: at('medium', 'low'), rank: 1 };
  if (resourceMatches(r, 'pods', 'portforward') && verbMatches(r, 'get')) {
    return { what: `open tunnels to any port of pods on API servers up to v1.34 (\`get pods/portforward\` over WebSocket), past every NetworkPolicy${names}`, severity: at('medium', 'low'), rank: 0 };
  }
  return undefined;
}

export default defineCapability({
  meta: {
    id: 'KM-RB-012',
    title: 'Exec, attach or port-forward into pods',
    severity: 'critical',
    door: 'rbac',
    description:
      '`pods/exec` and `pods/attach` run commands inside running containers: the attacker reads the service-account token, the ' +
      'environment (with its credentials) and the mounted Secrets of every pod in reach, and acts as that pod. Cluster-wide this includes ' +
      'the kube-system pods of controllers and operators. `pods/portforward` opens a tunnel to any port of a pod, past every ' +
      'NetworkPolicy, to admin ports and databases that were never meant to be exposed. kubectl (SPDY, a POST) needs `create`; a ' +
      'WebSocket client sends a GET, authorized as `get`, and up to Kubernetes v1.34 that was enough. From v1.35 the API server also ' +
      'requires `create` (feature gate AuthorizePodWebsocketUpgradeCreatePermission, on by default), so `get` alone is reported one step ' +
      'lower cluster-wide and the same as `create` in a namespace.',
    remediation:
      'Remove `pods/exec`, `pods/attach` and `pods/portforward` from roles of automation and service accounts; give people exec in their own ' +
      'namespaces only, through a break-glass role that is audited (the audit log records every exec).',
    references: [RBAC_DOCS.goodPractices, 'https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/', 'https://github.com/kubernetes/kubernetes/pull/134577'],
    frameworks: { nsa: [NSA_RBAC], mitre: [MITRE.containerAdministrationCommand] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: debugger}
rules:
  - {apiGroups: [""], resources: ["pods"], verbs: ["get", "list"]}
  - {apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: debugger}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: debugger}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: support}`,
      // */attach matches the attach subresource of every resource
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: attacher, namespace: build}
rules:
  - {apiGroups: [""], resources: ["*/attach"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: attacher, namespace: build}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: attacher}
subjects:
  - {kind: ServiceAccount, name: ci}`,
      // get alone: a working exec over WebSocket on every API server up to v1.34
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: shell-ui, namespace: tools}
rules:
  - {apiGroups: [""], resources: ["pods", "pods/exec"], verbs: ["get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: shell-ui, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: shell-ui}
subjects:
  - {kind: ServiceAccount, name: web-terminal}`,
      // a ClusterRole nothing binds yet: reported on its rule, lower ("once bound, …")
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: debug-shell}
rules:
  - {apiGroups: [""], resources: ["pods/exec", "pods/attach"], verbs: ["create"]}`,
    ],
    pass: [
      // pods/* is not a wildcard in RBAC: it names a subresource called "*"; pods/log only reads logs
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: log-reader}
rules:
  - {apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"]}
  - {apiGroups: [""], resources: ["pods/*"], verbs: ["create"]}
  - {apiGroups: ["apps"], resources: ["pods/exec"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: log-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: log-reader}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: support}`,
    ],
  },
  judge: (rules, scope) => strongestRule(rules, (r) => strongest(r, scope)),
});
