import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA, isLoopback, judgeable, parseUrl, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-013',
    title: 'API server talks to etcd without TLS or without a client certificate',
    severity: 'high',
    door: 'control-plane',
    description:
      'etcd holds every object of the cluster, Secrets included. The API server reaches it with `--etcd-servers`; over `http://` that traffic — every Secret the API server reads or writes — crosses the network in clear, and an HTTP etcd listener cannot ask for client certificates, so anyone who reaches it reads and writes the whole cluster state. ' +
      'With `https://` but no `--etcd-certfile`/`--etcd-keyfile`, the API server presents no certificate: that only works if etcd lets any client in. Without `--etcd-cafile` the API server cannot check it is talking to the real etcd. ' +
      'Plain HTTP to a loopback etcd stays on the node and is medium; a `unix://` socket (k3s\' kine) is local and not reported. Without `--etcd-servers` in view, the client certificate and CA flags are still judged.',
    remediation:
      'Serve etcd over TLS with client-certificate authentication (KM-ET-001, KM-ET-002), then point kube-apiserver at it with `--etcd-servers=https://…:2379`, `--etcd-cafile` (the etcd CA), `--etcd-certfile` and `--etcd-keyfile` (a client certificate from that CA, kubeadm\'s `apiserver-etcd-client`).',
    references: [CP_DOCS.securingEtcd, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.23', '1.2.26'], nsa: [CP_NSA.etcd, CP_NSA.secrets], mitre: [MITRE.unsecuredCredentials, CP_MITRE.adversaryInTheMiddle] },
    messages: {
      plainHttp: '{{container}} in {{resource}} runs kube-apiserver with `{{flag}}`: it reads and writes every Secret in etcd over plain HTTP',
      noClientCert: '{{container}} in {{resource}} runs kube-apiserver without {{missing}}: it presents no client certificate to etcd, so etcd must be accepting clients without one',
      noCa: '{{container}} in {{resource}} runs kube-apiserver without `--etcd-cafile`: it does not verify the etcd server it sends every Secret to',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-servers': 'http://10.0.0.21:2379,http://10.0.0.22:2379,http://10.0.0.23:2379', 'etcd-cafile': null, 'etcd-certfile': null, 'etcd-keyfile': null })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-certfile': null, 'etcd-keyfile': null })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-cafile': null })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // kine behind a unix socket (k3s-style)
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-servers': 'unix://kine.sock', 'etcd-cafile': null, 'etcd-certfile': null, 'etcd-keyfile': null })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const serversFlag = c.flags.get('etcd-servers');
        const servers = c.flags.list('etcd-servers').map(parseUrl).filter((u) => u !== undefined);
        const http = servers.filter((u) => u.scheme === 'http');
        if (serversFlag !== undefined && http.length > 0) {
          const local = http.every((u) => isLoopback(u.host));
          context.report({ node: container, messageId: 'plainHttp', severity: local ? 'medium' : 'high', at: serversFlag.at, data: { flag: shown('etcd-servers', serversFlag) }, evidence: shown('etcd-servers', serversFlag) });
          return;
        }
        // unix sockets are local; with no --etcd-servers in view (set elsewhere, or the manifest is partial) the credentials are still judged
        if (servers.length > 0 && !servers.some((u) => u.scheme === 'https')) return;
        const missing = ['etcd-certfile', 'etcd-keyfile'].filter((f) => !c.flags.string(f));
        if (missing.length > 0) {
          context.report({ node: container, messageId: 'noClientCert', at: addAt(c), data: { missing: missing.map((f) => `\`--${f}\``).join(' and ') }, evidence: `${missing.map((f) => `--${f}`).join(', ')} not set`, frameworks: { cis: ['1.2.23'] } });
          return;
        }
        if (!c.flags.string('etcd-cafile')) {
          context.report({ node: container, messageId: 'noCa', severity: 'medium', at: addAt(c), evidence: '--etcd-cafile not set', frameworks: { cis: ['1.2.26'] } });
        }
      },
    };
  },
});
