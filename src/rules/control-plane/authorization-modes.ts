import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-003',
    title: 'API server authorization lacks Node or RBAC',
    severity: 'medium',
    door: 'control-plane',
    description:
      'The Node authorizer limits each kubelet to the Secrets, ConfigMaps and volumes of the pods scheduled on its own node. Without it, kubelets need a broad RBAC grant instead (the `system:node` role bound to the `system:nodes` group), ' +
      'and then one compromised node — a container escape on any worker — reads every Secret in the cluster with its kubelet credential. ' +
      'Without RBAC, permissions come from an ABAC policy file or a webhook: a static file that needs an API server restart to change and cannot be reviewed with the usual tools, or an external service kubemoat cannot see. ' +
      'Neither is an open door by itself (the AlwaysAllow case is KM-CP-002), hence medium. When `--authorization-config` replaces the flag, the authorizers live in that file and this rule stays silent.',
    remediation: 'Set `--authorization-mode=Node,RBAC` on kube-apiserver (add Webhook after them if an external authorizer is needed), together with the NodeRestriction admission plugin (KM-CP-007).',
    references: [CP_DOCS.nodeAuthorizer, CP_DOCS.authorization, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.7', '1.2.8'], nsa: [CP_NSA.rbac], mitre: [MITRE.unsecuredCredentials, MITRE.validAccounts] },
    messages: {
      noNode: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`, without the Node authorizer: kubelets are not limited to their own pods\' Secrets',
      noRbac: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`, without RBAC: access is not governed by Roles and RoleBindings',
      neither: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`, without the Node authorizer or RBAC: kubelets are not limited to their own pods\' Secrets, and access is not governed by Roles and RoleBindings',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'RBAC' })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'Node,ABAC', 'authorization-policy-file': '/etc/kubernetes/abac.jsonl' })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'Node,RBAC,Webhook', 'authorization-webhook-config-file': '/etc/kubernetes/authz-webhook.yaml' })),
      // AlwaysAllow is KM-CP-002's finding, not this rule's
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'AlwaysAllow' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const flag = c.flags.get('authorization-mode');
        if (flag === undefined) return; // absent: AlwaysAllow, reported by KM-CP-002 (or an --authorization-config file)
        const modes = c.flags.list('authorization-mode');
        if (modes.includes('AlwaysAllow') || modes.length === 0) return;
        const node = modes.includes('Node');
        const rbac = modes.includes('RBAC');
        if (node && rbac) return;
        const data = { flag: shown('authorization-mode', flag) };
        context.report({ node: container, messageId: node ? 'noRbac' : rbac ? 'noNode' : 'neither', at: flag.at, data, evidence: data.flag });
      },
    };
  },
});
