import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { admissionOf } from './admission.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-007',
    title: 'API server admission control is AlwaysAdmit',
    severity: 'high',
    door: 'control-plane',
    description:
      'AlwaysAdmit is the deprecated admission plugin that accepts everything. Listed with other plugins it changes nothing — every plugin must admit a request, and the others still run — so kubemoat reports it as low, for cleanup. ' +
      'It is high when it is all that runs: with the old `--admission-control=AlwaysAdmit` (the default before Kubernetes 1.10) there is no Pod Security admission, no ServiceAccount, no NodeRestriction, no webhooks — nothing checks what is created, so any user allowed to create a pod can run it privileged on any node.',
    remediation: 'Remove AlwaysAdmit from `--enable-admission-plugins`. On old versions, replace `--admission-control` with `--enable-admission-plugins=NodeRestriction` (the defaults stay on), or list at least NamespaceLifecycle, LimitRanger, ServiceAccount, NodeRestriction and ResourceQuota; then upgrade.',
    references: [CP_DOCS.admission, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.10'], nsa: [CP_NSA.controlPlane], mitre: [MITRE.deployContainer, MITRE.escapeToHost] },
    messages: {
      only: '{{container}} in {{resource}} runs kube-apiserver with {{how}}: no other admission plugin runs, so nothing checks what is created',
      redundant: '{{container}} in {{resource}} runs kube-apiserver with the deprecated AlwaysAdmit plugin in `{{flag}}` (it changes nothing while other plugins run; remove it)',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'enable-admission-plugins': null, 'admission-control': 'AlwaysAdmit' }), { image: 'k8s.gcr.io/kube-apiserver-amd64:v1.9.11' }),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'enable-admission-plugins': 'NodeRestriction,AlwaysAdmit' })),
      // before 1.10 AlwaysAdmit is the default
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'enable-admission-plugins': null }), { image: 'gcr.io/google_containers/kube-apiserver-amd64:v1.8.15' }),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'enable-admission-plugins': null, 'admission-control': 'NamespaceLifecycle,LimitRanger,ServiceAccount,NodeRestriction,ResourceQuota' }), { image: 'k8s.gcr.io/kube-apiserver-amd64:v1.9.11' }),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const admission = admissionOf(c, addAt(c));
        if (!admission.enabled('AlwaysAdmit')) return;
        const flag = admission.enableFlag;
        if (admission.legacy && (flag === undefined || c.flags.list('admission-control').every((p) => p === 'AlwaysAdmit'))) {
          const how = flag === undefined ? 'no `--admission-control`, whose default before 1.10 is AlwaysAdmit alone' : `\`${shown('admission-control', flag)}\``;
          context.report({ node: container, messageId: 'only', at: flag?.at ?? admission.addAt, data: { how }, evidence: flag ? shown('admission-control', flag) : '--admission-control not set (default AlwaysAdmit)' });
          return;
        }
        const at = c.flags.all(admission.enableFlagName).find((f) => (f.value ?? '').split(',').map((s) => s.trim()).includes('AlwaysAdmit')) ?? flag;
        context.report({ node: container, messageId: 'redundant', severity: 'low', at: at?.at ?? admission.addAt, data: { flag: shown(admission.enableFlagName, at) }, evidence: shown(admission.enableFlagName, at) });
      },
    };
  },
});
