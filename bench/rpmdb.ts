// Benchmark of kubemoat's rpm database readers (issue 8, rpm packages). Prints figures; asserts nothing.
//
//   node dist/bench/rpmdb.js [--packages 512] [--runs 9]
//   node dist/bench/rpmdb.js --real DIR   # every rpmdb.sqlite / Packages under DIR, e.g. databases taken from real images
//
// A real rpm database of the size of a full RHEL 9 system (a few hundred packages, tens of
// thousands of owned files): headers made by rpmbuild and installed by rpm (SQLite backend), then
// repeated in the Packages table until it holds --packages rows; the same headers in rpm's older
// Berkeley DB form (written by db5.3_load). kubemoat's readers (in process: every header parsed,
// every file name built) are timed against rpm itself listing the same files (`rpm -qa` with the
// sqlite or bdb_ro backend), whose start-up cost (`rpm --version`) is measured apart.
// Needs rpm, rpmbuild, sqlite3 and db5.3_load (lab/setup.d/35-rpm.sh).

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readRpmdbBdb, readRpmdbNdb, readRpmdbSqlite } from '../src/images/packages/rpm.js';
import { bdbFromSqlite, buildRpmRoot, type Spec } from '../test/helpers/rpm-fixtures.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const PACKAGES = opt('packages', 512);
const realAt = argv.indexOf('--real');
const RUNS = opt('runs', 9);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Every rpm database under dir: kubemoat's packages and files against rpm's own listing of the same file, and the time each takes. */
function compareReal(dir: string): void {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === 'rpmdb.sqlite' || e.name === 'Packages' || e.name === 'Packages.db') found.push(join(d, e.name));
    }
  };
  walk(dir);
  for (const file of found.sort()) {
    if (file.endsWith('Packages.db')) {
      // Debian's rpm has no ndb backend: kubemoat's figures only
      const bytes = readFileSync(file);
      const t = timeMs(() => void readRpmdbNdb(bytes, file));
      const r = readRpmdbNdb(bytes, file);
      console.log(`${file}: kubemoat ${r.packages.length} packages / ${r.files} files (${r.owned.length} kept for ownership) in ${t.toFixed(1)} ms (ndb; no rpm here reads it)${r.errors.length > 0 ? `; errors: ${r.errors.join('; ')}` : ''}`);
      continue;
    }
    const sqlite = file.endsWith('rpmdb.sqlite');
    // a private copy: rpm wants to write its lock and shared-memory files beside the database
    const tmp = mkdtempSync(join(tmpdir(), 'km-bench-real-'));
    copyFileSync(file, join(tmp, basename(file)));
    const bytes = readFileSync(join(tmp, basename(file)));
    let ours = sqlite ? readRpmdbSqlite(bytes, file) : readRpmdbBdb(bytes, file);
    const oursMs = median(Array.from({ length: RUNS }, () => timeMs(() => void (ours = sqlite ? readRpmdbSqlite(bytes, file) : readRpmdbBdb(bytes, file)))));
    const rpmArgs = ['--define', `_db_backend ${sqlite ? 'sqlite' : 'bdb_ro'}`, '--dbpath', tmp];
    const listing = (): string[] =>
      execFileSync('rpm', [...rpmArgs, '-qa', '--qf', '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 })
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('gpg-pubkey '))
        .sort();
    let theirs: string[] = [];
    const rpmMs = median(Array.from({ length: RUNS }, () => timeMs(() => void (theirs = listing()))));
    const rpmFiles = execFileSync('rpm', [...rpmArgs, '-qal'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }).split('\n').filter((l) => l.startsWith('/')).length;
    const mine = ours.packages.map((p) => `${p.name} ${p.version} ${p.arch ?? '(none)'} ${p.source ? `${p.source.name}-${p.source.version.replace(/^\d+:/, '')}.src.rpm` : '(none)'}`).sort();
    const same = mine.length === theirs.length && mine.every((m, i) => m === theirs[i]);
    console.log(`${file}: kubemoat ${mine.length} packages / ${ours.files} files (${ours.owned.length} kept for ownership) in ${oursMs.toFixed(1)} ms; rpm -qa ${theirs.length} / ${rpmFiles} in ${rpmMs.toFixed(1)} ms (incl. start-up); ${same ? 'identical (name, epoch, version, release, arch, source rpm)' : 'DIFFERENT'}${ours.errors.length > 0 ? `; errors: ${ours.errors.join('; ')}` : ''}`);
    rmSync(tmp, { recursive: true, force: true });
  }
}

