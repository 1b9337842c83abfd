import { defineRule } from '../../core/rule.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { CP_DOCS, CP_MITRE, CP_NSA, addAt, judgeable, kubeMinor, shown } from './settings.js';

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
      'Without `--client-ca-file` it accepts no client certificates, so kubelets, the controller manager and administrators fall back to long-lived bearer tokens, which can be replayed wherever they leak. ' +
      'Before 1.12, `--secure-port=0` turned HTTPS off altogether (high; medium when the version is unknown, since 1.12 and later refuse the value and do not start).',
    remediation: 'Give kube-apiserver a certificate signed by the cluster CA (`--tls-cert-file`, `--tls-private-key-file`, with the API server\'s names and service IP in its SANs) and `--client-ca-file=/etc/kubernetes/pki/ca.crt` so components authenticate with certificates.',
    references: [CP_DOCS.controllingAccess, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.24', '1.2.25'], nsa: [CP_NSA.controlPlane, CP_NSA.authn], mitre: [CP_MITRE.adversaryInTheMiddle] },
    messages: {
      missing: '{{container}} in {{resource}} runs kube-apiserver without {{missing}}: {{effects}}',
      noSecurePort: '{{container}} in {{resource}} runs kube-apiserver {{version}}with `{{flag}}`: it serves no HTTPS at all, so every client uses the unauthenticated insecure port{{unknown}}',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'tls-cert-file': null, 'tls-private-key-file': null })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'client-ca-file': null })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'secure-port': '0' }), { image: 'k8s.gcr.io/kube-apiserver-amd64:v1.11.10' }),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // 1.12 and later refuse --secure-port=0: the pod would not start, which is no exposure
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'secure-port': '0' }), { image: 'registry.k8s.io/kube-apiserver:v1.31.0' }),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const minor = kubeMinor(c);
        const securePort = c.flags.get('secure-port');
        // before 1.12, 0 turned HTTPS off; from 1.12 the API server refuses it and does not start
        if (securePort !== undefined && c.flags.int('secure-port') === 0 && (minor === undefined || minor < 12)) {
          const version = c.version ? `v${c.version.major}.${c.version.minor} ` : '';
          const unknown = minor === undefined ? ' (on versions before 1.12; later ones refuse to start with it)' : '';
          context.report({ node: container, messageId: 'noSecurePort', severity: minor === undefined ? 'medium' : 'high', at: securePort.at, data: { flag: shown('secure-port', securePort), version, unknown }, evidence: shown('secure-port', securePort) });
          return;
        }
        const cert = ['tls-cert-file', 'tls-private-key-file'].filter((f) => !c.flags.string(f));
        const ca = c.flags.string('client-ca-file') ? [] : ['client-ca-file'];
        const missing = [...cert, ...ca];
        if (missing.length === 0) return;
        const effects = [
          ...(cert.length > 0 ? ['it serves a self-signed certificate no client can verify'] : []),
          ...(ca.length > 0 ? ['it accepts no client certificates'] : []),
        ].join(', and ');
        // one CIS item per missing half: the serving certificate, the client CA
        const cis = [...(cert.length > 0 ? ['1.2.24'] : []), ...(ca.length > 0 ? ['1.2.25'] : [])];
        context.report({ node: container, messageId: 'missing', at: addAt(c), data: { missing: joinAnd(missing.map((f) => `\`--${f}\``)), effects }, evidence: `${missing.map((f) => `--${f}`).join(', ')} not set`, frameworks: { cis } });
      },
    };
  },
});
