import { defineProbeRule } from '../rule.js';
import { example } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-013',
    title: 'cAdvisor exposed',
    severity: 'medium',
    door: 'exposure',
    description:
      'A cAdvisor web UI and API answered without authentication (once the kubelet\'s `--cadvisor-port`, 4194). It lists every container on the node with its image, labels and resource use: a map of the workloads for anyone who reaches the port.',
    remediation: 'Do not expose cAdvisor: on old kubelets set `--cadvisor-port=0`; read container metrics through the kubelet\'s authenticated `/metrics/cadvisor` instead.',
    references: ['https://github.com/google/cadvisor/blob/master/docs/web.md'],
    frameworks: { mitre: ['T1613'] },
    messages: { open: 'cAdvisor at {{endpoint}} answers without authentication' },
  },
  examples: {
    fail: [example('cadvisor', 'http', {}, { identifiedBy: 'GET /containers/: cAdvisor page' })],
    pass: [example('http', 'http', {}, { port: 4194 })],
  },
  check(ep) {
    return ep.service === 'cadvisor' ? [{ messageId: 'open', evidence: ep.identifiedBy }] : [];
  },
});
