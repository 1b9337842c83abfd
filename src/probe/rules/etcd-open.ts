import { defineProbeRule } from '../rule.js';
import { example, obs, plural } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-009',
    title: 'etcd answers clients without a certificate',
    severity: 'critical',
    door: 'etcd',
    description:
      'etcd served its key-value API to a client that showed no certificate: client-certificate authentication is off (or the port is plain HTTP). etcd holds the whole cluster state — every Secret, every service-account token — unencrypted unless encryption at rest is configured, and whoever can read it reads them all; whoever can write it can create cluster-admin bindings behind the API server\'s back. kubemoat proves read access with a keys-only count (`count_only`), never reading a value; with `--active` it writes and deletes one marker key.',
    remediation: 'Start etcd with `--client-cert-auth=true`, `--cert-file`/`--key-file` and a `--trusted-ca-file` of its own (not the cluster CA), serve clients over https only, and firewall 2379 to the API servers.',
    references: ['https://etcd.io/docs/v3.5/op-guide/security/', 'https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#securing-etcd-clusters'],
    frameworks: { cis: ['2.1', '2.2'], nsa: ['NSA-CISA Kubernetes Hardening: etcd'], mitre: ['T1552.007', 'T1078'] },
    messages: { open: 'etcd at {{endpoint}} lets a client without a certificate read {{what}}' },
  },
  examples: {
    fail: [
      example('etcd', 'http', {
        'etcd.v3.count': { request: 'POST /v3/kv/range (keys_only, count_only)', status: 200, counts: { keys: 300 } },
        'etcd.v3.secrets': { request: 'POST /v3/kv/range /registry/secrets/ (count_only)', status: 200, counts: { keys: 12 } },
      }),
      example('etcd', 'http', { 'etcd.v2.keys': { request: 'GET /v2/keys/', status: 200, counts: { topLevelKeys: 2 } } }),
    ],
    pass: [example('etcd', 'https', {}, { clientCertRequired: true }), example('etcd', 'http', { 'etcd.v3.count': { request: 'POST /v3/kv/range (keys_only, count_only)', status: 401 } })],
  },
  check(ep) {
    if (ep.service !== 'etcd') return [];
    const v3 = obs(ep, 'etcd.v3.count');
    const v2 = obs(ep, 'etcd.v2.keys');
    const v3ok = v3?.status === 200 && v3.counts?.keys !== undefined;
    const v2ok = v2?.status === 200 && v2.counts?.topLevelKeys !== undefined;
    if (!v3ok && !v2ok) return [];
    const evidence: string[] = [];
    const what: string[] = [];
    if (v3ok) {
      const secrets = obs(ep, 'etcd.v3.secrets')?.counts?.keys;
      what.push(plural(v3.counts!.keys, 'key'));
      evidence.push(`${v3.request} → ${plural(v3.counts!.keys, 'key')}${secrets !== undefined ? `, ${secrets} under /registry/secrets/` : ''} (no value read)`);
    }
    if (v2ok) {
      what.push('its v2 keys');
      evidence.push(`${v2.request} → 200, ${plural(v2.counts!.topLevelKeys, 'top-level key')}`);
    }
    const write = obs(ep, 'etcd.active.write');
    if (write !== undefined) evidence.push(`--active: ${write.text}`);
    return [{ messageId: 'open', data: { what: what.join(' and ') }, evidence: evidence.join('; ') }];
  },
});
