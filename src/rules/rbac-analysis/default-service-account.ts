import { defineRule } from '../../core/rule.js';
import { UNSET_NAMESPACE } from '../../inventory/inventory.js';
import { DISCOVERY_ROLES } from '../../inventory/rbac-builtin.js';
import { ruleText, serviceAccountOfUser } from '../../inventory/rbac.js';
import { bindingVisitors, MITRE, NSA_RBAC, RBAC_DOCS, reportableSubjects, reportSubjects } from './common.js';

export default defineRule({
  meta: {
    id: 'KM-RB-020',
    title: 'Default service account has permissions',
    severity: 'high',
    door: 'rbac',
    description:
      'Every pod that does not name a service account runs as its namespace\'s `default` one, and, unless told otherwise, carries its ' +
      'token. Permissions bound to `default` therefore go to every such pod: a web app with a remote-code-execution bug, a debug ' +
      'container, a third-party chart nobody read. Out of the box `default` can do nothing beyond API discovery; any binding to it ' +
      'is reported, cluster-wide ones higher.',
    remediation:
      'Create a dedicated service account for the workload that needs the permissions, bind the role to it, and set ' +
      '`serviceAccountName` in that workload. Leave `default` without bindings and set `automountServiceAccountToken: false` on it.',
    references: [RBAC_DOCS.serviceAccounts, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.5', '5.1.6'], nsa: [NSA_RBAC], mitre: [MITRE.defaultAccounts] },
    messages: {
      defaultSa: '{{subject}} gets {{role}} {{scope}} through {{resource}} ({{summary}}): every pod in {{namespace}} that names no service account runs with it',
    },
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: wildcard-all, namespace: lab-apps}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: wildcard-all, namespace: lab-apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: wildcard-all}
subjects:
  - {kind: ServiceAccount, name: default, namespace: lab-apps}`,
      // the user form of a service account is the same account
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: default-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:serviceaccount:shop:default"}`,
    ],
    pass: [
      // a dedicated account, and a binding to a role with no rules
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: ServiceAccount, name: frontend, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: nothing, namespace: shop}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-nothing, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: nothing}
subjects:
  - {kind: ServiceAccount, name: default, namespace: shop}`,
    ],
  },
  create(context) {
    return bindingVisitors(context, (v) => {
      if (v.role.rules.length === 0 || (v.role.builtin && DISCOVERY_ROLES.has(v.role.name))) return;
      const subjects = reportableSubjects(v.binding).filter((s) => {
        if (s.subject.kind === 'ServiceAccount') return s.subject.name === 'default';
        return s.subject.kind === 'User' && serviceAccountOfUser(s.subject.name)?.name === 'default';
      });
      if (subjects.length === 0) return;
      const count = v.role.rules.length;
      const summary = count === 1 ? ruleText(v.role.rules[0].rule) : `${count} rules`;
      for (const s of subjects) {
        const ns = s.subject.kind === 'ServiceAccount' ? (s.subject.namespace ?? UNSET_NAMESPACE) : (serviceAccountOfUser(s.subject.name)?.namespace ?? UNSET_NAMESPACE);
        const namespace = ns === UNSET_NAMESPACE ? 'the namespace it is installed into' : `namespace \`${ns}\``;
        reportSubjects(context, v, { messageId: 'defaultSa', data: { summary, namespace }, severity: v.scope === undefined ? 'high' : 'medium', ref: v.role.rules[0], subjects: [s] });
      }
    });
  },
});
