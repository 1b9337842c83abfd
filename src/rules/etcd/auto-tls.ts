import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA } from '../control-plane/settings.js';
import { etcdPod, KUBEADM_ETCD, MEMBER_ETCD, withFlags } from './examples.js';
import { beyondLoopback, clientListeners, etcdOf, hasOtherMembers, type Etcd } from './settings.js';

function configured(etcd: Etcd, cert: string, key: string): boolean {
  const c = etcd.get(cert);
  const k = etcd.get(key);
  // unreadable (valueFrom) counts as configured: nothing to say
  return c === null || k === null || (Boolean(c.value?.trim()) && Boolean(k.value?.trim()));
}

export default defineRule({
  meta: {
    id: 'KM-ET-003',
    title: 'etcd uses self-signed certificates (auto TLS)',
    severity: 'high',
    door: 'etcd',
    description:
      'With `--auto-tls` (clients) or `--peer-auto-tls` (peers) and no certificate files, etcd generates a self-signed certificate at start. Nobody can verify it: clients and peers must skip verification, so anyone who can get between them (ARP or DNS spoofing, a rogue member address) reads and alters the traffic — every Secret the API server stores — ' +
      'and, with no CA behind the certificates, client or peer certificate checks have nothing to check against. etcd only uses auto TLS when no certificate files are given, so a flag left on next to `--cert-file`/`--key-file` (or the peer ones) is not reported. Peer auto TLS matters when the peer port is reachable from other hosts.',
    remediation: 'Remove `--auto-tls` and `--peer-auto-tls` (or set them to false) and give etcd certificates from a CA dedicated to etcd: `--cert-file`/`--key-file` with `--trusted-ca-file` for clients, `--peer-cert-file`/`--peer-key-file` with `--peer-trusted-ca-file` for peers (kubeadm generates all of them).',
    references: [CP_DOCS.etcdSecurity, CP_DOCS.etcdConfiguration],
    frameworks: { cis: ['2.3', '2.6'], nsa: [CP_NSA.etcd], mitre: [CP_MITRE.adversaryInTheMiddle, MITRE.unsecuredCredentials] },
    messages: {
      client: '{{container}} in {{resource}} runs etcd with `{{flag}}` and no `--cert-file`/`--key-file`: clients get a self-signed certificate they cannot verify',
      peer: '{{container}} in {{resource}} runs etcd with `{{flag}}` and no `--peer-cert-file`/`--peer-key-file`: peers exchange data over self-signed certificates nobody can verify',
    },
  },
  examples: {
    fail: [
      etcdPod(withFlags(KUBEADM_ETCD, { 'auto-tls': 'true', 'cert-file': null, 'key-file': null, 'trusted-ca-file': null, 'client-cert-auth': null })),
      etcdPod(withFlags(MEMBER_ETCD, { 'peer-auto-tls': 'true', 'peer-cert-file': null, 'peer-key-file': null, 'peer-trusted-ca-file': null, 'peer-client-cert-auth': null })),
    ],
    pass: [
      etcdPod(KUBEADM_ETCD),
      // certificate files given: etcd ignores auto TLS
      etcdPod(withFlags(KUBEADM_ETCD, { 'auto-tls': 'true', 'peer-auto-tls': 'true' })),
      etcdPod(withFlags(KUBEADM_ETCD, { 'auto-tls': 'false', 'peer-auto-tls': 'false' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const etcd = etcdOf(c, addAt(c));
        if (etcd === undefined) return;
        const listeners = clientListeners(etcd);
        const autoTls = etcd.bool('auto-tls', false);
        if (listeners !== null && autoTls?.value && !configured(etcd, 'cert-file', 'key-file')) {
          const tls = listeners.flatMap((l) => l.urls).filter((u) => u.scheme === 'https');
          if (tls.length > 0) {
            context.report({ node: etcd.container, messageId: 'client', severity: tls.some(beyondLoopback) ? 'high' : 'medium', at: autoTls.setting.at, data: { flag: autoTls.setting.shown }, evidence: `${autoTls.setting.shown}, --cert-file/--key-file not set` });
          }
        }
        const peers = etcd.urls('listen-peer-urls', 'http://localhost:2380');
        const peerAutoTls = etcd.bool('peer-auto-tls', false);
        if (peers !== null && peerAutoTls?.value && !configured(etcd, 'peer-cert-file', 'peer-key-file')) {
          const tls = peers.urls.filter((u) => u.scheme === 'https' && beyondLoopback(u));
          if (tls.length > 0) {
            context.report({ node: etcd.container, messageId: 'peer', severity: hasOtherMembers(etcd) ? 'high' : 'medium', at: peerAutoTls.setting.at, data: { flag: peerAutoTls.setting.shown }, evidence: `${peerAutoTls.setting.shown}, --peer-cert-file/--peer-key-file not set` });
          }
        }
      },
    };
  },
});
