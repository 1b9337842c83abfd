import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-015',
    title: 'API server stores Secrets in etcd unencrypted',
    severity: 'medium',
    door: 'control-plane',
    description:
      'Without `--encryption-provider-config`, Secrets are written to etcd as they are — base64 is an encoding, not encryption. Every etcd snapshot, backup bucket, copied data directory or disk of a control-plane node then holds every password, token and key of the cluster in a form anyone can read, ' +
      'and anyone who reaches etcd directly (KM-ET-001) reads them without touching the API server\'s audit log. kubemoat cannot read the file the flag points to; check that its first provider is `kms` (v2), `aescbc` or `secretbox`, not `identity`.',
    remediation:
      'Write an EncryptionConfiguration for `secrets` (and other sensitive resources) whose first provider is `kms` v2 (a key held outside the cluster) or `aescbc`/`secretbox`, pass it with `--encryption-provider-config`, restart the API server, then rewrite existing Secrets: `kubectl get secrets -A -o json | kubectl replace -f -`.',
    references: [CP_DOCS.encryption, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.27'], nsa: [CP_NSA.secrets], mitre: [MITRE.unsecuredCredentials, MITRE.credentialsInFiles] },
    messages: {
      missing: '{{container}} in {{resource}} runs kube-apiserver without `--encryption-provider-config`: Secrets are stored in etcd in plain text',
    },
  },
  examples: {
    fail: [staticPod('kube-apiserver', KUBEADM_APISERVER)],
    pass: [staticPod('kube-apiserver', HARDENED_APISERVER)],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        if (c.flags.string('encryption-provider-config') || c.flags.string('experimental-encryption-provider-config')) return;
        context.report({ node: container, messageId: 'missing', at: addAt(c), evidence: '--encryption-provider-config not set' });
      },
    };
  },
});
