import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { CP_DOCS, CP_NSA, addAt, judgeable, kubeMinor, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-016',
    title: 'API server weakens service account token validation',
    severity: 'medium',
    door: 'control-plane',
    description:
      'Service account tokens are the credentials of every workload. With `--service-account-lookup=false` the API server checks only a token\'s signature, not that its service account (or, for old secret-based tokens, its Secret) still exists: ' +
      'deleting a leaked token\'s Secret or service account no longer revokes it, and a stolen legacy token — which never expires — works for as long as the signing key lives. Before 1.7 that was the default when the flag was left out. ' +
      'Without `--service-account-key-file` the API server verifies tokens with its own TLS serving key, tying token signing to the serving certificate so neither can be rotated alone (low).',
    remediation: 'Remove `--service-account-lookup=false` (the default is true). Give kube-apiserver a dedicated key pair: `--service-account-key-file=/etc/kubernetes/pki/sa.pub` with `--service-account-signing-key-file=/etc/kubernetes/pki/sa.key`, and the same private key to kube-controller-manager.',
    references: [CP_DOCS.serviceAccountsAdmin, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.21', '1.2.22'], nsa: [CP_NSA.authn], mitre: [MITRE.stealApplicationAccessToken] },
    messages: {
      noLookup: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`: deleting a service account or its token Secret does not revoke tokens already issued',
      noKeyFile: '{{container}} in {{resource}} runs kube-apiserver without `--service-account-key-file`: service account tokens are verified with the TLS serving key',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'service-account-lookup': 'false' })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'service-account-key-file': null, 'service-account-signing-key-file': null, 'service-account-issuer': null }), { image: 'k8s.gcr.io/kube-apiserver:v1.19.16' }),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'service-account-lookup': 'true' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const lookup = c.flags.get('service-account-lookup');
        // the default became true in 1.7; before, leaving the flag out meant no lookup
        const minor = kubeMinor(c);
        const lookupDefault = minor === undefined || minor >= 7;
        if (!c.flags.bool('service-account-lookup', lookupDefault)) {
          const flag = lookup === undefined ? '--service-account-lookup not set (false before 1.7)' : shown('service-account-lookup', lookup);
          context.report({ node: container, messageId: 'noLookup', at: lookup?.at ?? addAt(c), data: { flag }, evidence: flag });
        }
        if (!c.flags.string('service-account-key-file')) {
          context.report({ node: container, messageId: 'noKeyFile', severity: 'low', at: addAt(c), evidence: '--service-account-key-file not set' });
        }
      },
    };
  },
});
