// Benchmark of `kubemoat images` (issue 8). Prints figures; asserts nothing.
//
//   node dist/bench/images.js [--images 50] [--no-debian] [--advisories 200000] [--packages 50000] [--lookups 200000]
//
// 1. 50 images that share base layers (the debootstrapped Debian root of lab/setup.d/30-images.sh,
//    plus runtime layers each shared by a third of the images) and have one layer of their own,
//    pushed by skopeo to Debian's docker-registry on 127.0.0.1. kubemoat scans all 50 in one run:
//    wall time, peak RSS, layers analysed vs referenced.
// 2. The bare cost of the same distinct layers: curl | gzip -d (or zstd -d) | tar -t, four at a
//    time (kubemoat's concurrency): the floor for any scanner that must read every layer. The
//    ratio of kubemoat's wall time to it is the figure to watch.
// 3. Lookups per second against a generated store the size of a whole ecosystem (OSV's Debian
//    data is some tens of thousands of records over ~20,000 source packages; npm's some tens of
//    thousands): build time, size, open time, then random package lookups with version matching.
//
// 4. Peers on the same 50 images, when bench/peers.sh has built them into $KUBEMOAT_BENCH_CACHE/bin:
//    syft (the package cataloguer behind Grype) writing CycloneDX for each image, one process per
//    image as it takes one source; and, for the packages it finds, the same count from
//    `kubemoat images sbom`. Grype and Trivy's vulnerability scans cannot run here: both fetch their
//    databases from hosts this machine does not reach (no record set is at hand to give them).

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure } from './measure.js';
import { gzip, sha256, tarOf, writeOciLayout, zstd, type FixtureEntry, type FixtureImage } from '../test/helpers/image-fixtures.js';
import { pushWithSkopeo, startRegistry } from '../test/helpers/registry.js';
import { debianBaseLayer } from '../test/helpers/debian-base.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { TarParser } from '../src/images/image/tar.js';
import { Store, StoreBuilder } from '../src/images/osv/store.js';
import { matchVersion } from '../src/images/osv/match.js';
import { compareDpkg } from '../src/images/version/dpkg.js';
import type { Advisory } from '../src/images/osv/record.js';
import { seededRandom } from '../test/helpers/random.js';

const exec = promisify(execFile);
const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const IMAGES = opt('images', 50);
const WITH_DEBIAN = !argv.includes('--no-debian');
const ADVISORIES = opt('advisories', 200_000);
const PACKAGES = opt('packages', 50_000);
const LOOKUPS = opt('lookups', 200_000);
const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;

function noise(r: () => number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32LE(Math.floor(r() * 0x100000000), i);
  return b;
}

/** A runtime layer: many language packages and some binary weight. */
function runtimeLayer(kind: 'node' | 'python' | 'java', r: () => number): Buffer {
  const entries: FixtureEntry[] = [];
  for (let i = 0; i < 300; i++) {
    if (kind === 'node') entries.push({ path: `usr/lib/node_modules/pkg-${i}/package.json`, content: JSON.stringify({ name: `pkg-${i}`, version: `1.${i % 20}.${i % 7}` }) });
    if (kind === 'python') entries.push({ path: `usr/lib/python3/site-packages/mod_${i}-2.${i % 9}.0.dist-info/METADATA`, content: `Metadata-Version: 2.1\nName: mod-${i}\nVersion: 2.${i % 9}.0\n` });
    if (kind === 'java') entries.push({ path: `opt/lib/lib-${i}.txt`, content: `lib ${i}` });
    entries.push({ path: `usr/share/${kind}/blob-${i}.bin`, content: noise(r, 16 * 1024) });
  }
  return gzip(tarOf(entries));
}

