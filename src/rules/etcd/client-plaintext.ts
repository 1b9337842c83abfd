import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA } from '../control-plane/settings.js';
import { etcdPod, KUBEADM_ETCD, withFlags } from './examples.js';
import { clientListeners, etcdOf, REACH_TEXT, reachOf, showUrls } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-ET-002',
    title: 'etcd serves clients over plain HTTP',
    severity: 'critical',
    door: 'etcd',
    description:
      'An `http://` client listener has no TLS, so it cannot ask for a client certificate: whatever `--client-cert-auth` says, anyone who reaches it reads and writes every key — for the cluster\'s etcd every Secret — and the API server\'s traffic to it, Secrets included, crosses the wire in clear. ' +
      'It is etcd\'s default: without `--listen-client-urls` etcd listens on http://localhost:2379. On a non-loopback address that is critical; on loopback of a host-network pod (every static control-plane pod) any process on the node, or any host-network pod scheduled there, gets the cluster (high); on loopback of a pod\'s own network, only that pod (low). ' +
      'The metrics listener (`--listen-metrics-urls`) serves no keys and is not counted. etcd\'s own user authentication, if enabled at run time, is not visible in its flags.',
    remediation: 'Serve clients on `https://` only: `--listen-client-urls=https://127.0.0.1:2379,https://<node-ip>:2379` with `--cert-file`, `--key-file`, `--client-cert-auth=true` and `--trusted-ca-file`, and move the API server to `https://` etcd URLs with a client certificate.',
    references: [CP_DOCS.etcdSecurity, CP_DOCS.securingEtcd, CP_DOCS.etcdConfiguration],
    frameworks: { cis: ['2.1', '2.2'], nsa: [CP_NSA.etcd, CP_NSA.secrets], mitre: [MITRE.unsecuredCredentials, MITRE.externalRemoteServices, CP_MITRE.adversaryInTheMiddle] },
    messages: {
      plainHttp: '{{container}} in {{resource}} runs etcd serving clients over plain HTTP on {{urls}} ({{why}}): {{who}} can read and write every key without any credential',
    },
  },
  examples: {
    fail: [
      etcdPod([
        '--advertise-client-urls=http://10.0.0.10:2379',
        '--data-dir=/var/lib/etcd',
        '--initial-advertise-peer-urls=http://10.0.0.10:2380',
        '--initial-cluster=cp-1=http://10.0.0.10:2380',
        '--listen-client-urls=http://0.0.0.0:2379',
        '--listen-peer-urls=http://10.0.0.10:2380',
        '--name=cp-1',
      ]),
      // the default listener, on the node's loopback
      etcdPod(['--data-dir=/var/lib/etcd', '--name=cp-1']),
      // TLS outside, plain HTTP on loopback: client-cert-auth does not apply there
      etcdPod(withFlags(KUBEADM_ETCD, { 'listen-client-urls': 'https://10.0.0.10:2379,http://127.0.0.1:2379' })),
    ],
    pass: [
      etcdPod(KUBEADM_ETCD),
      etcdPod(withFlags(KUBEADM_ETCD, { 'listen-client-urls': null }), { env: { ETCD_LISTEN_CLIENT_URLS: 'https://127.0.0.1:2379,https://10.0.0.10:2379' } }),
    ],
  },
  create(context) {
    return {
      component(c) {
        const etcd = etcdOf(c, addAt(c));
        if (etcd === undefined) return;
        const listeners = clientListeners(etcd);
        if (listeners === null) return;
        const plain = listeners.map((l) => ({ ...l, urls: l.urls.filter((u) => u.scheme === 'http') })).filter((l) => l.urls.length > 0);
        if (plain.length === 0) return;
        const urls = plain.flatMap((l) => l.urls);
        const reach = reachOf(urls, etcd);
        const setting = plain[0].setting;
        context.report({
          node: etcd.container,
          messageId: 'plainHttp',
          severity: reach === 'network' ? 'critical' : reach === 'node' ? 'high' : 'low',
          at: setting.at,
          data: { urls: showUrls(urls), why: plain.map((l) => (l.setting.value === undefined ? `\`--${l.name}\` not set: etcd's default` : `\`${l.setting.shown}\``)).join(', '), who: REACH_TEXT[reach] },
          evidence: plain.map((l) => l.setting.shown).join(', '),
        });
      },
    };
  },
});
