import { defineRuntimeRule, type RuntimeSettings } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { APP, WEB, connect } from './examples.js';

/** Distinct destinations per process within the window; one alert per process and window. */
function scanDetector(settings: RuntimeSettings) {
  const seen = new Map<string, { start: number; destinations: Set<string>; alerted: boolean }>();
  return (key: string, destination: string, time: number): number | undefined => {
    let w = seen.get(key);
    if (w === undefined || time - w.start > settings.scanWindowSec * 1000) {
      if (seen.size > 50_000) seen.clear();
      w = { start: time, destinations: new Set(), alerted: false };
      seen.set(key, w);
    }
    if (w.destinations.size < settings.scanDestinations * 4) w.destinations.add(destination);
    if (w.alerted || w.destinations.size < settings.scanDestinations) return undefined;
    w.alerted = true;
    return w.destinations.size;
  };
}

const sweep = (ports: number[], host = '10.77.1.10') => ports.map((port, i) => connect(APP, host, port, { comm: 'nc', pid: 28400, time: i * 50 }));
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-007',
    title: 'Network scan from a container',
    severity: 'high',
    description: 'One process in a container connected to many different ports or hosts within a few seconds. Scanners map the cluster network (kubelets, etcd, dashboards, databases) from the first pod an attacker controls; workloads talk to a handful of destinations.',
    response: 'Identify the process and how it got there. Isolate the pod with a deny-all NetworkPolicy and add default-deny egress policies so that one compromised pod cannot reach the rest.',
    mitre: ['T1046'],
    references: ['https://attack.mitre.org/techniques/T1046/'],
  },
  on: ['connect'],
  create: (settings) => {
    const count = scanDetector(settings);
    return (e, view) => {
      if (e.kind !== 'connect' || !e.container || e.family === 'unix') return undefined;
      const n = count(`${e.container.id}\u0000${e.pid}`, `${e.address}:${e.port}`, e.time);
      if (n === undefined) return undefined;
      const p = view.process(e.pid);
      return { message: `${p?.program ?? e.comm} in ${where(e.container)} connected to ${n} distinct destinations within ${settings.scanWindowSec} s (the latest ${e.address}:${e.port})`, details: { ...containerDetails(e.container), destinations: String(n) } };
    };
  },
  examples: {
    trigger: [sweep(range(1, 20)), sweep(range(0, 20).map(() => 22)).map((c, i) => ({ ...c, address: `10.78.1.${i + 2}` }))],
    ignore: [sweep(range(8080, 5)), Array.from({ length: 40 }, (_, i) => connect(WEB, '10.78.1.9', 5432, { comm: 'nginx', pid: 30300, time: i * 10 }))],
  },
});