function appLayer(i: number, r: () => number): Buffer {
  const entries: FixtureEntry[] = [
    { path: `srv/app-${i}/node_modules/lodash/package.json`, content: JSON.stringify({ name: 'lodash', version: i % 2 === 0 ? '4.17.20' : '4.17.21' }) },
    { path: `srv/app-${i}/node_modules/express/package.json`, content: JSON.stringify({ name: 'express', version: '4.18.2' }) },
    { path: `srv/app-${i}/bundle.bin`, content: noise(r, 2 * 1024 * 1024) },
  ];
  const tar = tarOf(entries);
  return i % 3 === 0 ? zstd(tar) : gzip(tar);
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function imagesBench(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'km-bench-images-'));
  const r = seededRandom(8);
  const registry = await startRegistry('none');
  try {
    const t0 = performance.now();
    const base = WITH_DEBIAN ? [debianBaseLayer()] : [gzip(tarOf([{ path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' }, { path: 'usr/share/base.bin', content: noise(r, 32 * 1024 * 1024) }]))];
    const runtimes = [runtimeLayer('node', r), runtimeLayer('python', r), runtimeLayer('java', r)];
    const images: FixtureImage[] = [];
    for (let i = 0; i < IMAGES; i++) images.push({ tag: `app${i}`, layers: [...base, runtimes[i % 3], appLayer(i, r)].map((blob) => ({ blob, mediaType: blob[0] === 0x28 ? 'application/vnd.oci.image.layer.v1.tar+zstd' : 'application/vnd.oci.image.layer.v1.tar+gzip' })) });
    writeOciLayout(join(work, 'oci'), images);
    for (const img of images) await pushWithSkopeo(join(work, 'oci'), img.tag, registry, 'bench/app', img.tag, false);
    const distinct = new Map<string, Buffer>();
    for (const img of images) for (const l of img.layers) distinct.set(sha256(l.blob), l.blob);
    const referenced = images.reduce((n, i) => n + i.layers.length, 0);
    const compressedMiB = [...distinct.values()].reduce((n, b) => n + b.length, 0) / 1048576;
    console.log(`corpus: ${IMAGES} images, ${referenced} layer references, ${distinct.size} distinct layers, ${compressedMiB.toFixed(1)} MiB compressed (built and pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    // a small database: enough records to match, the lookups are measured separately
    mkdirSync(join(work, 'osv'));
    writeFileSync(join(work, 'osv', 'r.json'), JSON.stringify([
      { id: 'GHSA-35jh-r3h4-6jhm', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] },
      { id: 'DSA-0-0', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9:0' }] }] }] },
    ]));
    await exec(process.execPath, [CLI, 'images', 'db', 'update', '--from', join(work, 'osv'), '--db', join(work, 'db')]);

    const refs = images.map((i) => `${registry.host}/bench/app:${i.tag}`);
    const m = await measure(process.execPath, [CLI, 'images', ...refs, '--db', join(work, 'db'), '--format', 'json', '--no-save-state', '--fail-on', 'never', '--stats'], { env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
    const stats = /kubemoat: (.*layers.*)/.exec(m.stderrTail)?.[1] ?? m.stderrTail.trim();
    console.log(`kubemoat images (${IMAGES} refs): ${m.wallS.toFixed(1)} s wall, ${m.userS?.toFixed(1) ?? '?'} s user, peak ${m.peakRssMiB.toFixed(0)} MiB, exit ${m.exitCode}, load ${m.load1.toFixed(1)}`);
    console.log(`  ${stats}`);

    // the floor: fetch + decompress + untar (list) each distinct layer once, 4 at a time
    const t1 = performance.now();
    let untarredMiB = 0;
    await pool([...distinct.entries()], 4, async ([digest, blob]) => {
      const dec = blob[0] === 0x28 ? 'zstd -dc' : 'gzip -dc';
      const { stdout } = await exec('bash', ['-c', `set -o pipefail; curl -sf "http://${registry.host}/v2/bench/app/blobs/${digest}" | ${dec} | tar -t > /dev/null`], { maxBuffer: 1 << 20 }).catch((e: { stderr?: string }) => ({ stdout: '', stderr: e.stderr }));
      void stdout;
    });
    const bare = (performance.now() - t1) / 1000;
    for (const b of distinct.values()) untarredMiB += b.length / 1048576;
    console.log(`bare, native tools: fetch+decompress+untar of the ${distinct.size} distinct layers (curl | gzip/zstd -d | tar -t, 4 at a time): ${bare.toFixed(1)} s`);
    void untarredMiB;
    // the same floor in one Node process, as kubemoat reads layers: fetch, decompress, walk the tar
    // entries (no hashing, no analysis)
    const t2 = performance.now();
    let entries = 0;
    await pool([...distinct.entries()], 4, async ([digest, blob]) => {
      const res = await fetch(`http://${registry.host}/v2/bench/app/blobs/${digest}`);
      const parser = new TarParser(() => {
        entries++;
        return undefined;
      });
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      const sink = async (src: AsyncIterable<Buffer>): Promise<void> => {
        for await (const c of src) parser.push(c);
        parser.end();
      };
      if (blob[0] === 0x28) {
        const parts: Buffer[] = [];
        const d = new Decompress((chunk) => parts.push(Buffer.from(chunk)));
        for await (const c of body) {
          d.push(c as Buffer);
          for (const p of parts.splice(0)) parser.push(p);
        }
        d.push(new Uint8Array(0), true);
        for (const p of parts.splice(0)) parser.push(p);
        parser.end();
      } else await pipeline(body, createGunzip(), sink);
    });
    const bareNode = (performance.now() - t2) / 1000;
    console.log(`bare, in one Node process (fetch + gunzip/fzstd + tar walk, 4 at a time, ${entries} entries): ${bareNode.toFixed(1)} s`);
    console.log(`ratio kubemoat / bare: ${(m.wallS / bareNode).toFixed(2)} against the in-process floor, ${(m.wallS / bare).toFixed(2)} against the native tools (kubemoat also starts node, resolves ${IMAGES} manifests and configs, verifies digests, analyses and matches)`);
    await peerBench(refs, work, m.wallS, m.userS);
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const CACHE = process.env.KUBEMOAT_BENCH_CACHE ?? '/var/cache/kubemoat-bench';

/** Components of a CycloneDX document that are packages (not the image, not files). */
function packageCount(file: string): number {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { components?: { type?: string; purl?: string }[] };
  return (doc.components ?? []).filter((c) => c.purl !== undefined).length;
}

async function peerBench(refs: string[], work: string, kubemoatWall: number, kubemoatUser: number | undefined): Promise<void> {
  const syft = join(CACHE, 'bin', 'syft');
  if (!existsSync(syft)) {
    console.log(`syft: not built (bash bench/peers.sh builds it into ${join(CACHE, 'bin')}); no peer figures`);
    return;
  }
  // offline and quiet: no update check, plain HTTP to the loopback registry, nothing cached between runs
  const env = { ...process.env, SYFT_CHECK_FOR_APP_UPDATE: 'false', SYFT_REGISTRY_INSECURE_USE_HTTP: 'true', SYFT_CACHE_DIR: join(work, 'syft-cache'), XDG_CACHE_HOME: join(work, 'syft-xdg') };
  let wall = 0;
  let user = 0;
  let peak = 0;
  let failed = 0;
  for (const [i, ref] of refs.entries()) {
    const out = join(work, `syft-${i}.json`);
    const m = await measure(syft, [`registry:${ref}`, '-o', `cyclonedx-json=${out}`, '-q'], { env });
    wall += m.wallS;
    user += m.userS ?? 0;
    peak = Math.max(peak, m.peakRssMiB);
    if (m.exitCode !== 0) failed++;
  }
  console.log(`syft (${refs.length} runs, one per image, CycloneDX to a file): ${wall.toFixed(1)} s wall in all, ${user.toFixed(1)} s user, peak ${peak.toFixed(0)} MiB per process${failed ? `, ${failed} failed` : ''}`);
  console.log(`ratio syft / kubemoat: ${(wall / kubemoatWall).toFixed(2)} in wall time${kubemoatUser ? `, ${(user / kubemoatUser).toFixed(2)} in user CPU` : ''} (kubemoat also matched every package against the database)`);
  // what each finds in the same image
  for (const i of [0, 1, 2]) {
    if (i >= refs.length) break;
    const mine = join(work, `kubemoat-sbom-${i}.json`);
    await exec(process.execPath, [CLI, 'images', 'sbom', refs[i], '-o', mine], { env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
    console.log(`  ${refs[i]}: packages in CycloneDX: kubemoat ${packageCount(mine)}, syft ${packageCount(join(work, `syft-${i}.json`))}`);
  }
}

function lookupBench(): void {
  const work = mkdtempSync(join(tmpdir(), 'km-bench-osv-'));
  try {
    const r = seededRandom(42);
    const t0 = performance.now();
    const builder = new StoreBuilder();
    const names = Array.from({ length: PACKAGES }, (_, i) => `pkg${i}-${Math.floor(r() * 1e6).toString(36)}`);
    for (let i = 0; i < ADVISORIES; i++) {
      const name = names[Math.floor(r() * names.length)];
      const fixedMinor = Math.floor(r() * 30);
      const a: Advisory = {
        id: `DEBIAN-CVE-2026-${i}`,
        aliases: [`CVE-2026-${i}`],
        summary: `${name}: generated advisory number ${i} for the lookup benchmark`,
        severity: 'high',
        modified: '2026-11-20T00:00:00Z',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `1.${fixedMinor}-1+deb12u${Math.floor(r() * 5)}` }] }],
        versions: [],
        references: [`https://security-tracker.debian.org/tracker/CVE-2026-${i}`],
      };
      builder.add('Debian:12', name, a);
    }
    const dir = join(work, 'db');
    const meta = builder.write(dir, ['generated']);
    const built = (performance.now() - t0) / 1000;
    const size = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1048576;
    const t1 = performance.now();
    const store = Store.open(dir);
    const opened = (performance.now() - t1) / 1000;
    console.log(`store: ${meta.records} advisories over ${meta.packages} packages, ${size.toFixed(0)} MiB on disk, built in ${built.toFixed(1)} s, opened in ${(opened * 1000).toFixed(0)} ms`);
    // lookups: random installed packages (a tenth with no advisory at all), matched against their advisories
    const t2 = performance.now();
    let matches = 0;
    for (let i = 0; i < LOOKUPS; i++) {
      const name = i % 10 === 0 ? `absent-${i}` : names[Math.floor(r() * names.length)];
      const version = `1.${Math.floor(r() * 30)}-1+deb12u${Math.floor(r() * 5)}`;
      // as a scan does: ranges for every lookup, the whole advisory only for what matched
      for (const m of matchVersion(store.lookupRanges('Debian:12', name), version, compareDpkg)) if (store.complete('Debian:12', name, m.advisory).id !== '') matches++;
    }
    const s = (performance.now() - t2) / 1000;
    console.log(`lookups: ${LOOKUPS} package lookups with dpkg version matching in ${s.toFixed(2)} s = ${Math.round(LOOKUPS / s).toLocaleString('en')} lookups/s (${matches} matches, each completed with its details; the first lookup of a package parses its ranges, later ones hit the parsed cache)`);
    const cold = Store.open(dir);
    const t3 = performance.now();
    const n = Math.min(20_000, PACKAGES);
    for (let i = 0; i < n; i++) for (const m of matchVersion(cold.lookupRanges('Debian:12', names[i]), '1.10-1', compareDpkg)) cold.complete('Debian:12', names[i], m.advisory);
    const c = (performance.now() - t3) / 1000;
    console.log(`cold lookups (each package parsed for the first time): ${Math.round(n / c).toLocaleString('en')} lookups/s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(`kubemoat images benchmark; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
lookupBench();
if (IMAGES > 0) await imagesBench();

