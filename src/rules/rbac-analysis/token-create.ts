import { groupMatches, resourceMatches, verbMatches } from '../../inventory/rbac.js';
import { bySeverity, defineCapability, GRANT_MESSAGES, MITRE, namesText, NSA_RBAC, RBAC_DOCS, strongestRule } from './common.js';

export default defineCapability({
  meta: {
    id: 'KM-RB-016',
    title: 'Creates service-account tokens',
    severity: 'critical',
    door: 'rbac',
    description:
      '`create serviceaccounts/token` (the TokenRequest API) mints a fresh, valid token for a service account: whoever holds it can ' +
      'act as any service account in reach, for as long as the token lives (up to the API server\'s maximum, often a year), and the ' +
      'token works from outside the cluster. Cluster-wide this includes the controllers in kube-system. `resourceNames` limit it to the ' +
      'named accounts.',
    remediation:
      'Remove `serviceaccounts/token` from the role. Pods get their own tokens through projected volumes without it; a workload that must ' +
      'mint tokens should be limited to the one account it needs with `resourceNames`, in its own namespace.',
    references: [RBAC_DOCS.tokenRequest, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.13'], nsa: [NSA_RBAC], mitre: [MITRE.stealApplicationAccessToken, MITRE.validAccounts] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: token-minter}
rules:
  - {apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: vault-token-minter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: token-minter}
subjects:
  - {kind: ServiceAccount, name: vault, namespace: vault}`,
    ],
    pass: [
      // reading service accounts, or creating them, does not mint tokens
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: sa-admin, namespace: apps}
rules:
  - {apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "list", "create", "update"]}
  - {apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: sa-admin, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: sa-admin}
subjects:
  - {kind: ServiceAccount, name: operator}`,
    ],
  },
  judge: (rules, scope) =>
    strongestRule(rules, (r) => {
      if (!groupMatches(r, '') || !resourceMatches(r, 'serviceaccounts', 'token') || !verbMatches(r, 'create')) return undefined;
      const named = r.resourceNames.length > 0;
      const accounts = named ? `the service accounts${namesText(r)}` : scope === 'cluster' ? 'every service account' : 'every service account of the namespace';
      return { what: `mint tokens for ${accounts} (\`create serviceaccounts/token\`)`, severity: named ? bySeverity(scope, 'high', 'low') : bySeverity(scope, 'critical', 'medium') };
    }),
});
