import { defineProbeRule } from '../rule.js';
import { example, obs } from './facts.js';

/** What each open path gives away. */
const PATHS: [key: string, what: string][] = [
  ['kubelet.runningpods', '/runningpods/ (pods from the container runtime)'],
  ['kubelet.configz', '/configz (the kubelet configuration)'],
  ['kubelet.metrics', '/metrics'],
  ['kubelet.logs', '/logs/ (the node\'s /var/log)'],
  ['kubelet.pprof', '/debug/pprof/ (profiling)'],
  ['kubelet.spec', '/spec/ (machine information)'],
];

export default defineProbeRule({
  meta: {
    id: 'KM-EX-004',
    title: 'Kubelet diagnostic endpoints answer anonymously',
    severity: 'high',
    door: 'kubelet',
    description:
      'The kubelet answered anonymous requests on its diagnostic endpoints: `/configz` hands out its configuration (authentication settings, paths, the static pod directory), `/logs/` browses the node\'s `/var/log`, `/containerLogs` reads any container\'s output, `/runningpods/` and `/metrics` map the workload, and `/debug/pprof/` exposes profiling. Each is read through the kubelet, not the API server, so nothing is audited.',
    remediation: 'Turn off anonymous authentication on the kubelet and use Webhook authorization; set `enableDebuggingHandlers: false` where logs and exec through the kubelet are not needed, and `enableProfilingHandler: false`.',
    references: ['https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/', 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/'],
    frameworks: { cis: ['4.2.1', '4.2.2'], mitre: ['T1613', 'T1552'] },
    messages: { open: 'kubelet at {{endpoint}} answers anonymous requests on {{paths}}' },
  },
  examples: {
    fail: [example('kubelet', 'https', { 'kubelet.configz': { request: 'GET /configz', status: 200 }, 'kubelet.logs': { request: 'GET /logs/', status: 200 } })],
    pass: [example('kubelet', 'https', { 'kubelet.configz': { request: 'GET /configz', status: 401 }, 'kubelet.logs': { request: 'GET /logs/', status: 403 }, 'kubelet.containerLogs': { request: 'GET /containerLogs/x/y/c', status: 401, text: 'Unauthorized' } })],
  },
  check(ep) {
    if (ep.service !== 'kubelet') return [];
    const open = PATHS.filter(([key]) => obs(ep, key)?.status === 200).map(([, what]) => what);
    const logs = obs(ep, 'kubelet.containerLogs');
    if (logs?.status === 404 && /does not exist/.test(logs.text ?? '')) open.push('/containerLogs (any container\'s logs; a missing pod answered 404 after authorization)');
    if (open.length === 0) return [];
    return [{ messageId: 'open', data: { paths: open.map((p) => p.split(' ')[0]).join(', ') }, evidence: `answered 200 to anonymous: ${open.join(', ')}` }];
  },
});
