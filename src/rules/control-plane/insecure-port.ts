import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, isLoopback, judgeable, kubeMinor, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-004',
    title: 'API server serves plain HTTP without authentication (insecure port)',
    severity: 'critical',
    door: 'control-plane',
    description:
      'Before Kubernetes 1.20, kube-apiserver also served the whole API over plain HTTP on its "insecure port" (8080 unless `--insecure-port`/`--port` said otherwise), with no authentication and no authorization: every request there is cluster-admin. ' +
      'It was on by default, bound to 127.0.0.1 unless `--insecure-bind-address`/`--address` said otherwise, which is why kubeadm used to pass `--insecure-port=0`. ' +
      'Bound to another address it gives the cluster to anyone who can reach the port (critical); on loopback, to any process on the control-plane node or any pod with `hostNetwork: true` scheduled there (high). ' +
      'From 1.20 the port only accepts 0 and from 1.24 the flags are gone, so this rule only speaks for older versions: from the image tag, or from an explicit non-zero port when the version is unknown. The CIS benchmark covered it in its older editions (`--insecure-port=0`, `--insecure-bind-address` not set).',
    remediation: 'Set `--insecure-port=0` and remove `--insecure-bind-address` (or `--port`/`--address`), then upgrade: Kubernetes 1.20 removed insecure serving. Point local clients at the secure port with a kubeconfig instead.',
    references: [CP_DOCS.controllingAccess, CP_DOCS.insecurePortRemoval, CP_DOCS.apiserver],
    frameworks: { nsa: [CP_NSA.controlPlane, CP_NSA.authn], mitre: [MITRE.externalRemoteServices, MITRE.exploitPublicFacingApplication, MITRE.deployContainer] },
    messages: {
      exposed: '{{container}} in {{resource}} runs kube-apiserver {{version}}with an unauthenticated plain-HTTP port on {{address}}:{{port}} ({{why}}): anyone who reaches it is cluster-admin',
      local: '{{container}} in {{resource}} runs kube-apiserver {{version}}with an unauthenticated plain-HTTP port on {{address}}:{{port}} ({{why}}): any process on the node, or any host-network pod there, is cluster-admin',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'insecure-port': '8080', 'insecure-bind-address': '0.0.0.0' }), { image: 'k8s.gcr.io/kube-apiserver:v1.18.20' }),
      // before 1.20 the port is on by default, on loopback
      staticPod('kube-apiserver', KUBEADM_APISERVER, { image: 'k8s.gcr.io/kube-apiserver:v1.16.15' }),
    ],
    pass: [
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'insecure-port': '0' }), { image: 'k8s.gcr.io/kube-apiserver:v1.18.20' }),
      // 1.20+ serves no insecure port whatever the flags say
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // unknown version (digest only) and no insecure flags: nothing to say
      staticPod('kube-apiserver', HARDENED_APISERVER, { image: 'registry.example.com/kube-apiserver@sha256:0b7e7a5d1c5b0e8f29e2e8ab7ad1e6a1c5f0a0b4c3d2e1f00112233445566778' }),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const minor = kubeMinor(c);
        if (minor !== undefined && minor >= 20) return;
        const portFlag = c.flags.get('insecure-port') ?? c.flags.get('port');
        const portName = c.flags.has('insecure-port') ? 'insecure-port' : 'port';
        let port: number;
        let why: string;
        if (portFlag === undefined) {
          if (minor === undefined) return; // a version that may be 1.20+, where the port is gone
          port = 8080;
          why = '`--insecure-port` not set: 8080 by default before 1.20';
        } else {
          const n = c.flags.int(portName);
          if (n === undefined || n === 0) return;
          port = n;
          why = `\`${shown(portName, portFlag)}\``;
        }
        const bindFlag = c.flags.get('insecure-bind-address') ?? c.flags.get('address');
        const address = (c.flags.string('insecure-bind-address') ?? c.flags.string('address') ?? '127.0.0.1') || '0.0.0.0';
        const local = isLoopback(address);
        const at = !local && bindFlag ? bindFlag.at : portFlag?.at ?? addAt(c);
        const version = c.version ? `v${c.version.major}.${c.version.minor} ` : '';
        context.report({
          node: container,
          messageId: local ? 'local' : 'exposed',
          severity: local ? 'high' : 'critical',
          at,
          data: { address, port, why, version },
          evidence: [portFlag ? shown(portName, portFlag) : '--insecure-port not set', bindFlag ? shown(c.flags.has('insecure-bind-address') ? 'insecure-bind-address' : 'address', bindFlag) : '--insecure-bind-address not set (127.0.0.1)'].join(', '),
        });
      },
    };
  },
});