const work = mkdtempSync(join(tmpdir(), 'km-bench-rpmdb-'));
try {
  if (realAt >= 0) {
    compareReal(argv[realAt + 1]);
    process.exit(0);
  }
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  // 32 packages of 120 files each (a typical header: 10-60 KiB, a few overflow pages)
  const spec: Spec = {
    name: 'benchpkg',
    epoch: 1,
    version: '2.34',
    release: '100.el9_4.2',
    arch: 'x86_64',
    packages: Array.from({ length: 32 }, (_, i) => ({
      sub: i === 0 ? '' : `sub${i}`,
      files: Array.from({ length: 120 }, (_, k) => ({ path: `/usr/share/benchpkg/sub${i}/dir${k % 7}/some-file-name-of-typical-length-${k}.so.1`, content: `${i}.${k}` })),
    })),
  };
  const t0 = Date.now();
  const root = buildRpmRoot(work, [spec]);
  console.log(`built and installed ${root.installed.length} packages with rpmbuild/rpm in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // repeat the rows until the table holds PACKAGES headers (rpm -qa lists every row)
  while (Number(execFileSync('sqlite3', [root.db, 'select count(*) from Packages'], { encoding: 'utf8' })) < PACKAGES) {
    execFileSync('sqlite3', [root.db, `insert into Packages (blob) select blob from Packages limit ${PACKAGES} - (select count(*) from Packages)`]);
  }
  execFileSync('sqlite3', [root.db, 'vacuum']);
  const dbDir = join(root.db, '..');
  const bdb = bdbFromSqlite(root.db, join(work, 'bdb'));
  const sqliteBytes = readFileSync(root.db);
  const bdbBytes = readFileSync(bdb.file);
  const first = readRpmdbSqlite(sqliteBytes, '/var/lib/rpm/rpmdb.sqlite');
  const firstBdb = readRpmdbBdb(bdbBytes, '/var/lib/rpm/Packages');
  console.log(`database: ${first.packages.length} packages, ${first.files} owned files (${first.owned.length} kept for ownership); rpmdb.sqlite ${(statSync(root.db).size / 1048576).toFixed(1)} MiB, Packages (Berkeley DB) ${(statSync(bdb.file).size / 1048576).toFixed(1)} MiB; kubemoat reads ${firstBdb.packages.length} from the Berkeley DB file, rpm (bdb_ro) lists ${bdb.installed.length}, rpm (sqlite) ${execFileSync('rpm', ['--dbpath', join(root.db, '..'), '-qa'], { encoding: 'utf8' }).trim().split('\n').length}`);

  const ours = median(Array.from({ length: RUNS }, () => timeMs(() => readRpmdbSqlite(sqliteBytes, '/var/lib/rpm/rpmdb.sqlite'))));
  const oursBdb = median(Array.from({ length: RUNS }, () => timeMs(() => readRpmdbBdb(bdbBytes, '/var/lib/rpm/Packages'))));
  const rpm = (args: string[]): void => void execFileSync('rpm', args, { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 26 });
  const startup = median(Array.from({ length: RUNS }, () => timeMs(() => rpm(['--version']))));
  // the same work as kubemoat: every package with its version and every file name
  const qf = ['-qa', '--qf', '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}\\n[%{FILENAMES}\\n]'];
  const rpmSqlite = median(Array.from({ length: RUNS }, () => timeMs(() => rpm(['--dbpath', dbDir, ...qf]))));
  const rpmBdb = median(Array.from({ length: RUNS }, () => timeMs(() => rpm(['--define', '_db_backend bdb_ro', '--dbpath', join(work, 'bdb'), ...qf]))));
  console.log(`kubemoat, in process (median of ${RUNS}): SQLite ${ours.toFixed(1)} ms, Berkeley DB ${oursBdb.toFixed(1)} ms`);
  console.log(`rpm -qa with files (median of ${RUNS}): SQLite ${rpmSqlite.toFixed(1)} ms, Berkeley DB (bdb_ro) ${rpmBdb.toFixed(1)} ms; rpm --version alone ${startup.toFixed(1)} ms`);
  console.log(`ratio kubemoat / (rpm - start-up): SQLite ${(ours / Math.max(1, rpmSqlite - startup)).toFixed(2)}, Berkeley DB ${(oursBdb / Math.max(1, rpmBdb - startup)).toFixed(2)}`);
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
