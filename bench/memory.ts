// Where kubemoat's memory goes on a corpus, phase by phase: the same pipeline as `kubemoat scan`
// (load → rules → report → JSON text), with the live heap measured after a full GC at each step.
//
//   node --expose-gc dist/bench/memory.js DIR
//
// It prints live heap and RSS after each phase, per resource, so that a change to the pipeline can
// be judged by what it keeps alive, not only by how fast it runs.

import { memoryUsage } from 'node:process';
import { pathToFileURL } from 'node:url';
import { loadManifests } from '../src/sources/manifests/source.js';
import { analyse } from '../src/core/pipeline.js';
import { catalogue } from '../src/rules/catalogue.js';
import { loadConfig } from '../src/core/config.js';
import { knownRuleIds } from '../src/cli/rule-ids.js';
import { renderJson } from '../src/report/json.js';

type Gc = () => void;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  const gc = (globalThis as { gc?: Gc }).gc;
  if (!dir || gc === undefined) {
    process.stderr.write('usage: node --expose-gc dist/bench/memory.js DIR\n');
    process.exitCode = 2;
    return;
  }
  const phases: { phase: string; heap: number; rss: number; s: number; cpu: number }[] = [];
  // CPU seconds per phase as well as wall: on the shared machine wall time mostly measures the load
  const cpuSeconds = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let t = performance.now();
  let c = cpuSeconds();
  const mark = (phase: string): void => {
    const s = (performance.now() - t) / 1000;
    const cpu = cpuSeconds() - c;
    gc();
    const m = memoryUsage();
    phases.push({ phase, heap: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss, s, cpu });
    t = performance.now();
    c = cpuSeconds();
  };
  mark('start');
  const config = loadConfig(undefined, knownRuleIds());
  const load = await loadManifests([dir]);
  mark('loaded (parsed documents, inventory)');
  const report = analyse(load.inventory, { type: 'manifests', paths: [dir] }, load.coverage, new Date(), { rules: catalogue, config, minimumSeverity: 'low' });
  mark(`rules run, report built (${report.findings.length} findings)`);
  const text = renderJson(report);
  mark(`JSON rendered as one string (${mib(text.length)}; the CLI streams it instead)`);
  const resources = load.inventory.objects.length;
  process.stdout.write(`memory: ${resources} resources in ${dir}\n`);
  let prev = phases[0].heap;
  for (const p of phases) {
    const delta = p.heap - prev;
    prev = p.heap;
    process.stdout.write(
      `  ${p.phase.padEnd(48)} live heap ${mib(p.heap).padStart(9)} (+${mib(Math.max(0, delta)).padStart(8)}, ${((Math.max(0, delta) / Math.max(1, resources)) / 1024).toFixed(1).padStart(5)} KiB/resource)  rss ${mib(p.rss).padStart(9)}  ${p.s.toFixed(2)} s  ${p.cpu.toFixed(2)} CPU s\n`,
    );
  }
  // keep everything alive until the end, as the CLI does
  if (text.length === 0 && report.findings.length < 0) process.stdout.write(String(load.stats.files));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
