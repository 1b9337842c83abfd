import { defineProbeRule } from '../rule.js';
import { example, obs } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-011',
    title: 'Kubernetes Dashboard usable without logging in',
    severity: 'high',
    door: 'console',
    description:
      'A Kubernetes Dashboard answered without a login: its login can be skipped (`--enable-skip-login`) or its API served cluster data to an anonymous visitor. The dashboard then acts with its own service account — the Tesla cryptojacking began at exactly such a console, whose service account could read cloud keys from Secrets.',
    remediation: 'Remove `--enable-skip-login` and `--disable-settings-authorizer`, give the dashboard service account no more than the minimal role, and expose it only through `kubectl proxy` on localhost or an authenticating ingress.',
    references: ['https://github.com/kubernetes/dashboard/blob/master/docs/common/arguments.md', 'https://attack.mitre.org/techniques/T1133/'],
    frameworks: { nsa: ['NSA-CISA Kubernetes Hardening: authentication and authorization'], mitre: ['T1133', 'T1078'] },
    messages: { open: 'Kubernetes Dashboard at {{endpoint}} can be used without logging in' },
  },
  examples: {
    fail: [example('kubernetes-dashboard', 'https', { 'dashboard.skippable': { request: 'GET /api/v1/login/skippable', status: 200, text: 'skippable: true' } })],
    pass: [example('kubernetes-dashboard', 'https', { 'dashboard.skippable': { request: 'GET /api/v1/login/skippable', status: 200, text: 'skippable: false' }, 'dashboard.namespaces': { request: 'GET /api/v1/namespace', status: 401 } })],
  },
  check(ep) {
    if (ep.service !== 'kubernetes-dashboard') return [];
    const skip = obs(ep, 'dashboard.skippable');
    const ns = obs(ep, 'dashboard.namespaces');
    const evidence: string[] = [];
    if (skip?.text === 'skippable: true') evidence.push(`${skip.request} → skippable: true`);
    if (ns?.status === 200 && ns.counts?.namespaces !== undefined) evidence.push(`${ns.request} → 200 (${ns.counts.namespaces} namespaces) without a token`);
    return evidence.length ? [{ messageId: 'open', evidence: evidence.join('; ') }] : [];
  },
});
