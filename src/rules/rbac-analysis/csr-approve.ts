import { defineRule } from '../../core/rule.js';
import type { Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, verbMatches, type RuleRef } from '../../inventory/rbac.js';
import { bindingVisitors, isClusterAdminBinding, MITRE, NSA_RBAC, RBAC_DOCS, reportSubjects } from './common.js';
import { isWildcardRule } from '../../inventory/rbac.js';

const CERTS = 'certificates.k8s.io';
const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

export default defineRule({
  meta: {
    id: 'KM-RB-017',
    title: 'Approves certificate signing requests',
    severity: 'critical',
    door: 'rbac',
    description:
      'Approving a CertificateSigningRequest takes `update` on `certificatesigningrequests/approval` and `approve` on the signer. With the ' +
      '`kubernetes.io/kube-apiserver-client` signer (or `kubernetes.io/*`) the subject can request and approve a client certificate for ' +
      'any name and group, `system:masters` included: a credential that authorization never checks and that cannot be revoked until it ' +
      'expires. Approval rights for other signers mint kubelet or custom certificates. CSRs are cluster-scoped, so only ClusterRoleBindings grant this.',
    remediation:
      'Leave CSR approval to the controller manager. Remove `certificatesigningrequests/approval` and `signers` `approve` from other roles, ' +
      'or limit `approve` with `resourceNames` to a custom signer that cannot issue API-server client certificates.',
    references: [RBAC_DOCS.csr, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.11'], nsa: [NSA_RBAC], mitre: [MITRE.validAccounts, MITRE.accountManipulation] },
    messages: {
      approve: '{{subject}} can {{what}} through {{resource}} → {{role}}',
    },
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
    ],
  },
  create(context) {
    return bindingVisitors(context, (v) => {
      if (v.scope !== undefined || isClusterAdminBinding(v)) return;
      let approval: RuleRef | undefined;
      let signer: RuleRef | undefined;
      let clientSigner = false;
      for (const ref of v.role.rules) {
        const r = ref.rule;
        if (isWildcardRule(r) || !groupMatches(r, CERTS)) continue;
        if (!approval && resourceMatches(r, 'certificatesigningrequests', 'approval') && (verbMatches(r, 'update') || verbMatches(r, 'patch'))) approval = ref;
        if (resourceMatches(r, 'signers') && verbMatches(r, 'approve')) {
          const names = r.resourceNames;
          const client = names.length === 0 || names.includes(CLIENT_SIGNER) || names.includes('kubernetes.io/*');
          if (!signer || (client && !clientSigner)) {
            signer = ref;
            clientSigner = client;
          }
        }
      }
      if (!approval && !signer) return;
      let what: string;
      let severity: Severity;
      if (approval && signer) {
        what = clientSigner ? 'approve client certificates for any user or group, system:masters included (CSR approval and the kube-apiserver-client signer)' : `approve certificate requests for the signers ${signer.rule.resourceNames.join(', ')}`;
        severity = clientSigner ? 'critical' : 'high';
      } else if (approval) {
        what = 'approve certificate signing requests (`certificatesigningrequests/approval`); one `approve` on a signer more mints any client certificate';
        severity = 'high';
      } else {
        what = `approve for the signer${signer!.rule.resourceNames.length === 1 ? '' : 's'} ${signer!.rule.resourceNames.length ? signer!.rule.resourceNames.join(', ') : '(any)'}; with \`certificatesigningrequests/approval\` this mints certificates`;
        severity = 'medium';
      }
      reportSubjects(context, v, { messageId: 'approve', data: { what }, severity, ref: approval ?? signer });
    });
  },
});
