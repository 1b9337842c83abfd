import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-016',
    title: 'API server weakens service account token validation',
    severity: 'medium',
    door: 'control-plane',
    description:
      'Service account tokens are the credentials of every workload. With `--service-account-lookup=false` the API server checks only a token\'s signature, not that its service account (or, for old secret-based tokens, its Secret) still exists: ' +
      'deleting a leaked token\'s Secret or service account no longer revokes it, and a stolen legacy token — which never expires — works for as long as the signing key lives. ' +
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
        if (lookup !== undefined && !c.flags.bool('service-account-lookup', true)) {
          context.report({ node: container, messageId: 'noLookup', at: lookup.at, data: { flag: shown('service-account-lookup', lookup) }, evidence: shown('service-account-lookup', lookup) });
        }
        if (!c.flags.string('service-account-key-file')) {
          context.report({ node: container, messageId: 'noKeyFile', severity: 'low', at: addAt(c), evidence: '--service-account-key-file not set' });
        }
      },
    };
  },
});
