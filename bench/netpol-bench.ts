// NetworkPolicy index benchmark: 10,000 workloads and 500 NetworkPolicies (default settings), built
// in memory as a live cluster would hand them over, and again as YAML through the manifest parser.
// Prints index build time, rule time, and query times. A report, not a timed assertion.
//
//   node dist/bench/netpol-bench.js [--pods 10000] [--policies 500] [--namespaces 50] [--queries 200]

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { JsonObject } from '../src/core/json.js';
import { runRules } from '../src/core/engine.js';
import { Inventory } from '../src/inventory/inventory.js';
import { toKubeObject } from '../src/inventory/objects.js';
import { NetpolIndex } from '../src/inventory/netpol.js';
import { namespaceView, summaryView, workloadView } from '../src/inventory/netpol-view.js';
import { planDefaultDeny, renderDefaultDeny } from '../src/inventory/netpol-remedy.js';
import { networkRules } from '../src/rules/network/index.js';
import { addText, type ManifestLoad } from '../src/sources/manifests/source.js';
import { seededRandom } from '../test/helpers/random.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const PODS = arg('pods', 10_000);
const POLICIES = arg('policies', 500);
const NAMESPACES = arg('namespaces', 50);
const QUERIES = arg('queries', 200);
const TIERS = ['front', 'back', 'db', 'cache', 'batch'];
const TEAMS = ['shop', 'payments', 'platform', 'data'];

export function generate(): JsonObject[] {
  const rand = seededRandom(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const objects: JsonObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}`, labels: { team: TEAMS[n % TEAMS.length], env: n % 3 === 0 ? 'prod' : 'dev' } } });
  }
  for (let i = 0; i < PODS; i++) {
    const ns = `ns-${i % NAMESPACES}`;
    const app = `app-${Math.floor(i / NAMESPACES) % 40}`;
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `w-${i}`, namespace: ns },
      spec: {
        template: {
          metadata: { labels: { app, tier: pick(TIERS), version: `v${i % 4}` } },
          spec: {
            hostNetwork: i % 500 === 0,
            containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }],
          },
        },
      },
    });
  }
  for (let p = 0; p < POLICIES; p++) {
    const n = p % NAMESPACES;
    const ns = `ns-${n}`;
    const shape = Math.floor(p / NAMESPACES) % 10;
    let spec: JsonObject;
    switch (shape) {
      case 0: // default deny, in most namespaces
        spec = n % 5 === 4 ? { podSelector: { matchLabels: { app: 'app-1' } } } : { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
        break;
      case 1: // DNS egress
        spec = {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
        };
        break;
      case 2: // front from the ingress controller and same-namespace pods
        spec = {
          podSelector: { matchLabels: { tier: 'front' } },
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { team: 'platform' } }, podSelector: { matchLabels: { app: 'app-0' } } }], ports: [{ port: 'http' }] },
            { from: [{ podSelector: {} }], ports: [{ port: 'metrics' }] },
          ],
        };
        break;
      case 3: // back from front
        spec = { podSelector: { matchLabels: { tier: 'back' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'front' } } }], ports: [{ port: 8080 }] }] };
        break;
      case 4: // db from back, with expressions
        spec = {
          podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }] },
          ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'batch'] }, { key: 'version', operator: 'NotIn', values: ['v0'] }] } }], ports: [{ port: 5432, endPort: 5440 }] }],
        };
        break;
      case 5: // internet egress, sometimes forgetting the metadata endpoint
        spec = {
          podSelector: { matchLabels: { tier: 'batch' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: p % 2 === 0 ? ['10.0.0.0/8', '169.254.169.254/32'] : ['10.0.0.0/8'] } }], ports: [{ port: 443 }, { port: 80 }] }],
        };
        break;
      case 6: // prometheus from everywhere on metrics
        spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'app-3' } } }], ports: [{ port: 'metrics' }] }] };
        break;
      case 7: // front to back egress
        spec = { podSelector: { matchLabels: { tier: 'front' } }, egress: [{ to: [{ podSelector: { matchLabels: { tier: 'back' } } }], ports: [{ port: 8080 }] }] };
        break;
      case 8: // an open one
        spec = { podSelector: { matchLabels: { app: `app-${p % 40}` } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }] };
        break;
      default: // a typo: selects nothing
        spec = { podSelector: { matchLabels: { app: `aap-${p % 40}` } }, ingress: [{}] };
    }
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np-${p}`, namespace: ns }, spec });
  }
  return objects;
}

interface Timing {
  /** best and median wall time of the repeats, ms */
  min: number;
  median: number;
  /** CPU time (user + system) of the best repeat, ms */
  cpu: number;
}

