import { asString } from '../../core/json.js';
import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { isLoopback, judgeable, shown } from '../control-plane/settings.js';

/** `127.0.0.1:10249` → `127.0.0.1`; `[::]:10249` → `::`; `:10249` → `` (every interface). */
function hostOf(address: string): string {
  const a = address.trim();
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(a);
  if (v6) return v6[1];
  const colon = a.lastIndexOf(':');
  return colon < 0 ? a : a.slice(0, colon);
}

const daemonSet = (args: string[]): string => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-proxy}}
  template:
    metadata: {labels: {k8s-app: kube-proxy}}
    spec:
      hostNetwork: true
      containers:
        - name: kube-proxy
          image: registry.k8s.io/kube-proxy:v1.30.2
          command: [/usr/local/bin/kube-proxy${args.map((a) => `, ${a}`).join('')}]`;

export default defineRule({
  meta: {
    id: 'KM-ND-010',
    title: 'kube-proxy serves its metrics beyond localhost',
    severity: 'low',
    door: 'exposure',
    description:
      'kube-proxy\'s metrics endpoint (port 10249) needs no authentication. Bound to every interface of a host-network pod it tells anyone on the node network how many Services and endpoints the cluster has and how the proxy is doing, and with profiling on it serves /debug/pprof too. Its default is 127.0.0.1:10249; CIS asks to keep it there. With `--config`, kube-proxy ignores its flags and only `metricsBindAddress` in the file counts.',
    remediation: 'Remove `--metrics-bind-address` (or set it to `127.0.0.1:10249`), or set `metricsBindAddress: 127.0.0.1:10249` in the KubeProxyConfiguration; scrape it through a local agent.',
    references: ['https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/', 'https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/'],
    frameworks: { cis: ['4.3.1'], mitre: [MITRE.networkServiceDiscovery] },
    messages: {
      flag: '{{container}} in {{resource}} runs kube-proxy with its metrics on {{address}} (`{{flag}}`), reachable without authentication from beyond the node',
      config: 'this kube-proxy configuration serves metrics on {{address}}, reachable without authentication from beyond the node',
    },
  },
  examples: {
    fail: [
      daemonSet(['--metrics-bind-address=0.0.0.0:10249']),
      `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
metricsBindAddress: 0.0.0.0:10249`,
    ],
    pass: [
      daemonSet(['--v=2']),
      // with --config the flags are ignored: the file decides
      daemonSet(['--config=/var/lib/kube-proxy/config.conf', '--metrics-bind-address=0.0.0.0:10249']),
      `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables`,
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-proxy');
        if (container === undefined || c.flags.has('config')) return;
        const flag = c.flags.get('metrics-bind-address');
        const address = c.flags.string('metrics-bind-address');
        if (flag === undefined || address === undefined || isLoopback(hostOf(address))) return;
        context.report({ node: container, messageId: 'flag', at: flag.at, data: { address, flag: shown('metrics-bind-address', flag) }, evidence: shown('metrics-bind-address', flag) });
      },
      kinds: {
        KubeProxyConfiguration(o) {
          const address = asString(o.raw.metricsBindAddress);
          if (address === undefined || address === '' || isLoopback(hostOf(address))) return;
          context.report({ node: o, messageId: 'config', at: ['metricsBindAddress'], data: { address }, evidence: `metricsBindAddress: ${address}` });
        },
      },
    };
  },
});
