// The floor under any manifest scanner written for Node.js, on a given corpus: what it costs only to
// read the files and build their objects, and to write the same findings kubemoat reports, with
// V8's native JSON (the fastest way there is to build objects from text, and to write them back).
// No YAML, no positions, no rules: whatever a scanner does on top comes on top of this.
//
//   node dist/bench/scan-floor.js DIR
//
// The inputs are converted to JSON once (untimed); the findings are kubemoat's own for the corpus
// (computed once, untimed). Then, timed on one thread: read every JSON file and JSON.parse it; and
// JSON.stringify the findings into one report written to /dev/null.

import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseManifestText } from '../src/sources/manifests/documents.js';
import { scanManifests } from '../src/core/pipeline.js';
import { catalogue } from '../src/rules/catalogue.js';
import { loadConfig } from '../src/core/config.js';
import { knownRuleIds } from '../src/cli/rule-ids.js';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(full));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push(full);
  }
  return out.sort();
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Wall and CPU seconds of `work`. */
function timed<T>(work: () => T): { value: T; s: number; cpu: number } {
  const c = cpuSeconds();
  const t = performance.now();
  const value = work();
  return { value, s: (performance.now() - t) / 1000, cpu: cpuSeconds() - c };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node dist/bench/scan-floor.js DIR\n');
    process.exitCode = 2;
    return;
  }
  const files = filesUnder(dir);
  const jsonDir = mkdtempSync(join(tmpdir(), 'km-floor-'));
  try {
    let resources = 0;
    let yamlBytes = 0;
    let jsonBytes = 0;
    const jsonFiles: string[] = [];
    for (const [i, f] of files.entries()) {
      const text = readFileSync(f, 'utf8');
      yamlBytes += Buffer.byteLength(text);
      const docs = parseManifestText(text).documents.map((d) => d.value);
      resources += docs.length;
      const json = JSON.stringify(docs);
      jsonBytes += json.length;
      const out = join(jsonDir, `${i}.json`);
      writeFileSync(out, json);
      jsonFiles.push(out);
    }
    const findings = (await scanManifests([dir], { rules: catalogue, config: loadConfig(undefined, knownRuleIds()), minimumSeverity: 'low' })).report.findings;

    const load = timed(() => {
      let objects = 0;
      for (const f of jsonFiles) objects += (JSON.parse(readFileSync(f, 'utf8')) as unknown[]).length;
      return objects;
    });
    const write = timed(() => {
      const fd = openSync('/dev/null', 'w');
      // one finding at a time, as a streaming reporter would
      let bytes = 0;
      for (const f of findings) {
        const s = JSON.stringify(f);
        bytes += s.length;
        writeSync(fd, s);
      }
      closeSync(fd);
      return bytes;
    });
    const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;
    process.stdout.write(`scan floor on ${relative(process.cwd(), dir) || dir}: ${files.length} files, ${resources} resources, ${mib(yamlBytes)} of YAML (${mib(jsonBytes)} as JSON), ${findings.length} findings\n`);
    process.stdout.write(`  read + JSON.parse every file     ${load.s.toFixed(2)} s wall, ${load.cpu.toFixed(2)} CPU s (${load.value} objects)\n`);
    process.stdout.write(`  JSON.stringify + write findings  ${write.s.toFixed(2)} s wall, ${write.cpu.toFixed(2)} CPU s (${mib(write.value)})\n`);
    const total = load.s + write.s;
    process.stdout.write(`  floor, one thread                ${total.toFixed(2)} s = ${Math.round(resources / total)} resources/s\n`);
  } finally {
    rmSync(jsonDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
