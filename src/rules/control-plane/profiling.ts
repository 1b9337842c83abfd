import { defineRule } from '../../core/rule.js';
import { HARDENED_APISERVER, HARDENED_CONTROLLER_MANAGER, HARDENED_SCHEDULER, KUBEADM_APISERVER, KUBEADM_CONTROLLER_MANAGER, KUBEADM_SCHEDULER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

/** The CIS item of each component's profiling flag: a finding is about its own component's item only. */
const CIS_BY_COMPONENT: Readonly<Record<string, string>> = { 'kube-apiserver': '1.2.15', 'kube-controller-manager': '1.3.2', 'kube-scheduler': '1.4.1' };

function cisOf(component: string): { cis: string[] } {
  const id = CIS_BY_COMPONENT[component];
  return { cis: id === undefined ? [] : [id] };
}

export default defineRule({
  meta: {
    id: 'KM-CP-010',
    title: 'Control-plane component serves profiling data (/debug/pprof)',
    severity: 'low',
    door: 'control-plane',
    description:
      'kube-apiserver, kube-controller-manager and kube-scheduler serve Go profiling handlers under `/debug/pprof` unless `--profiling=false` (it is on by default). ' +
      'They sit behind authentication and authorization, so the door is narrow: but a caller who gets the permission — or any caller on a component whose authorization is open — can read stack traces and heap contents of the process that holds the cluster\'s credentials, and can make it burn CPU. Nothing in normal operation needs it on. ' +
      'kube-scheduler ignores the flag when it runs with `--config` (the setting is `enableProfiling` in that file), so this rule stays silent then.',
    remediation: 'Add `--profiling=false` to kube-apiserver, kube-controller-manager and kube-scheduler (for a scheduler started with `--config`, set `enableProfiling: false` in its KubeSchedulerConfiguration). Turn it on for a debugging session only.',
    references: [CP_DOCS.apiserver, CP_DOCS.controllerManager, CP_DOCS.scheduler],
    frameworks: { cis: ['1.2.15', '1.3.2', '1.4.1'], nsa: [CP_NSA.controlPlane] },
    messages: {
      explicit: '{{container}} in {{resource}} runs {{component}} with `{{flag}}`: profiling handlers are served under /debug/pprof',
      default: '{{container}} in {{resource}} runs {{component}} without `--profiling=false`: profiling handlers are served under /debug/pprof by default',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', KUBEADM_APISERVER),
      staticPod('kube-controller-manager', KUBEADM_CONTROLLER_MANAGER),
      staticPod('kube-scheduler', withFlags(HARDENED_SCHEDULER, { profiling: 'true' })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-controller-manager', HARDENED_CONTROLLER_MANAGER),
      staticPod('kube-scheduler', HARDENED_SCHEDULER),
      // the scheduler reads enableProfiling from its configuration file
      staticPod('kube-scheduler', withFlags(KUBEADM_SCHEDULER, { config: '/etc/kubernetes/scheduler-config.yaml' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler');
        if (container === undefined) return;
        if (c.component === 'kube-scheduler' && c.flags.string('config')) return;
        const flag = c.flags.get('profiling');
        if (!c.flags.bool('profiling', true)) return;
        if (flag === undefined) {
          context.report({ node: container, messageId: 'default', at: addAt(c), data: { component: c.component }, evidence: '--profiling not set (default true)', frameworks: cisOf(c.component) });
        } else {
          context.report({ node: container, messageId: 'explicit', at: flag.at, data: { component: c.component, flag: shown('profiling', flag) }, evidence: shown('profiling', flag), frameworks: cisOf(c.component) });
        }
      },
    };
  },
});
