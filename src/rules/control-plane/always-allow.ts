import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-002',
    title: 'API server authorizes every request (AlwaysAllow)',
    severity: 'critical',
    door: 'control-plane',
    description:
      'The AlwaysAllow authorizer says yes to every request that reaches it, so any identity the API server accepts is a cluster administrator: every service account token mounted in every pod, every kubelet, and — with anonymous authentication on — anyone with no credentials at all. ' +
      'Its position in the list does not help: RBAC and Node never deny, they only have no opinion, and the request then falls through to AlwaysAllow. ' +
      'It is also what kube-apiserver uses when `--authorization-mode` is not given at all (and no `--authorization-config` file is), which is how a hand-made control plane ends up with it.',
    remediation:
      'Set `--authorization-mode=Node,RBAC` (no AlwaysAllow) on kube-apiserver, and grant access with Roles and RoleBindings. Before switching, list what relies on the open door: `kubectl auth can-i --list --as=system:serviceaccount:<ns>:<sa>` shows what each account will keep.',
    references: [CP_DOCS.authorization, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.6'], nsa: [CP_NSA.rbac, CP_NSA.controlPlane], mitre: [MITRE.validAccounts, MITRE.deployContainer, MITRE.containerApi] },
    messages: {
      explicit: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`: every authenticated request is allowed{{anonymous}}',
      default: '{{container}} in {{resource}} runs kube-apiserver without `--authorization-mode`, which defaults to AlwaysAllow: every authenticated request is allowed{{anonymous}}',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'authorization-mode': 'AlwaysAllow' })),
      // AlwaysAllow after RBAC still allows whatever RBAC has no rule for
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'Node,RBAC,AlwaysAllow' })),
      // no --authorization-mode at all
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': null })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // structured authorization configuration replaces the flag
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': null, 'authorization-config': '/etc/kubernetes/authz/config.yaml' })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'Node,RBAC,Webhook' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const flag = c.flags.get('authorization-mode');
        const anonymous = c.flags.bool('anonymous-auth', true) && !(c.flags.has('authentication-config') && !c.flags.has('anonymous-auth'))
          ? ', and anonymous requests are on, so that includes requests with no credentials at all'
          : '';
        if (flag === undefined) {
          if (c.flags.has('authorization-config')) return;
          context.report({ node: container, messageId: 'default', at: addAt(c), data: { anonymous }, evidence: '--authorization-mode not set (default AlwaysAllow)' });
          return;
        }
        if (!c.flags.list('authorization-mode').includes('AlwaysAllow')) return;
        const at = c.flags.all('authorization-mode').find((f) => (f.value ?? '').split(',').map((s) => s.trim()).includes('AlwaysAllow'))?.at ?? flag.at;
        context.report({ node: container, messageId: 'explicit', at, data: { flag: shown('authorization-mode', flag), anonymous }, evidence: shown('authorization-mode', flag) });
      },
    };
  },
});
