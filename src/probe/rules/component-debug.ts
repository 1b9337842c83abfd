import { defineProbeRule } from '../rule.js';
import { example, obs } from './facts.js';

const KEYS: Record<string, string[]> = {
  'kube-proxy': ['proxy.metrics', 'proxy.configz', 'proxy.debug.pprof'],
  'kube-component': ['component.metrics', 'component.configz', 'component.debug.pprof'],
  cadvisor: [],
};

export default defineProbeRule({
  meta: {
    id: 'KM-EX-014',
    title: 'Component metrics, configuration or profiling open to anyone',
    severity: 'medium',
    door: 'control-plane',
    description:
      'kube-proxy, kube-controller-manager or kube-scheduler answered anonymous requests on `/metrics`, `/configz` or `/debug/pprof/`. `/configz` hands out the component\'s full configuration (cluster CIDRs, kubeconfig paths, feature gates), `/metrics` maps the cluster, and profiling can be used to load the process. These ports are meant for localhost or authenticated scrapers.',
    remediation: 'Bind the metrics and health ports to 127.0.0.1 (`--bind-address=127.0.0.1`, kube-proxy `metricsBindAddress: 127.0.0.1:10249`), keep delegated authentication and authorization on the secure ports, and set `--profiling=false`.',
    references: ['https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/', 'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/'],
    frameworks: { cis: ['1.3.2', '1.3.7', '1.4.1', '1.4.2'], mitre: ['T1613'] },
    messages: { open: '{{component}} at {{endpoint}} answers anonymous requests on {{paths}}' },
  },
  examples: {
    fail: [example('kube-proxy', 'http', { 'proxy.metrics': { request: 'GET /metrics', status: 200 }, 'proxy.configz': { request: 'GET /configz', status: 200 } })],
    pass: [example('kube-component', 'https', { 'component.metrics': { request: 'GET /metrics', status: 403 }, 'component.configz': { request: 'GET /configz', status: 403 } })],
  },
  check(ep) {
    const keys = KEYS[ep.service];
    if (keys === undefined) return [];
    const open = keys.map((k) => obs(ep, k)).filter((o) => o?.status === 200).map((o) => o!.request.replace(/^GET /, ''));
    if (open.length === 0) return [];
    const component = ep.service === 'kube-proxy' ? 'kube-proxy' : ep.port === 10259 ? 'kube-scheduler' : ep.port === 10257 ? 'kube-controller-manager' : 'Kubernetes component';
    return [{ messageId: 'open', data: { component, paths: open.join(', ') }, evidence: `answered 200 to anonymous: ${open.join(', ')}` }];
  },
});
