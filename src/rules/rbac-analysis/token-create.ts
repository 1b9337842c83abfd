import { defineRule } from '../../core/rule.js';
import type { Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, verbMatches, type PolicyRule } from '../../inventory/rbac.js';
import { bestMatch, bindingVisitors, isClusterAdminBinding, MITRE, namesText, NSA_RBAC, RBAC_DOCS, reportSubjects } from './common.js';

function mintsTokens(r: PolicyRule): PolicyRule | undefined {
  return groupMatches(r, '') && resourceMatches(r, 'serviceaccounts', 'token') && verbMatches(r, 'create') ? r : undefined;
}

export default defineRule({
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
    messages: {
      token: '{{subject}} can mint tokens for {{accounts}} {{scope}} (`create serviceaccounts/token`) through {{resource}} → {{role}}',
    },
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
  create(context) {
    return bindingVisitors(context, (v) => {
      if (isClusterAdminBinding(v)) return;
      const hit = bestMatch(v.role, mintsTokens, (r) => (r.resourceNames.length === 0 ? 1 : 0));
      if (hit === undefined) return;
      const named = hit.value.resourceNames.length > 0;
      const severity: Severity = v.scope === undefined ? (named ? 'high' : 'critical') : named ? 'low' : 'medium';
      const accounts = named ? `the service accounts${namesText(hit.value)}` : v.scope === undefined ? 'every service account' : 'every service account of the namespace';
      reportSubjects(context, v, { messageId: 'token', data: { accounts }, severity, ref: hit.ref });
    });
  },
});
