import { defineRule } from '../../core/rule.js';
import type { Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, verbMatches, type PolicyRule } from '../../inventory/rbac.js';
import { bestMatch, bindingVisitors, isClusterAdminBinding, MITRE, namesText, NSA_RBAC, RBAC_DOCS, reportSubjects } from './common.js';

interface Hit {
  rank: number;
  what: string;
  severity: [Severity, Severity];
}

/** The strongest of exec, attach, port-forward a rule allows. */
function strongest(r: PolicyRule): Hit | undefined {
  if (!groupMatches(r, '')) return undefined;
  for (const sub of ['exec', 'attach'] as const) {
    if (!resourceMatches(r, 'pods', sub)) continue;
    if (verbMatches(r, 'create')) return { rank: 3, what: `run commands in pods (\`create pods/${sub}\`)`, severity: ['critical', 'medium'] };
  }
  for (const sub of ['exec', 'attach'] as const) {
    if (resourceMatches(r, 'pods', sub) && verbMatches(r, 'get')) {
      return { rank: 2, what: `run commands in pods on API servers before v1.30 (\`get pods/${sub}\` is enough over WebSocket there)`, severity: ['high', 'low'] };
    }
  }
  if (resourceMatches(r, 'pods', 'portforward') && (verbMatches(r, 'create') || verbMatches(r, 'get'))) {
    return { rank: 1, what: 'open tunnels to any port of pods (`pods/portforward`), past every NetworkPolicy', severity: ['medium', 'low'] };
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'KM-RB-012',
    title: 'Exec, attach or port-forward into pods',
    severity: 'critical',
    door: 'rbac',
    description:
      '`pods/exec` and `pods/attach` run commands inside running containers: the attacker reads the service-account token, the ' +
      'environment (with its credentials) and the mounted Secrets of every pod in reach, and acts as that pod. Cluster-wide this includes ' +
      'the kube-system pods of controllers and operators. `pods/portforward` opens a tunnel to any port of a pod, past every ' +
      'NetworkPolicy, to admin ports and databases that were never meant to be exposed. The API server authorizes exec as `create`; ' +
      'before v1.30 a WebSocket `get` was enough, which is reported at a lower severity.',
    remediation:
      'Remove `pods/exec`, `pods/attach` and `pods/portforward` from roles of automation and service accounts; give people exec in their own ' +
      'namespaces only, through a break-glass role that is audited (the audit log records every exec).',
    references: [RBAC_DOCS.goodPractices, 'https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/'],
    frameworks: { nsa: [NSA_RBAC], mitre: [MITRE.containerAdministrationCommand] },
    messages: {
      exec: '{{subject}} can {{what}}{{names}} {{scope}} through {{resource}} → {{role}}',
    },
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
  create(context) {
    return bindingVisitors(context, (v) => {
      if (isClusterAdminBinding(v)) return;
      const hit = bestMatch(v.role, strongest, (h) => h.rank);
      if (hit === undefined) return;
      const severity = v.scope === undefined ? hit.value.severity[0] : hit.value.severity[1];
      reportSubjects(context, v, { messageId: 'exec', data: { what: hit.value.what, names: namesText(hit.ref.rule) }, severity, ref: hit.ref });
    });
  },
});
