import { UNSET_NAMESPACE } from '../../inventory/inventory.js';
import { DISCOVERY_ROLES } from '../../inventory/rbac-builtin.js';
import { ruleText, serviceAccountOfUser, type BoundSubject } from '../../inventory/rbac.js';
import { bySeverity, defineSubjectFact, GRANT_MESSAGES, MITRE, NSA_RBAC, RBAC_DOCS } from './common.js';

/** The namespace of a `default` service account subject (either form), undefined for any other subject. */
function defaultAccountNamespace(s: BoundSubject): string | undefined {
  if (s.subject.kind === 'ServiceAccount') return s.subject.name === 'default' ? (s.subject.namespace ?? UNSET_NAMESPACE) : undefined;
  const sa = s.subject.kind === 'User' ? serviceAccountOfUser(s.subject.name) : undefined;
  return sa?.name === 'default' ? sa.namespace : undefined;
}

export default defineSubjectFact({
  meta: {
    id: 'KM-RB-020',
    title: 'Default service account has permissions',
    severity: 'high',
    door: 'rbac',
    description:
      'Every pod that does not name a service account runs as its namespace\'s `default` one, and, unless told otherwise, carries its ' +
      'token. Permissions bound to `default` therefore go to every such pod: a web app with a remote-code-execution bug, a debug ' +
      'container, a third-party chart nobody read. Out of the box `default` can do nothing beyond API discovery; any binding to it ' +
      'is reported, cluster-wide ones higher. When the binding also grants a capability another rule reports (Secrets, exec, …), ' +
      'this fact joins that finding instead of repeating it at the same line.',
    remediation:
      'Create a dedicated service account for the workload that needs the permissions, bind the role to it, and set ' +
      '`serviceAccountName` in that workload. Leave `default` without bindings and set `automountServiceAccountToken: false` on it.',
    references: [RBAC_DOCS.serviceAccounts, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.5', '5.1.6'], nsa: [NSA_RBAC], mitre: [MITRE.defaultAccounts] },
    messages: {
      ...GRANT_MESSAGES,
      defaultSa: '{{subject}} gets {{role}} {{scope}} through {{resource}} ({{summary}}): {{fact}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: config-reader, namespace: lab-apps}
rules:
  - {apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-config-reader, namespace: lab-apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-reader}
subjects:
  - {kind: ServiceAccount, name: default, namespace: lab-apps}`,
      // the worse of the two facts at this subject: one finding, the Secret read listed in it
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: tls-reader, namespace: web}
rules:
  - {apiGroups: [""], resources: ["secrets"], resourceNames: ["web-tls"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-tls, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tls-reader}
subjects:
  - {kind: ServiceAccount, name: default, namespace: web}`,
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
  judge(_binding, subject, role, scope) {
    if (role.rules.length === 0 || (role.builtin && DISCOVERY_ROLES.has(role.name))) return undefined;
    const ns = defaultAccountNamespace(subject);
    if (ns === undefined) return undefined;
    const namespace = ns === UNSET_NAMESPACE ? 'the namespace it is installed into' : `namespace \`${ns}\``;
    const summary = role.rules.length === 1 ? ruleText(role.rules[0].rule) : `${role.rules.length} rules`;
    return { text: `every pod in ${namespace} that names no service account runs with it`, severity: bySeverity(scope, 'high', 'medium'), summary };
  },
});
