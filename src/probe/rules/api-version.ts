import { defineProbeRule } from '../rule.js';
import { example, obs } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-008',
    title: 'API server discloses its version to anonymous users',
    severity: 'low',
    door: 'exposure',
    description:
      'The API server told an unauthenticated client its exact Kubernetes version (`GET /version`). It is allowed by default through `system:public-info-viewer`, but an attacker scanning the network uses it to pick the known vulnerabilities of that release without sending a single credential.',
    remediation: 'Where unauthenticated health checks are not needed, set `--anonymous-auth=false`, or remove `system:unauthenticated` from the `system:public-info-viewer` ClusterRoleBinding; keep the control plane patched.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles'],
    frameworks: { cis: ['1.2.1'], mitre: ['T1082'] },
    messages: { version: 'API server at {{endpoint}} tells anonymous users it runs {{version}}' },
  },
  examples: {
    fail: [example('kube-apiserver', 'https', { 'api.version': { request: 'GET /version', status: 200 } }, { version: 'v1.29.0' })],
    pass: [example('kube-apiserver', 'https', { 'api.version': { request: 'GET /version', status: 401 } })],
  },
  check(ep) {
    const v = obs(ep, 'api.version');
    if (ep.service !== 'kube-apiserver' || ep.scheme !== 'https' || v?.status !== 200 || ep.version === undefined) return [];
    return [{ messageId: 'version', data: { version: ep.version }, evidence: `GET /version → 200: ${ep.version}` }];
  },
});
