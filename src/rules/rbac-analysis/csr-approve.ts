import type { Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, verbMatches, type RuleRef } from '../../inventory/rbac.js';
import { defineCapability, GRANT_MESSAGES, MITRE, NSA_RBAC, RBAC_DOCS, type Capability } from './common.js';

const CERTS = 'certificates.k8s.io';
const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

type SignerReach = 'client' | 'kubelet' | 'other';

function reachOf(names: readonly string[]): SignerReach {
  if (names.length === 0 || names.includes(CLIENT_SIGNER) || names.includes('kubernetes.io/*')) return 'client';
  return names.includes(KUBELET_CLIENT_SIGNER) ? 'kubelet' : 'other';
}

const REACH_RANK: Record<SignerReach, number> = { client: 2, kubelet: 1, other: 0 };

/**
 * Approving takes both halves: `update` (or `patch`) of `certificatesigningrequests/approval`, and
 * `approve` on the request's signer (the CertificateApproval admission plugin checks it, by signer
 * name or `domain/*`). One without the other approves nothing.
 */
function judge(rules: readonly RuleRef[]): Capability | undefined {
  let approval: RuleRef | undefined;
  let signer: { ref: RuleRef; reach: SignerReach } | undefined;
  let create: RuleRef | undefined;
  for (const ref of rules) {
    const r = ref.rule;
    if (!groupMatches(r, CERTS)) continue;
    if (!approval && resourceMatches(r, 'certificatesigningrequests', 'approval') && (verbMatches(r, 'update') || verbMatches(r, 'patch'))) approval = ref;
    if (!create && resourceMatches(r, 'certificatesigningrequests') && verbMatches(r, 'create') && r.resourceNames.length === 0) create = ref;
    if (resourceMatches(r, 'signers') && verbMatches(r, 'approve')) {
      const reach = reachOf(r.resourceNames);
      if (!signer || REACH_RANK[reach] > REACH_RANK[signer.reach]) signer = { ref, reach };
    }
  }
  if (approval === undefined || signer === undefined) return undefined;
  const refs = [approval, signer.ref, ...(create ? [create] : [])].filter((ref, i, all) => all.indexOf(ref) === i);
  const signers = signer.ref.rule.resourceNames.join(', ');
  const judged: Record<SignerReach, { what: string; severity: Severity }> = {
    client: create
      ? { what: 'request and approve client certificates for any user or group, system:masters included (CSR approval and the kube-apiserver-client signer)', severity: 'critical' }
      : { what: 'approve client certificates that others request, for any user or group, system:masters included (CSR approval and the kube-apiserver-client signer)', severity: 'high' },
    kubelet: { what: 'approve kubelet client certificates: the identity of any node (CSR approval and the kube-apiserver-client-kubelet signer)', severity: 'high' },
    other: { what: `approve certificate requests for the signer${signer.ref.rule.resourceNames.length === 1 ? '' : 's'} ${signers}`, severity: 'medium' },
  };
  return { ...judged[signer.reach], refs };
}

export default defineCapability({
  meta: {
    id: 'KM-RB-017',
    title: 'Approves certificate signing requests',
    severity: 'critical',
    door: 'rbac',
    description:
      'Approving a CertificateSigningRequest takes both `update` on `certificatesigningrequests/approval` and `approve` on the signer; ' +
      'either alone approves nothing and is not reported. With the ' +
      '`kubernetes.io/kube-apiserver-client` signer (or `kubernetes.io/*`) the subject can request and approve a client certificate for ' +
      'any name and group, `system:masters` included: a credential that authorization never checks and that cannot be revoked until it ' +
      'expires (high when it cannot create requests itself and approves what others submit). The kubelet client signer mints the ' +
      'identity of any node; other signers their own certificates. CSRs are cluster-scoped, so only ClusterRoleBindings grant this.',
    remediation:
      'Leave CSR approval to the controller manager. Remove `certificatesigningrequests/approval` and `signers` `approve` from other roles, ' +
      'or limit `approve` with `resourceNames` to a custom signer that cannot issue API-server client certificates.',
    references: [RBAC_DOCS.csr, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.11'], nsa: [NSA_RBAC], mitre: [MITRE.validAccounts, MITRE.accountManipulation] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-approver}
rules:
  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get", "list", "create"]}
  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]}
  - {apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client"], verbs: ["approve"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: csr-approver}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-approver}
subjects:
  - {kind: ServiceAccount, name: cert-bot, namespace: tools}`,
    ],
    pass: [
      // requesting certificates (as kubelets do) is not approving them
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-requester}
rules:
  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create", "get", "list", "watch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: csr-requester}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-requester}
subjects:
  - {kind: ServiceAccount, name: cert-agent, namespace: tools}`,
      // approval without \`approve\` on any signer (as a \`*\` resources rule with \`patch\` has) approves nothing
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-status}
rules:
  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests", "certificatesigningrequests/approval"], verbs: ["get", "list", "update", "patch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: csr-status}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-status}
subjects:
  - {kind: ServiceAccount, name: cert-dashboard, namespace: tools}`,
    ],
  },
  clusterOnly: true,
  judge,
});
