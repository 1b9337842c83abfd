import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { MINERS, MINER_ARGS, POOL_PORTS } from '../programs.js';
import type { TrackedProcess } from '../rule.js';
import { APP, WEB, child, connect, entrypoint, running } from './examples.js';

function minerLike(p: TrackedProcess): string | undefined {
  if (MINERS.has(p.program.toLowerCase())) return `the miner ${p.program}`;
  const m = MINER_ARGS.exec(p.argv.join(' '));
  return m ? `miner arguments (${m[0].trim()})` : undefined;
}

// Known binaries and pool arguments only: a connection to port 3333 alone is also many a web app's.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-004',
    title: 'Crypto miner in a container',
    severity: 'critical',
    description: 'A process that is a known cryptocurrency miner, or runs with a mining pool\'s arguments (stratum URLs, donation or algorithm flags), started or is running in a container. Mining is the most common payload of Kubernetes intrusions (TeamTNT, Kinsing): the cluster\'s CPUs work for the attacker.',
    response: 'Kill the pod, block the pool address, and find the door it came in through (an anonymous kubelet, an exposed dashboard, a vulnerable app). Set CPU limits on workloads so that a miner cannot take a whole node.',
    mitre: ['T1496'],
    references: ['https://attack.mitre.org/techniques/T1496/'],
    repeatWindowSec: 300,
  },
  on: ['exec', 'process', 'connect'],
  create: () => (e, view) => {
    if (!e.container) return undefined;
    const p = view.process(e.pid);
    if (!p) return undefined;
    const why = minerLike(p);
    if (why === undefined) return undefined;
    if (e.kind === 'connect') {
      if (e.family === 'unix') return undefined;
      return { message: `${why} in ${where(e.container)} connected to ${e.address}:${e.port}${POOL_PORTS.has(e.port) ? ' (a mining pool port)' : ''}`, details: { ...containerDetails(e.container), pool: `${e.address}:${e.port}` } };
    }
    if (e.kind !== 'exec' && e.kind !== 'process') return undefined;
    return { message: `${why}: \`${commandLine(e.argv)}\` ${e.kind === 'process' ? 'is running' : 'started'} in ${where(e.container)}`, details: { ...containerDetails(e.container), command: commandLine(e.argv), binary: e.binary } };
  },
  examples: {
    trigger: [
      child(APP, ['/tmp/kworker', '-o', 'stratum+tcp://10.77.1.10:3333', '-u', 'wallet', '--donate-level=1'], { binary: '/tmp/kworker' }),
      running(WEB, ['xmrig', '--config=/tmp/c.json'], { binary: '/usr/local/bin/xmrig' }),
      [child(APP, ['nc', 'stratum+tcp://10.77.1.10:3333'], { pid: 28300 }), connect(APP, '10.77.1.10', 3333, { pid: 28300 })],
    ],
    ignore: [entrypoint(WEB, ['nginx', '-g', 'daemon off;']), [child(APP, ['wget', 'http://10.77.1.10:3333/health'], { pid: 28301 }), connect(APP, '10.77.1.10', 3333, { pid: 28301, comm: 'wget' })]],
  },
});
