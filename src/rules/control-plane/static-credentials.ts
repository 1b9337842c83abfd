import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

const FILES = [
  { flag: 'token-auth-file', what: 'static bearer tokens' },
  { flag: 'basic-auth-file', what: 'static passwords (HTTP basic auth, removed in Kubernetes 1.19)' },
] as const;

export default defineRule({
  meta: {
    id: 'KM-CP-005',
    title: 'API server accepts static credentials from a file',
    severity: 'high',
    door: 'control-plane',
    description:
      'A `--token-auth-file` (or, before 1.19, a `--basic-auth-file`) is a CSV of bearer tokens or passwords in plain text on the control-plane node. Those credentials never expire, cannot be revoked or rotated without editing the file and restarting the API server, ' +
      'and often map to powerful groups (`system:masters` in old install scripts). Anyone who reads the file — a backup, a leaked node image, a pod with the host filesystem mounted — or sniffs one token keeps that access indefinitely.',
    remediation: 'Remove `--token-auth-file` (and `--basic-auth-file`) from kube-apiserver and move those users to client certificates, OIDC or a webhook authenticator; give automation service accounts with short-lived tokens. Delete the file from the node.',
    references: [CP_DOCS.staticToken, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.2'], nsa: [CP_NSA.authn], mitre: [MITRE.credentialsInFiles, MITRE.validAccounts] },
    messages: {
      staticFile: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`: {{what}} that never expire and cannot be revoked without a restart',
    },
  },
  examples: {
    fail: [staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'token-auth-file': '/etc/kubernetes/known_tokens.csv' }))],
    pass: [staticPod('kube-apiserver', HARDENED_APISERVER)],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        for (const { flag, what } of FILES) {
          const f = c.flags.get(flag);
          if (f === undefined || !c.flags.string(flag)) continue;
          context.report({ node: container, messageId: 'staticFile', at: f.at, data: { flag: shown(flag, f), what }, evidence: shown(flag, f) });
        }
      },
    };
  },
});
