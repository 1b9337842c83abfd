import { isWildcardRule } from '../../inventory/rbac.js';
import { bySeverity, defineCapability, GRANT_MESSAGES, MITRE, NSA_RBAC, RBAC_DOCS, strongestRule } from './common.js';

export default defineCapability({
  meta: {
    id: 'KM-RB-010',
    title: 'Wildcard permissions: every verb on every resource',
    severity: 'critical',
    door: 'rbac',
    description:
      'A rule with `*` verbs on `*` resources allows everything in its API groups, including resources that do not exist yet ' +
      '(a CRD installed next year is covered the day it appears). With the core or `*` group it reads every Secret, runs pods as any ' +
      'service account and rewrites RBAC: bound cluster-wide it is cluster-admin under another name, bound in a namespace it owns that ' +
      'namespace. Its finding stands for everything else the rule grants. `*` in another API group alone (`custom.metrics.k8s.io`, ' +
      '`apps`) is not this rule: what that group holds is judged by the others (workload controllers, webhooks, RBAC). Bindings to ' +
      'cluster-admin itself are reported by KM-RB-001.',
    remediation:
      'Replace the wildcards with the verbs and resources the subject uses (`kubectl auth can-i --list --as=…` and the audit log show them). ' +
      'For people, bind the built-in `admin`, `edit` or `view` role in a namespace instead.',
    references: [RBAC_DOCS.goodPractices, RBAC_DOCS.rbac],
    frameworks: { cis: ['5.1.3', '5.1.1'], nsa: [NSA_RBAC], mitre: [MITRE.validAccounts] },
    messages: GRANT_MESSAGES,
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
      // nothing in the input binds it: reported on the role, lower ("once bound, …")
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: unused-superuser}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`,
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
      // `*` in one named API group is not everything (custom metrics are read-only data); cluster-admin bindings are KM-RB-001's
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: custom-metrics-server}
rules:
  - {apiGroups: ["custom.metrics.k8s.io"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: hpa-custom-metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: custom-metrics-server}
subjects:
  - {kind: ServiceAccount, name: horizontal-pod-autoscaler, namespace: kube-system}
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
  judge: (rules, scope) =>
    strongestRule(rules, (r) => {
      if (!isWildcardRule(r)) return undefined;
      const groups = r.apiGroups;
      if (!groups.includes('*') && !groups.includes('')) return undefined;
      const what = groups.includes('*') ? 'every resource in every API group' : `every resource in API group${groups.length > 1 ? 's' : ''} ${groups.map((g) => (g === '' ? 'core' : `\`${g}\``)).join(', ')}`;
      return { what: `do anything to ${what} (\`*\` verbs on \`*\` resources)`, severity: bySeverity(scope, 'critical', 'high'), subsumes: true };
    }),
});
