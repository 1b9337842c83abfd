// Benchmark of KM-IM-007, cosign signature verification in `kubemoat images` (issue 8). Prints
// figures; asserts nothing. Needs root (a network namespace), docker-registry and skopeo
// (lab/setup.d/30-images.sh) and cosign (lab/setup.d/35-cosign.sh).
//
//   node dist/bench/images-cosign.js [--images 20] [--runs 5]
//
// N small images on Debian's docker-registry, each signed by cosign (tag form, no transparency
// log), everything inside a network namespace made here with only its loopback. Measured, medians
// of --runs, all on the same N references by digest:
//   - kubemoat images REFS                       (no signature check: the scan alone)
//   - kubemoat images REFS --cosign-key KEY      (the scan and every signature)
//   - cosign verify --key KEY REFS               (the peer a user would run for the same question;
//                                                 --insecure-ignore-tlog, as the images were signed
//                                                 without the log)
// The difference of the first two is what verification adds to a scan; the ratio of the second to
// cosign's is the figure to compare (kubemoat also reads every layer and config).

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure, median, type Measurement } from './measure.js';
import { gzip, tarOf, writeOciLayout } from '../test/helpers/image-fixtures.js';
import { pushWithSkopeo, startRegistry } from '../test/helpers/registry.js';

const exec = promisify(execFile);
const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const IMAGES = opt('images', 20);
const RUNS = opt('runs', 5);
const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;
const COSIGN = '/usr/local/bin/cosign';
const NETNS = `kmcosignbench${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'km-cosign-bench-'));
const cosignEnv = { ...process.env, HOME: join(work, 'home'), COSIGN_PASSWORD: 'bench', TUF_ROOT: join(work, 'home', 'tuf') };

async function inNs(args: string[]): Promise<string> {
  const r = await exec('ip', ['netns', 'exec', NETNS, ...args], { cwd: work, env: cosignEnv, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  return r.stdout;
}

interface Summary {
  label: string;
  wall: number;
  rss: number;
  exit: number | null;
}

/** Each command once per round, the rounds repeated: drift in the machine's load hits them alike. */
async function interleaved(commands: { label: string; argv: string[] }[]): Promise<Summary[]> {
  const ms: Measurement[][] = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, c] of commands.entries()) ms[j].push(await measure('ip', ['netns', 'exec', NETNS, ...c.argv], { env: cosignEnv, cwd: work }));
  }
  return commands.map((c, j) => ({ label: c.label, wall: median(ms[j].map((m) => m.wallS)), rss: median(ms[j].map((m) => m.peakRssMiB)), exit: ms[j][0].exitCode }));
}

async function main(): Promise<void> {
  execFileSync('ip', ['netns', 'add', NETNS]);
  execFileSync('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
  const registry = await startRegistry('none', NETNS);
  try {
    const images = Array.from({ length: IMAGES }, (_, i) => ({ tag: `i${i}`, layers: [{ blob: gzip(tarOf([{ path: `srv/app-${i}.txt`, content: `image ${i}\n`.repeat(100) }])) }] }));
    const digests = writeOciLayout(join(work, 'oci'), images);
    for (const img of images) await pushWithSkopeo(join(work, 'oci'), img.tag, registry, 'bench/app', img.tag, false, NETNS);
    const refs = digests.map((d) => `${registry.host}/bench/app@${d}`);
    await inNs([COSIGN, 'generate-key-pair', '--output-key-prefix', 'release']);
    const signStarted = Date.now();
    for (const ref of refs) await inNs([COSIGN, 'sign', '--key', join(work, 'release.key'), '--tlog-upload=false', '--allow-http-registry', '--allow-insecure-registry', '--yes', ref]);
    const signS = (Date.now() - signStarted) / 1000;
    writeFileSync(join(work, 'osv.json'), JSON.stringify({ id: 'BENCH-1', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'npm', name: 'bench-nothing' }, versions: ['0.0.1'] }] }));
    const update = spawnSync(process.execPath, [CLI, 'images', 'db', 'update', '--from', join(work, 'osv.json'), '--db', join(work, 'db')], { encoding: 'utf8' });
    if (update.status !== 0) throw new Error(update.stderr);
    const kubemoat = [process.execPath, CLI, 'images', ...refs, '--db', join(work, 'db'), '--no-save-state', '--format', 'json', '--fail-on', 'never'];
    // correctness first: kubemoat must find every image signed, cosign must verify every one
    const check = JSON.parse(await inNs([...kubemoat, '--cosign-key', join(work, 'release.pub')])) as { findings: { ruleId: string }[] };
    const unsignedFindings = check.findings.filter((f) => f.ruleId === 'KM-IM-007').length;
    const loadBefore = loadavg()[0];
    const results = await interleaved([
      { label: 'kubemoat --version (start-up)', argv: [process.execPath, CLI, '--version'] },
      { label: 'cosign version (start-up)', argv: [COSIGN, 'version'] },
      { label: 'kubemoat images (scan only)', argv: kubemoat },
      { label: 'kubemoat images --cosign-key', argv: [...kubemoat, '--cosign-key', join(work, 'release.pub')] },
      { label: 'cosign verify --key', argv: [COSIGN, 'verify', '--key', join(work, 'release.pub'), '--insecure-ignore-tlog=true', '--allow-http-registry', '--allow-insecure-registry', ...refs] },
    ]);
    const [kmStart, cosignStart, scan, withKey, peer] = results;
    const print = (s: string) => process.stdout.write(s + '\n');
    print(`images-cosign bench, ${new Date().toISOString()}, ${IMAGES} images signed by cosign (${signS.toFixed(1)} s to sign them all), medians of ${RUNS} interleaved runs, load average ${loadBefore.toFixed(2)} before and ${loadavg()[0].toFixed(2)} after`);
    print(`KM-IM-007 findings with the right key: ${unsignedFindings} (expected 0)`);
    print('| command | median wall | peak RSS | exit |');
    print('|---|---|---|---|');
    for (const r of results) print(`| ${r.label} | ${r.wall.toFixed(2)} s | ${r.rss.toFixed(0)} MiB | ${r.exit} |`);
    print(`signature checks add ${(withKey.wall - scan.wall).toFixed(2)} s to the scan (${(((withKey.wall - scan.wall) / IMAGES) * 1000).toFixed(1)} ms per image)`);
    print(`ratio kubemoat --cosign-key / cosign verify: ${(withKey.wall / peer.wall).toFixed(2)}; after start-up: ${((withKey.wall - kmStart.wall) / (peer.wall - cosignStart.wall)).toFixed(2)}`);
  } finally {
    await registry.stop();
    spawnSync('ip', ['netns', 'delete', NETNS]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  spawnSync('ip', ['netns', 'delete', NETNS]);
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
