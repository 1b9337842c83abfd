import { defineProbeRule } from '../rule.js';
import { listedResources } from './api-anonymous-access.js';
import { example, obs } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-007',
    title: 'Kubernetes API served over plain HTTP without authentication',
    severity: 'critical',
    door: 'console',
    description:
      'The Kubernetes API answers over plain HTTP with no credentials: the old `--insecure-port` of the API server, or — since 1.24, far more often — a `kubectl proxy` (or another authenticating proxy) listening on a reachable address with `--accept-hosts` opened up. Every request goes through with the proxy\'s own rights, usually an administrator\'s, so anyone who reaches the port owns the cluster, and the audit log names the proxy\'s user instead of them.',
    remediation: 'Stop the proxy or bind it to 127.0.0.1 (`kubectl proxy` defaults to it; never `--address=0.0.0.0 --accept-hosts=.*`); on API servers older than 1.20 set `--insecure-port=0`. Reach the API through its TLS port with real credentials.',
    references: ['https://kubernetes.io/docs/reference/kubectl/generated/kubectl_proxy/', 'https://kubernetes.io/docs/concepts/security/controlling-access/'],
    frameworks: { cis: ['1.2.4'], nsa: ['NSA-CISA Kubernetes Hardening: control plane hardening'], mitre: ['T1133', 'T1078'] },
    messages: { open: 'Kubernetes API at {{endpoint}} answers over plain HTTP without authentication{{proxy}}' },
  },
  examples: {
    fail: [
      example('kube-apiserver', 'http', {
        'api.discovery': { request: 'GET /api', status: 200, shape: 'APIVersions', text: 'serverAddress 10.0.0.1:6443' },
        'api.secrets': { request: 'GET /api/v1/secrets?limit=1', status: 200, counts: { items: 12 } },
      }, { port: 8080 }),
    ],
    pass: [
      example('kube-apiserver', 'http', { 'api.discovery': { request: 'GET /api', status: 401 } }, { port: 8080 }),
      example('kube-apiserver', 'https', { 'api.discovery': { request: 'GET /api', status: 200 } }),
    ],
  },
  check(ep) {
    if (ep.service !== 'kube-apiserver' || ep.scheme !== 'http') return [];
    const discovery = obs(ep, 'api.discovery');
    const { names, evidence } = listedResources(ep);
    if (discovery?.status !== 200 && names.length === 0) return [];
    const addr = /serverAddress (\S+)/.exec(discovery?.text ?? '')?.[1];
    const proxied = addr !== undefined && !addr.endsWith(`:${ep.port}`);
    const all = [`${discovery?.request ?? 'GET /api'} → ${discovery?.status ?? '-'}${discovery?.text ? ` (${discovery.text})` : ''}`, ...evidence];
    return [{ messageId: 'open', data: { proxy: proxied ? ` (a proxy to ${addr})` : '' }, evidence: all.join('; ') }];
  },
});
