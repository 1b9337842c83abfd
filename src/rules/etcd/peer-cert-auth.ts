import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { addAt, CP_DOCS, CP_NSA } from '../control-plane/settings.js';
import { etcdPod, KUBEADM_ETCD, MEMBER_ETCD, withFlags } from './examples.js';
import { beyondLoopback, etcdOf, hasOtherMembers, showUrls } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-ET-005',
    title: 'etcd accepts peers without a certificate',
    severity: 'high',
    door: 'etcd',
    description:
      'On the peer port (2380) members replicate the whole database. If the TLS peer listener does not require a client certificate, anything that reaches the port can present itself as a peer: read the replication traffic\'s metadata, disrupt elections, and, with a member slot, receive a full copy of the data. ' +
      'etcd requires peer certificates when `--peer-client-cert-auth=true` or when `--peer-trusted-ca-file` is set. It matters when the peer listener is reachable from other hosts: high with other members, medium for a single member with an exposed peer port. Plain-HTTP peer listeners are KM-ET-004.',
    remediation: 'Set `--peer-client-cert-auth=true` and `--peer-trusted-ca-file` (a CA dedicated to etcd) on every member, with `--peer-cert-file`/`--peer-key-file` issued by that CA.',
    references: [CP_DOCS.etcdSecurity, CP_DOCS.etcdConfiguration],
    frameworks: { cis: ['2.5'], nsa: [CP_NSA.etcd], mitre: [MITRE.unsecuredCredentials] },
    messages: {
      noPeerAuth: '{{container}} in {{resource}} runs etcd with a TLS peer listener on {{urls}} that does not require peer certificates ({{why}}{{members}}): anything that reaches it can act as a member',
    },
  },
  examples: {
    fail: [etcdPod(withFlags(MEMBER_ETCD, { 'peer-client-cert-auth': null, 'peer-trusted-ca-file': null }))],
    pass: [
      etcdPod(KUBEADM_ETCD),
      etcdPod(MEMBER_ETCD),
      etcdPod(withFlags(MEMBER_ETCD, { 'peer-client-cert-auth': null })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const etcd = etcdOf(c, addAt(c));
        if (etcd === undefined) return;
        const peers = etcd.urls('listen-peer-urls', 'http://localhost:2380');
        if (peers === null) return;
        const tls = peers.urls.filter((u) => u.scheme === 'https' && beyondLoopback(u));
        if (tls.length === 0) return;
        const auth = etcd.bool('peer-client-cert-auth', false);
        const ca = etcd.get('peer-trusted-ca-file');
        if (auth === null || ca === null || auth.value || (ca.value !== undefined && ca.value.trim() !== '')) return;
        const others = hasOtherMembers(etcd);
        const why = auth.setting.value === undefined ? '`--peer-client-cert-auth` not set and no `--peer-trusted-ca-file`' : `\`${auth.setting.shown}\` and no \`--peer-trusted-ca-file\``;
        context.report({
          node: etcd.container,
          messageId: 'noPeerAuth',
          severity: others ? 'high' : 'medium',
          at: auth.setting.at,
          data: { urls: showUrls(tls), why, members: others ? ', with other members' : ', a single member' },
          evidence: `${auth.setting.shown}, --peer-trusted-ca-file not set`,
        });
      },
    };
  },
});