/** Run `fn` `repeats` times; the machine is shared, so the best run is the figure and the median says how noisy it was. */
function time<T>(repeats: number, fn: () => T): { result: T; t: Timing } {
  const walls: number[] = [];
  let best = Infinity;
  let bestCpu = 0;
  let result: T | undefined;
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    walls.push(wall);
    if (wall < best) {
      best = wall;
      bestCpu = (c.user + c.system) / 1000;
    }
  }
  walls.sort((a, b) => a - b);
  return { result: result as T, t: { min: best, median: walls[Math.floor(walls.length / 2)], cpu: bestCpu } };
}

function fmt(t: Timing): string {
  return `${t.min.toFixed(1)} ms (median ${t.median.toFixed(1)}, cpu ${t.cpu.toFixed(1)})`;
}

function line(label: string, t: Timing, note = ''): void {
  console.log(`${label.padEnd(44)} ${fmt(t)}${note ? `  ${note}` : ''}`);
}

function main(): void {
  const REPEATS = arg('repeats', 5);
  const raws = generate();
  console.log(`netpol bench: ${PODS} workloads, ${POLICIES} NetworkPolicies, ${NAMESPACES} namespaces; best of ${REPEATS} (node ${process.version}, load ${loadavg()[0].toFixed(1)})`);

  // As a live cluster hands objects over (no positions).
  const inv = time(REPEATS, () => {
    const inventory = new Inventory();
    for (const raw of raws) {
      const o = toKubeObject(raw, { type: 'cluster', context: 'bench' });
      if (o) inventory.add(o);
    }
    return inventory;
  });
  const inventory = inv.result;
  line('inventory (live-shaped objects)', inv.t);

  const built = time(REPEATS, () => new NetpolIndex(inventory));
  const index = built.result;
  line('index build', built.t, `(${index.pods.length} pods, ${index.policies.length} policies, ${index.problems.length} problems)`);

  // As `kubemoat cluster` runs them after listing: a fresh inventory, the index built by the first rule.
  const rules = time(REPEATS, () => {
    const fresh = new Inventory();
    for (const o of inventory.objects) fresh.add(o);
    return runRules(fresh, networkRules, { trustedRegistries: [], purposes: [] });
  });
  const counts = new Map<string, number>();
  for (const f of rules.result.findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  line('inventory + index + 6 KM-NP rules', rules.t, `findings: ${[...counts].sort().map(([k, v]) => `${k}=${v}`).join(' ')}`);

  const perPod = time(REPEATS, () => {
    let isolated = 0;
    let metadata = 0;
    for (const pod of index.pods) {
      if (index.isolated(pod, 'ingress')) isolated++;
      if (index.metadataAccess(pod) !== undefined) metadata++;
    }
    return { isolated, metadata };
  });
  line(`isolation + metadata, all ${index.pods.length} pods`, perPod.t, `(${perPod.result.isolated} ingress-isolated, ${perPod.result.metadata} reach metadata)`);

  // Full workload answers: both directions, every connecting workload among all of them.
  const rand = seededRandom(7);
  const sample = Array.from({ length: Math.min(QUERIES, index.pods.length) }, () => index.pods[Math.floor(rand() * index.pods.length)]);
  const views = time(REPEATS, () => {
    let connections = 0;
    for (const pod of sample) {
      const v = workloadView(index, pod, { connectionLimit: 25 });
      connections += v.ingress.connectionsTotal + v.egress.connectionsTotal;
    }
    return connections;
  });
  const per = (t: Timing): Timing => ({ min: t.min / sample.length, median: t.median / sample.length, cpu: t.cpu / sample.length });
  line(`workload view (--pod), per query`, per(views.t), `(${sample.length} queries, mean ${Math.round(views.result / sample.length)} connecting workloads)`);

  const fresh = time(REPEATS, () => workloadView(new NetpolIndex(inventory), sample[0], { connectionLimit: 25 }));
  line('index build + first --pod query', fresh.t);

  const nsView = time(REPEATS, () => namespaceView(index, index.namespaceInfo('ns-0')!, { connectionLimit: 25 }));
  line(`namespace view (--namespace, ${nsView.result.workloads.length} workloads)`, nsView.t);

  const rows = time(REPEATS, () => summaryView(index));
  line('summary (all namespaces)', rows.t, `(${rows.result.length} namespaces)`);

  const emitted = time(REPEATS, () => renderDefaultDeny(index, planDefaultDeny(index)));
  line('--emit-default-deny', emitted.t, `(${emitted.result.split('\n---\n').length - 1} policies)`);

  // The same objects as YAML through the manifest parser.
  const text = raws.map((r) => JSON.stringify(r)).join('\n---\n');
  const parsed = time(Math.min(REPEATS, 3), () => {
    const load: ManifestLoad = { inventory: new Inventory(), coverage: [], stats: { files: 0, documents: 0, objects: 0, skipped: 0 }, incomplete: false };
    addText(load, 'bench.yaml', text);
    return load;
  });
  line(`manifests: parse ${(text.length / 1e6).toFixed(1)} MB`, parsed.t);
  line('manifests: index build', time(REPEATS, () => new NetpolIndex(parsed.result.inventory)).t);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
