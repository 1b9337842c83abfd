import { defineProbeRule } from '../rule.js';
import { example, obs } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-012',
    title: 'Docker Engine API open without client authentication',
    severity: 'critical',
    door: 'runtime-socket',
    description:
      'The Docker Engine API answered without a client certificate (usually `-H tcp://0.0.0.0:2375`). Anyone who reaches it starts a privileged container with the host\'s root filesystem mounted: root on the node, and from there the kubelet\'s credentials and every pod on it. Exposed Docker APIs are among the most scanned-for doors on the internet.',
    remediation: 'Do not expose the Docker daemon on TCP; if you must, use `--tlsverify` with `--tlscacert`, `--tlscert`, `--tlskey` on port 2376 and firewall it.',
    references: ['https://docs.docker.com/engine/security/protect-access/', 'https://attack.mitre.org/techniques/T1610/'],
    frameworks: { mitre: ['T1610', 'T1611'] },
    messages: { open: 'Docker Engine API at {{endpoint}} answers without client authentication' },
  },
  examples: {
    fail: [example('docker', 'http', { 'docker.info': { request: 'GET /info', status: 200, counts: { containers: 4, images: 9 } } }, { version: 'docker 24.0.7' })],
    pass: [example('docker', 'https', {}, { port: 2376, clientCertRequired: true }), example('http', 'http', {})],
  },
  check(ep) {
    if (ep.service !== 'docker' || ep.clientCertRequired) return [];
    const info = obs(ep, 'docker.info');
    const c = info?.counts;
    return [{ messageId: 'open', evidence: `${ep.identifiedBy}${c ? `; GET /info → ${info!.status}: ${c.containers} containers, ${c.images} images` : ''}` }];
  },
});
