import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_CONTROLLER_MANAGER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA, judgeable } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-018',
    title: 'Controller manager lacks the service account signing key or the root CA',
    severity: 'medium',
    door: 'control-plane',
    description:
      'kube-controller-manager signs service account tokens with `--service-account-private-key-file` and publishes `--root-ca-file` to every namespace (the `kube-root-ca.crt` ConfigMap, and `ca.crt` in token volumes). ' +
      'Without the key, it signs nothing and token handling depends on whatever the API server falls back to, so keys cannot be rotated deliberately. ' +
      'Without the root CA, pods get no CA bundle for the API server: clients either fail or are configured to skip certificate verification, and anyone on the path can then impersonate the API server to them and collect their tokens.',
    remediation: 'Set `--service-account-private-key-file=/etc/kubernetes/pki/sa.key` (the private half of the API server\'s `--service-account-key-file`) and `--root-ca-file=/etc/kubernetes/pki/ca.crt` on kube-controller-manager.',
    references: [CP_DOCS.serviceAccountsAdmin, CP_DOCS.controllerManager],
    frameworks: { cis: ['1.3.4', '1.3.5'], nsa: [CP_NSA.authn, CP_NSA.controlPlane], mitre: [MITRE.stealApplicationAccessToken, CP_MITRE.adversaryInTheMiddle] },
    messages: {
      missing: '{{container}} in {{resource}} runs kube-controller-manager without {{missing}}: {{effects}}',
    },
  },
  examples: {
    fail: [
      staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'root-ca-file': null })),
      staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'service-account-private-key-file': null, 'root-ca-file': null })),
    ],
    pass: [staticPod('kube-controller-manager', HARDENED_CONTROLLER_MANAGER)],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-controller-manager');
        if (container === undefined) return;
        const key = !c.flags.string('service-account-private-key-file');
        const ca = !c.flags.string('root-ca-file');
        if (!key && !ca) return;
        const missing = [...(key ? ['`--service-account-private-key-file`'] : []), ...(ca ? ['`--root-ca-file`'] : [])].join(' and ');
        const effects = [...(key ? ['it signs no service account tokens'] : []), ...(ca ? ['pods get no CA bundle to verify the API server'] : [])].join(', and ');
        // one CIS item per missing flag: 1.3.4 the signing key, 1.3.5 the root CA
        const cis = [...(key ? ['1.3.4'] : []), ...(ca ? ['1.3.5'] : [])];
        context.report({ node: container, messageId: 'missing', at: addAt(c), data: { missing, effects }, evidence: `${missing.replace(/`/g, '')} not set`, frameworks: { cis } });
      },
    };
  },
});
