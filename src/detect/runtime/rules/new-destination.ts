import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { WEB, connect, entrypoint } from './examples.js';

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-017',
    title: 'Connection the workload never made while its baseline was learned',
    severity: 'low',
    description: 'A container connected to an address and port its workload did not connect to during the learning window (`--learn`). Exfiltration, command-and-control and lateral movement go to new places; a workload\'s own peers do not change often.',
    response: 'Check the destination. If it is a new dependency, add it to the workload\'s baseline file; if not, block it with an egress NetworkPolicy and look at the process that connected.',
    mitre: ['T1071', 'T1041'],
    references: ['https://attack.mitre.org/techniques/T1041/'],
    repeatWindowSec: 3600,
  },
  on: ['connect'],
  create: () => (e, view) => {
    if (e.kind !== 'connect' || !e.container || e.family === 'unix') return undefined;
    const b = view.baseline(e);
    const destination = `${e.address}:${e.port}`;
    if (b?.state !== 'enforcing' || b.destinations.has(destination)) return undefined;
    const p = view.process(e.pid);
    return { message: `${p?.program ?? e.comm} in ${where(e.container)} connected to ${destination}, which its workload's baseline never did`, details: { ...containerDetails(e.container), destination } };
  },
  examples: {
    trigger: [[entrypoint(WEB, ['nginx'], { binary: '/usr/sbin/nginx' }), connect(WEB, '10.78.1.9', 5432, { time: 10, comm: 'nginx', pid: 30100 }), connect(WEB, '203.0.113.50', 443, { time: 5_000, comm: 'nginx', pid: 30100 })]],
    ignore: [[entrypoint(WEB, ['nginx'], { binary: '/usr/sbin/nginx' }), connect(WEB, '10.78.1.9', 5432, { time: 10, comm: 'nginx', pid: 30100 }), connect(WEB, '10.78.1.9', 5432, { time: 5_000, comm: 'nginx', pid: 30100 })]],
  },
});
