import { defineProbeRule } from '../rule.js';
import { doorOpen } from '../checks.js';
import { example, obs } from './facts.js';

const KEYS = ['kubelet.pods', 'kubelet.configz', 'kubelet.metrics', 'kubelet.logs', 'kubelet.runningpods', 'kubelet.run', 'kubelet.exec'];
const ANONYMOUS_403 = /user=system:anonymous/;

export default defineProbeRule({
  meta: {
    id: 'KM-EX-017',
    title: 'Kubelet authenticates anonymous requests (authorization denies them)',
    severity: 'low',
    door: 'kubelet',
    description:
      'The kubelet refused an unauthenticated request with 403 "Forbidden (user=system:anonymous, …)": anonymous authentication is on, and only Webhook authorization stands between anyone who reaches port 10250 and the node\'s pods. Nothing was readable — this is not the exposure kube-hunter reports as "Anonymous Authentication" — but a single RBAC grant of `nodes/proxy` to `system:anonymous` or `system:unauthenticated` would open `/pods`, `/run` and `/exec` to everyone.',
    remediation: 'Set `authentication.anonymous.enabled: false` in the kubelet configuration (`--anonymous-auth=false`), keeping `authentication.webhook.enabled: true` and `authorization.mode: Webhook`.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/'],
    frameworks: { cis: ['4.2.1'], mitre: ['T1078.001'] },
    messages: { anonymous: 'kubelet at {{endpoint}} authenticates requests without credentials as system:anonymous (authorization refused them)' },
  },
  examples: {
    fail: [example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 403, shape: 'Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)' } })],
    pass: [
      example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 401, shape: 'Unauthorized' } }),
      // open doors are KM-EX-001/002's, not a "denied" finding
      example('kubelet', 'https', { 'kubelet.pods': { request: 'GET /pods', status: 200, shape: 'PodList' } }),
    ],
  },
  check(ep) {
    if (ep.service !== 'kubelet') return [];
    if (obs(ep, 'kubelet.pods')?.status === 200 || ['run', 'exec', 'attach', 'portForward'].some((d) => doorOpen(obs(ep, `kubelet.${d}`)))) return [];
    for (const key of KEYS) {
      const o = obs(ep, key);
      if (o?.status === 403 && ANONYMOUS_403.test(`${o.shape ?? ''} ${o.text ?? ''}`)) {
        return [{ messageId: 'anonymous', evidence: `${o.request.split('?')[0]} → 403 "${(o.shape ?? o.text ?? '').slice(0, 100)}" (nothing readable)` }];
      }
    }
    return [];
  },
});
