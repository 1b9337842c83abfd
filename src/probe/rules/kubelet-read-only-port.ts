import { defineProbeRule } from '../rule.js';
import { example, line, obs, plural } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-003',
    title: 'Kubelet read-only port is open',
    severity: 'high',
    door: 'kubelet',
    description:
      'The kubelet read-only port (10255 by default) serves `/pods`, `/spec` and `/stats` over plain HTTP with no authentication at all, whatever the kubelet\'s authentication settings are. Anyone who reaches it reads every pod on the node with its environment variables, which is where credentials end up.',
    remediation: 'Set `readOnlyPort: 0` in the kubelet configuration (or `--read-only-port=0`); scrape metrics through the authenticated port 10250 instead.',
    references: ['https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/', 'https://attack.mitre.org/techniques/T1613/'],
    frameworks: { cis: ['4.2.4'], nsa: ['NSA-CISA Kubernetes Hardening: control plane hardening'], mitre: ['T1613', 'T1552.007'] },
    messages: { open: 'kubelet read-only port at {{endpoint}} lists {{pods}} without authentication' },
  },
  examples: {
    fail: [example('kubelet-read-only', 'http', { 'kubelet.pods': { request: 'GET /pods', status: 200, shape: 'PodList', counts: { pods: 2, containers: 2, credentialEnv: 0 } } })],
    pass: [example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 401 } })],
  },
  check(ep) {
    const pods = obs(ep, 'kubelet.pods');
    if (ep.service !== 'kubelet-read-only' || pods?.status !== 200) return [];
    const c = pods.counts ?? {};
    const n = c.pods ?? c.podsAtLeast ?? 0;
    const creds = c.credentialEnv ?? 0;
    const evidence = `${line(pods)}: ${plural(n, 'pod')}${c.privileged ? `, ${plural(c.privileged, 'privileged container')}` : ''}${creds > 0 ? `, ${plural(creds, 'env value')} that look like credentials (${(pods.samples ?? []).join('; ')})` : ''}`;
    return [{ messageId: 'open', data: { pods: plural(n, 'pod') }, evidence, ...(creds > 0 ? { severity: 'critical' as const } : {}) }];
  },
});
