import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { addAt, CP_DOCS, CP_NSA } from '../control-plane/settings.js';
import { etcdPod, KUBEADM_ETCD, withFlags } from './examples.js';
import { clientListeners, etcdOf, REACH_TEXT, reachOf, showUrls } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-ET-001',
    title: 'etcd accepts clients without a certificate',
    severity: 'critical',
    door: 'etcd',
    description:
      'etcd is the cluster\'s database: every Secret, every service account token, every object. Unless its TLS listeners require a client certificate, anyone who reaches port 2379 can read and write all of it directly — ' +
      'no API server authentication, no RBAC, no admission, no audit log — and a write there (a new ClusterRoleBinding, a privileged pod) becomes the cluster\'s truth. ' +
      'etcd requires client certificates when `--client-cert-auth=true` or when `--trusted-ca-file` is set (etcd turns verification on for either), read from flags or `ETCD_*` variables. ' +
      'Listeners on loopback only are reachable from the node (high) or only from the pod itself (low). etcd\'s own user authentication, if enabled at run time, is not visible in its flags. Plain-HTTP listeners are KM-ET-002.',
    remediation:
      'Run etcd with `--client-cert-auth=true` and `--trusted-ca-file` set to a CA used only for etcd (kubeadm: `/etc/kubernetes/pki/etcd/ca.crt`), serve clients on `https://` only, and give the API server a client certificate from that CA (`--etcd-certfile`, `--etcd-keyfile`). Bind client URLs to the addresses that need them.',
    references: [CP_DOCS.etcdSecurity, CP_DOCS.securingEtcd, CP_DOCS.etcdConfiguration],
    frameworks: { cis: ['2.2'], nsa: [CP_NSA.etcd, CP_NSA.secrets], mitre: [MITRE.unsecuredCredentials, MITRE.containerApi, MITRE.externalRemoteServices] },
    messages: {
      noClientAuth: '{{container}} in {{resource}} runs etcd on {{urls}} without client certificate authentication ({{why}}): {{who}} can read and write every key — for the cluster\'s etcd, every Secret',
    },
  },
  examples: {
    fail: [
      etcdPod(withFlags(KUBEADM_ETCD, { 'client-cert-auth': null, 'trusted-ca-file': null })),
      // set through the environment, which etcd also reads
      etcdPod(withFlags(KUBEADM_ETCD, { 'client-cert-auth': null, 'trusted-ca-file': null }), { env: { ETCD_CLIENT_CERT_AUTH: 'false' } }),
    ],
    pass: [
      etcdPod(KUBEADM_ETCD),
      // a trusted CA alone already makes etcd require client certificates
      etcdPod(withFlags(KUBEADM_ETCD, { 'client-cert-auth': null })),
      etcdPod(withFlags(KUBEADM_ETCD, { 'client-cert-auth': null, 'trusted-ca-file': null }), { env: { ETCD_CLIENT_CERT_AUTH: 'true', ETCD_TRUSTED_CA_FILE: '/etc/kubernetes/pki/etcd/ca.crt' } }),
      // a configuration file replaces flags and environment: kubemoat cannot see it
      etcdPod(['--config-file=/etc/etcd/etcd.conf.yml']),
    ],
  },
  create(context) {
    return {
      component(c) {
        const etcd = etcdOf(c, addAt(c));
        if (etcd === undefined) return;
        const listeners = clientListeners(etcd);
        if (listeners === null) return;
        const tls = listeners.flatMap((l) => l.urls).filter((u) => u.scheme === 'https' || u.scheme === 'unixs');
        if (tls.length === 0) return; // plain HTTP only: KM-ET-002
        const auth = etcd.bool('client-cert-auth', false);
        const ca = etcd.get('trusted-ca-file');
        if (auth === null || ca === null || auth.value || (ca.value !== undefined && ca.value.trim() !== '')) return;
        const reach = reachOf(tls, etcd);
        const why = auth.setting.value === undefined ? '`--client-cert-auth` not set and no `--trusted-ca-file`' : `\`${auth.setting.shown}\` and no \`--trusted-ca-file\``;
        context.report({
          node: etcd.container,
          messageId: 'noClientAuth',
          severity: reach === 'network' ? 'critical' : reach === 'node' ? 'high' : 'low',
          at: auth.setting.at,
          data: { urls: showUrls(tls), why, who: REACH_TEXT[reach] },
          evidence: `${auth.setting.shown}, --trusted-ca-file not set`,
        });
      },
    };
  },
});
