import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { admissionOf } from './admission.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-008',
    title: 'API server does not enable the NodeRestriction admission plugin',
    severity: 'medium',
    door: 'control-plane',
    description:
      'NodeRestriction keeps each kubelet to its own Node object and the pods bound to it. Without it, the credential of one compromised node (every container escape lands next to it) can relabel or taint other nodes, ' +
      'set `node-restriction.kubernetes.io/` labels on itself to attract workloads pinned to "trusted" nodes, and modify or delete other nodes\' pods. It is not on by default; kubeadm enables it.',
    remediation: 'Add NodeRestriction to `--enable-admission-plugins` on kube-apiserver (for example `--enable-admission-plugins=NodeRestriction`), with the Node authorizer in `--authorization-mode`.',
    references: [CP_DOCS.admission, CP_DOCS.nodeAuthorizer],
    frameworks: { cis: ['1.2.14'], nsa: [CP_NSA.controlPlane], mitre: [MITRE.escapeToHost, MITRE.validAccounts] },
    messages: {
      missing: '{{container}} in {{resource}} runs kube-apiserver without the NodeRestriction admission plugin ({{why}}): a compromised node\'s kubelet can change other nodes and their pods',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'enable-admission-plugins': null })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'enable-admission-plugins': 'PodNodeSelector' })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'enable-admission-plugins': 'NodeRestriction,PodNodeSelector,EventRateLimit', 'admission-control-config-file': '/etc/kubernetes/admission.yaml' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const admission = admissionOf(c, addAt(c));
        if (admission.enabled('NodeRestriction')) return;
        const disabled = admission.disabledBy('NodeRestriction');
        const flag = disabled ?? admission.enableFlag;
        const name = disabled ? 'disable-admission-plugins' : admission.enableFlagName;
        const why = flag === undefined ? `\`--${admission.enableFlagName}\` not set` : `\`${shown(name, flag)}\``;
        context.report({ node: container, messageId: 'missing', at: flag?.at ?? admission.addAt, data: { why }, evidence: flag ? shown(name, flag) : `--${admission.enableFlagName} not set` });
      },
    };
  },
});
