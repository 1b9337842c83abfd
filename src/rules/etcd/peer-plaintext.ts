import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA } from '../control-plane/settings.js';
import { etcdPod, KUBEADM_ETCD, MEMBER_ETCD, withFlags } from './examples.js';
import { beyondLoopback, etcdOf, hasOtherMembers, showUrls } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-ET-004',
    title: 'etcd peers talk over plain HTTP',
    severity: 'high',
    door: 'etcd',
    description:
      'etcd members replicate every write to each other on the peer port (2380). Over `http://` that stream — every Secret stored in the cluster — crosses the network in clear, and nothing checks that whoever connects to the peer port is a member. ' +
      'It matters when the peer listener is reachable from other hosts: high with other members (listed in `--initial-cluster`, discovery, or `--initial-cluster-state=existing`), medium for a single member whose peer port is still exposed. ' +
      'A peer listener on loopback only (etcd\'s default `http://localhost:2380` on a single node) is not reported.',
    remediation: 'Serve peers on `https://` with `--peer-cert-file`, `--peer-key-file`, `--peer-trusted-ca-file` and `--peer-client-cert-auth=true` (certificates from a CA dedicated to etcd), update `--initial-advertise-peer-urls` and the member list to `https://`, one member at a time.',
    references: [CP_DOCS.etcdSecurity, CP_DOCS.etcdConfiguration],
    frameworks: { cis: ['2.4'], nsa: [CP_NSA.etcd], mitre: [CP_MITRE.adversaryInTheMiddle, MITRE.unsecuredCredentials] },
    messages: {
      plainHttp: '{{container}} in {{resource}} runs etcd with peers on plain HTTP ({{urls}}{{members}}): replicated data, Secrets included, crosses the network in clear and peers are not authenticated',
    },
  },
  examples: {
    fail: [
      etcdPod(withFlags(MEMBER_ETCD, {
        'initial-cluster': 'cp-1=http://10.0.0.10:2380,cp-2=http://10.0.0.11:2380,cp-3=http://10.0.0.12:2380',
        'initial-advertise-peer-urls': 'http://10.0.0.10:2380',
        'listen-peer-urls': 'http://10.0.0.10:2380',
        'peer-cert-file': null, 'peer-key-file': null, 'peer-trusted-ca-file': null, 'peer-client-cert-auth': null,
      })),
    ],
    pass: [
      etcdPod(KUBEADM_ETCD),
      etcdPod(MEMBER_ETCD),
      // a single member whose peer port is on loopback (etcd's default)
      etcdPod(withFlags(KUBEADM_ETCD, { 'listen-peer-urls': null, 'initial-advertise-peer-urls': null, 'initial-cluster': null, 'peer-cert-file': null, 'peer-key-file': null, 'peer-trusted-ca-file': null, 'peer-client-cert-auth': null })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const etcd = etcdOf(c, addAt(c));
        if (etcd === undefined) return;
        const peers = etcd.urls('listen-peer-urls', 'http://localhost:2380');
        if (peers === null) return;
        const plain = peers.urls.filter((u) => u.scheme === 'http' && beyondLoopback(u));
        if (plain.length === 0) return;
        const others = hasOtherMembers(etcd);
        context.report({
          node: etcd.container,
          messageId: 'plainHttp',
          severity: others ? 'high' : 'medium',
          at: peers.setting.at,
          data: { urls: showUrls(plain), members: others ? ', with other members' : ', a single member' },
          evidence: peers.setting.shown,
        });
      },
    };
  },
});
