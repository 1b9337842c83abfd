import { defineProbeRule } from '../rule.js';
import { example, line, obs, plural } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-001',
    title: 'Kubelet lists its pods to anyone',
    severity: 'critical',
    door: 'kubelet',
    description:
      'The kubelet API (port 10250) answered `GET /pods` without any credential: anonymous authentication is on and authorization lets `system:anonymous` read the node. Anyone who reaches the port sees every pod on the node with its environment, where cloud keys and passwords often sit, and learns the names needed to run commands in them. These requests bypass the API server, its audit log and its admission control.',
    remediation: 'In the kubelet configuration set `authentication.anonymous.enabled: false`, `authentication.webhook.enabled: true` and `authorization.mode: Webhook` (flags `--anonymous-auth=false --authorization-mode=Webhook`), and keep port 10250 reachable only from the control plane.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/', 'https://attack.mitre.org/techniques/T1613/'],
    frameworks: { cis: ['4.2.1', '4.2.2'], nsa: ['NSA-CISA Kubernetes Hardening: control plane hardening'], mitre: ['T1613', 'T1552.007'] },
    messages: { anonymous: 'kubelet at {{endpoint}} lists {{pods}} to anonymous requests' },
  },
  examples: {
    fail: [example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 200, shape: 'PodList', counts: { pods: 3, containers: 4, credentialEnv: 1 }, samples: ['apps/web web AWS_ACCESS_KEY_ID=AKIA…[redacted]'] } })],
    pass: [
      example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 401, shape: 'Unauthorized' } }),
      example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 403, shape: 'Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)' } }),
    ],
  },
  check(ep) {
    const pods = obs(ep, 'kubelet.pods');
    if (ep.service !== 'kubelet' || pods?.status !== 200) return [];
    const c = pods.counts ?? {};
    const n = c.pods ?? c.podsAtLeast ?? 0;
    const parts = [`${line(pods)}: ${plural(n, 'pod')}`];
    if (c.containers !== undefined) parts.push(plural(c.containers, 'container'));
    if (c.privileged) parts.push(`${plural(c.privileged, 'privileged container')}`);
    if (c.credentialEnv !== undefined) parts.push(`${plural(c.credentialEnv, 'env value')} that look like credentials${pods.samples?.length ? ` (${pods.samples.join('; ')})` : ''}`);
    return [{ messageId: 'anonymous', data: { pods: plural(n, 'pod') }, evidence: parts.join(', ') }];
  },
});
