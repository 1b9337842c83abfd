import { defineRule } from '../../core/rule.js';
import type { KubeObject } from '../../inventory/objects.js';
import { describeBinding, describeRole, describeSubject, rbacGraph, subjectRefOf } from '../../inventory/rbac.js';
import { escalationAnalysis } from '../../inventory/rbac-escalation.js';
import { MITRE, NSA_RBAC, RBAC_DOCS } from './common.js';

export default defineRule({
  meta: {
    id: 'KM-RB-030',
    title: 'Escalation path to admin-equivalent power',
    severity: 'critical',
    door: 'rbac',
    description:
      'Permissions chain. A subject that can create pods in a namespace can run them as any service account there and so holds ' +
      'that account\'s permissions; so does one that can mint its tokens, impersonate it, exec into its pods or create and read back a ' +
      'token Secret for it. kubemoat follows these steps from every subject, through every account it reaches, until none is new, ' +
      'and reports the shortest chain that ends in admin-equivalent power: cluster-admin or `*` on `*`, reading every Secret, running ' +
      'pods in every namespace, the kubelet API of every node, binding cluster-admin, escalating ClusterRoles, impersonating ' +
      '`system:masters` or minting its client certificates. Each link looks harmless on its own; the chain is the attack.',
    remediation:
      'Break the chain at its first link: remove the permission the subject uses to become the next account (pod or controller ' +
      'creation, token creation, impersonation, exec), or move the powerful service account out of the namespace the subject can ' +
      'reach. Then re-run kubemoat: another chain may remain.',
    references: [RBAC_DOCS.goodPractices, RBAC_DOCS.escalationPrevention],
    frameworks: { cis: ['5.1.1', '5.1.4', '5.1.8'], nsa: [NSA_RBAC], mitre: [MITRE.validAccounts, MITRE.deployContainer, MITRE.stealApplicationAccessToken] },
    messages: {
      chain: '{{subject}} can reach admin-equivalent power in {{count}}: {{chain}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: build}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: build}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-runner, namespace: build}
rules:
  - {apiGroups: [""], resources: ["pods"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-runs-pods, namespace: build}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-runner}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: ci}`,
    ],
    pass: [
      // the namespace the subject can run pods in holds no account more powerful than itself
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: prod}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: prod}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-runner, namespace: build}
rules:
  - {apiGroups: [""], resources: ["pods"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-runs-pods, namespace: build}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-runner}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: ci}`,
    ],
  },
  create(context) {
    const visit = (o: KubeObject): void => {
      const graph = rbacGraph(context.inventory);
      const b = graph.bindingOf(o);
      if (b === undefined) return;
      const chains = escalationAnalysis(graph).chainsByBinding.get(b);
      for (const chain of chains ?? []) {
        const steps = chain.steps.length;
        const p = chain.power.grant;
        context.report({
          node: o,
          messageId: 'chain',
          at: ['subjects', chain.first.subject.index],
          data: { subject: describeSubject(chain.start), count: `${steps} step${steps === 1 ? '' : 's'}`, chain: chain.text },
          subjects: [subjectRefOf(chain.start)],
          evidence: `first step through ${describeBinding(b)} → ${describeRole(chain.first.role)}; the power through ${describeBinding(p.binding)} → ${describeRole(p.role)}`,
        });
      }
    };
    return { kinds: { RoleBinding: visit, ClusterRoleBinding: visit } };
  },
});
