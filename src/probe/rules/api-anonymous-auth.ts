import { defineProbeRule } from '../rule.js';
import { example, obs } from './facts.js';

const KEYS = ['api.version', 'api.discovery', 'api.namespaces', 'api.pods', 'api.secrets', 'api.nodes', 'api.ssrr'];

export default defineProbeRule({
  meta: {
    id: 'KM-EX-006',
    title: 'API server authenticates anonymous requests',
    severity: 'low',
    door: 'exposure',
    description:
      'The API server accepts requests without credentials as the user `system:anonymous`: it answered them, or refused them with 403 naming `system:anonymous` (a refusal by authorization, after authentication let the request in). This alone is not access — what anonymous may do is decided by RBAC, and KM-EX-005 reports any resource it can read — but one careless binding to `system:anonymous` or `system:unauthenticated` then opens the cluster to anyone who reaches the port.',
    remediation: 'Set `--anonymous-auth=false` on the API server, or from Kubernetes 1.32 restrict anonymous requests to the health endpoints with an AuthenticationConfiguration (`anonymous.conditions: [{path: /livez}, {path: /readyz}, {path: /healthz}]`).',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-authenticator-configuration'],
    frameworks: { cis: ['1.2.1'], nsa: ['NSA-CISA Kubernetes Hardening: authentication and authorization'], mitre: ['T1078.001'] },
    messages: { anonymous: 'API server at {{endpoint}} treats requests without credentials as system:anonymous' },
  },
  examples: {
    fail: [example('kube-apiserver', 'https', { 'api.discovery': { request: 'GET /api', status: 403, shape: 'Status Forbidden: forbidden: User "system:anonymous" cannot get path "/api"' } })],
    pass: [example('kube-apiserver', 'https', { 'api.version': { request: 'GET /version', status: 401, shape: 'Status Unauthorized: Unauthorized' }, 'api.discovery': { request: 'GET /api', status: 401 } })],
  },
  check(ep) {
    if (ep.service !== 'kube-apiserver' || ep.scheme !== 'https') return [];
    for (const key of KEYS) {
      const o = obs(ep, key);
      if (o === undefined) continue;
      if (o.status === 403 && /system:anonymous/.test(o.shape ?? '')) return [{ messageId: 'anonymous', evidence: `${o.request} → 403 as "system:anonymous" (authenticated as anonymous, then refused by authorization)` }];
      if (o.status === 200 || o.status === 201) return [{ messageId: 'anonymous', evidence: `${o.request} → ${o.status} without credentials` }];
    }
    return [];
  },
});
