import { defineRule } from '../../core/rule.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA, judgeable } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-006',
    title: 'API server connects to kubelets without verifying them or without a client certificate',
    severity: 'medium',
    door: 'control-plane',
    description:
      'The API server opens HTTPS connections to every kubelet for `kubectl exec`, `attach`, `logs` and `port-forward`. ' +
      'Without `--kubelet-certificate-authority` it does not check the kubelet\'s serving certificate, so whoever can intercept or impersonate a node address (ARP or DNS spoofing on the node network, a rogue node) sees and changes every exec session and log stream through it. ' +
      'Without `--kubelet-client-certificate` and `--kubelet-client-key` it presents no identity, so kubelets can only serve it if they accept anonymous requests — the kubelet door (KM-KL-001) opened for everyone. ' +
      'kubeadm sets the client certificate but not the authority, because kubelets serve self-signed certificates unless `serverTLSBootstrap` is on.',
    remediation:
      'Enable kubelet serving certificates signed by the cluster CA (`serverTLSBootstrap: true` in the KubeletConfiguration, then approve the CSRs), and set `--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt` on kube-apiserver. Keep `--kubelet-client-certificate` and `--kubelet-client-key` set (kubeadm\'s `apiserver-kubelet-client` certificate), and set the kubelets\' `authentication.anonymous.enabled: false`.',
    references: [CP_DOCS.kubeletAuth, CP_DOCS.controllingAccess, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.4', '1.2.5'], nsa: [CP_NSA.controlPlane], mitre: [CP_MITRE.adversaryInTheMiddle] },
    messages: {
      noAuthority: '{{container}} in {{resource}} runs kube-apiserver without `--kubelet-certificate-authority`: it does not verify the kubelets it sends exec, attach and log traffic to',
      noClientCert: '{{container}} in {{resource}} runs kube-apiserver without {{missing}}: it cannot authenticate to kubelets, which then have to accept anonymous requests',
      neither: '{{container}} in {{resource}} runs kube-apiserver without `--kubelet-certificate-authority` and without {{missing}}: it neither verifies kubelets nor authenticates to them',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', KUBEADM_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'kubelet-client-certificate': null, 'kubelet-client-key': null })),
    ],
    pass: [staticPod('kube-apiserver', HARDENED_APISERVER)],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const authority = Boolean(c.flags.string('kubelet-certificate-authority'));
        const missing = ['kubelet-client-certificate', 'kubelet-client-key'].filter((f) => !c.flags.string(f));
        if (authority && missing.length === 0) return;
        const missingText = missing.map((f) => `\`--${f}\``).join(' and ');
        const messageId = !authority && missing.length > 0 ? 'neither' : authority ? 'noClientCert' : 'noAuthority';
        const evidence = [...(authority ? [] : ['--kubelet-certificate-authority']), ...missing.map((f) => `--${f}`)].join(', ') + ' not set';
        // one CIS item per missing half: 1.2.4 the client certificate, 1.2.5 the authority
        const cis = [...(missing.length > 0 ? ['1.2.4'] : []), ...(authority ? [] : ['1.2.5'])];
        context.report({ node: container, messageId, at: addAt(c), data: { missing: missingText }, evidence, frameworks: { cis } });
      },
    };
  },
});
