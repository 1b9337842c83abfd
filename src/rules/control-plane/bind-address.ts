import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_CONTROLLER_MANAGER, HARDENED_SCHEDULER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, isLoopback, judgeable, kubeMinor, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-019',
    title: 'Controller manager or scheduler listens beyond loopback',
    severity: 'low',
    door: 'control-plane',
    description:
      'kube-controller-manager (port 10257) and kube-scheduler (10259) serve health, metrics and, with profiling on, `/debug/pprof` on `--bind-address`, which is 0.0.0.0 unless set. ' +
      'Nothing outside the node needs them (the kubelet probes them on 127.0.0.1), yet on every interface anyone on the network — or any pod, as these pods use the host network — can reach them and try any weakness of their delegated authentication and authorization. ' +
      'Requests other than `/healthz` still need authorization, so this is low.',
    remediation: 'Set `--bind-address=127.0.0.1` on kube-controller-manager and kube-scheduler (kubeadm does); scrape their metrics from the node or through a proxy on the node.',
    references: [CP_DOCS.controllerManager, CP_DOCS.scheduler],
    frameworks: { cis: ['1.3.7', '1.4.2'], nsa: [CP_NSA.controlPlane], mitre: [MITRE.networkServiceDiscovery] },
    messages: {
      explicit: '{{container}} in {{resource}} runs {{component}} with `{{flag}}`: its secure port {{port}} is reachable from the network',
      default: '{{container}} in {{resource}} runs {{component}} without `--bind-address=127.0.0.1`: its secure port {{port}} listens on every interface by default',
    },
  },
  examples: {
    fail: [
      staticPod('kube-scheduler', withFlags(HARDENED_SCHEDULER, { 'bind-address': null })),
      staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'bind-address': '0.0.0.0' })),
    ],
    pass: [
      staticPod('kube-scheduler', HARDENED_SCHEDULER),
      staticPod('kube-controller-manager', HARDENED_CONTROLLER_MANAGER),
      // secure serving turned off
      staticPod('kube-scheduler', withFlags(HARDENED_SCHEDULER, { 'bind-address': null, 'secure-port': '0' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-controller-manager', 'kube-scheduler');
        if (container === undefined) return;
        const minor = kubeMinor(c);
        if (minor !== undefined && minor < 13 && !c.flags.has('secure-port')) return; // secure serving was off by default then
        const securePort = c.flags.int('secure-port') ?? (c.component === 'kube-scheduler' ? 10259 : 10257);
        if (securePort === 0) return;
        const flag = c.flags.get('bind-address');
        const address = c.flags.string('bind-address');
        const data = { component: c.component, port: securePort };
        // each component has its own CIS item: a finding is about that one only
        const cis = { cis: [c.component === 'kube-scheduler' ? '1.4.2' : '1.3.7'] };
        if (flag === undefined || !address) {
          context.report({ node: container, messageId: 'default', at: flag?.at ?? addAt(c), data, evidence: '--bind-address not set (default 0.0.0.0)', frameworks: cis });
        } else if (!isLoopback(address)) {
          context.report({ node: container, messageId: 'explicit', at: flag.at, data: { ...data, flag: shown('bind-address', flag) }, evidence: shown('bind-address', flag), frameworks: cis });
        }
      },
    };
  },
});
