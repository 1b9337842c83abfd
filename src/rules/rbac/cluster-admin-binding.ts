import { defineRule } from '../../core/rule.js';
import type { KubeObject } from '../../inventory/objects.js';
import { describeSubjects, roleRefOf, subjectRefsOf, subjectsOf } from './subjects.js';

const MITRE_VALID_ACCOUNTS = 'T1078';
const MITRE_ACCOUNT_MANIPULATION = 'T1098';
const NSA_RBAC = 'NSA-CISA Authentication and authorization: role-based access control';
const DOCS_RBAC_GOOD_PRACTICES = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';
const DOCS_RBAC_DEFAULT_ROLES = 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles';

/** Holders of system:masters bypass authorization anyway; the built-in cluster-admin binding names them. */
const MASTERS = 'system:masters';

export default defineRule({
  meta: {
    id: 'KM-RB-001',
    title: 'Binding grants cluster-admin',
    severity: 'critical',
    door: 'rbac',
    description:
      'cluster-admin allows every verb on every resource. A service account bound to it turns any compromise of its pods (an RCE, an ' +
      'exposed console such as the Dashboard in the Tesla incident, a leaked token) into ownership of the whole cluster: every Secret, ' +
      'every node through a privileged pod. Users and groups bound to it are one stolen credential away from the same. A RoleBinding to ' +
      'cluster-admin grants it inside one namespace only (high): that still includes its Secrets, its pods and its RBAC. The built-in ' +
      'binding to the `system:masters` group is not reported.',
    remediation:
      'Bind a role with only the verbs and resources the subject uses (`kubectl auth can-i --list --as=…` and audit logs show what it needs); ' +
      'for people, use the `admin`, `edit` or `view` roles per namespace and keep cluster-admin for break-glass access that is audited.',
    references: [DOCS_RBAC_GOOD_PRACTICES, DOCS_RBAC_DEFAULT_ROLES],
    frameworks: { cis: ['5.1.1'], nsa: [NSA_RBAC], mitre: [MITRE_VALID_ACCOUNTS, MITRE_ACCOUNT_MANIPULATION] },
    messages: {
      cluster: '{{resource}} grants cluster-admin on the whole cluster to {{subjects}}',
      namespace: '{{resource}} grants cluster-admin {{where}} to {{subjects}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubernetes-dashboard-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: kubernetes-dashboard, namespace: kubernetes-dashboard}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: Group, name: team-a-devs, apiGroup: rbac.authorization.k8s.io}
  - {kind: ServiceAccount, name: deployer}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: Group, name: "system:masters", apiGroup: rbac.authorization.k8s.io}
  - {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}`,
    ],
    pass: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: Group, name: "system:masters", apiGroup: rbac.authorization.k8s.io}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cluster-admin}
subjects:
  - {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: everyone-in-ops, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: nobody}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}`,
    ],
  },
  create(context) {
    const check = (o: KubeObject): void => {
      const role = roleRefOf(o);
      if (role === undefined || role.kind !== 'ClusterRole' || role.name !== 'cluster-admin') return;
      const subjects = subjectsOf(o).filter((s) => !(s.kind === 'Group' && s.name === MASTERS));
      if (subjects.length === 0) return;
      const data = { subjects: describeSubjects(subjects), where: o.namespace ? `within namespace \`${o.namespace}\`` : 'within the namespace it is installed in' };
      const refs = subjectRefsOf(subjects);
      if (o.kind === 'RoleBinding') context.report({ node: o, messageId: 'namespace', data, at: ['roleRef', 'name'], severity: 'high', subjects: refs });
      else context.report({ node: o, messageId: 'cluster', data, at: ['roleRef', 'name'], subjects: refs });
    };
    return { kinds: { ClusterRoleBinding: check, RoleBinding: check } };
  },
});
