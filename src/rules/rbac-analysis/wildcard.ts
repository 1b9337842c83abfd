import { defineRule } from '../../core/rule.js';
import { isWildcardRule } from '../../inventory/rbac.js';
import { bindingVisitors, firstMatch, isClusterAdminBinding, MITRE, NSA_RBAC, RBAC_DOCS, reportSubjects } from './common.js';

export default defineRule({
  meta: {
    id: 'KM-RB-010',
    title: 'Wildcard permissions: every verb on every resource',
    severity: 'critical',
    door: 'rbac',
    description:
      'A rule with `*` verbs on `*` resources allows everything in its API groups, including resources that do not exist yet ' +
      '(a CRD installed next year is covered the day it appears). With the core or `*` group it reads every Secret, runs pods as any ' +
      'service account and rewrites RBAC: bound cluster-wide it is cluster-admin under another name, bound in a namespace it owns that ' +
      'namespace. Bindings to cluster-admin itself are reported by KM-RB-001.',
    remediation:
      'Replace the wildcards with the verbs and resources the subject uses (`kubectl auth can-i --list --as=…` and the audit log show them). ' +
      'For people, bind the built-in `admin`, `edit` or `view` role in a namespace instead.',
    references: [RBAC_DOCS.goodPractices, RBAC_DOCS.rbac],
    frameworks: { cis: ['5.1.3', '5.1.1'], nsa: [NSA_RBAC], mitre: [MITRE.validAccounts] },
    messages: {
      wildcard: '{{subject}} may do anything to {{what}} {{scope}}: {{resource}} grants {{role}}, whose rule has `*` verbs on `*` resources',
    },
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: wildcard-all, namespace: lab-apps}
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: wildcard-all, namespace: lab-apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: wildcard-all}
subjects:
  - {kind: ServiceAccount, name: default, namespace: lab-apps}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops-superuser}
rules:
  - apiGroups: [""]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-superuser}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops-superuser}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops}`,
    ],
    pass: [
      // explicit verbs on a wildcard resource list is not the everything-rule (other rules judge what it reads)
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: auditors}`,
      // an unbound wildcard role grants nothing; cluster-admin bindings are KM-RB-001's
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: unused-superuser}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: ci}`,
      // the built-in cluster-admin binding of system:masters
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: superuser-copy}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:superuser-copy"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: superuser-copy}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}`,
    ],
  },
  create(context) {
    return bindingVisitors(context, (v) => {
      if (isClusterAdminBinding(v)) return;
      const hit = firstMatch(v.role, (r) => (isWildcardRule(r) ? r : undefined), { includeWildcards: true });
      if (hit === undefined) return;
      const groups = hit.value.apiGroups;
      const everything = groups.includes('*');
      const core = everything || groups.includes('');
      const what = everything ? 'every resource in every API group' : `every resource in API group${groups.length > 1 ? 's' : ''} ${groups.map((g) => (g === '' ? 'core' : `\`${g}\``)).join(', ')}`;
      const severity = core ? (v.scope === undefined ? 'critical' : 'high') : v.scope === undefined ? 'high' : 'medium';
      reportSubjects(context, v, { messageId: 'wildcard', data: { what }, severity, ref: hit.ref });
    });
  },
});
