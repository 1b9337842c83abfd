import { defineRule } from '../../core/rule.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA, judgeable } from './settings.js';

function joinAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export default defineRule({
  meta: {
    id: 'KM-CP-014',
    title: 'API server has no serving certificate or no client CA',
    severity: 'medium',
    door: 'control-plane',
    description:
      'Without `--tls-cert-file` and `--tls-private-key-file`, kube-apiserver generates a self-signed certificate at start: no client can verify it, so clients are configured to skip verification, and whoever intercepts the connection collects their tokens. ' +
      'Without `--client-ca-file` it accepts no client certificates, so kubelets, the controller manager and administrators fall back to long-lived bearer tokens, which can be replayed wherever they leak.',
    remediation: 'Give kube-apiserver a certificate signed by the cluster CA (`--tls-cert-file`, `--tls-private-key-file`, with the API server\'s names and service IP in its SANs) and `--client-ca-file=/etc/kubernetes/pki/ca.crt` so components authenticate with certificates.',
    references: [CP_DOCS.controllingAccess, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.24', '1.2.25'], nsa: [CP_NSA.controlPlane, CP_NSA.authn], mitre: [CP_MITRE.adversaryInTheMiddle] },
    messages: {
      missing: '{{container}} in {{resource}} runs kube-apiserver without {{missing}}: {{effects}}',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'tls-cert-file': null, 'tls-private-key-file': null })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'client-ca-file': null })),
    ],
    pass: [staticPod('kube-apiserver', HARDENED_APISERVER)],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const cert = ['tls-cert-file', 'tls-private-key-file'].filter((f) => !c.flags.string(f));
        const ca = c.flags.string('client-ca-file') ? [] : ['client-ca-file'];
        const missing = [...cert, ...ca];
        if (missing.length === 0) return;
        const effects = [
          ...(cert.length > 0 ? ['it serves a self-signed certificate no client can verify'] : []),
          ...(ca.length > 0 ? ['it accepts no client certificates'] : []),
        ].join(', and ');
        context.report({ node: container, messageId: 'missing', at: addAt(c), data: { missing: joinAnd(missing.map((f) => `\`--${f}\``)), effects }, evidence: `${missing.map((f) => `--${f}`).join(', ')} not set` });
      },
    };
  },
});
