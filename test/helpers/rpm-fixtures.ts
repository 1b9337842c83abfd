// A real rpm database for the image tests: tiny packages built by Debian's rpmbuild from spec
// files written here, installed by rpm itself into a fake root with the SQLite backend, then
// packed by `tar` into a gzip layer. What rpm says is installed (`rpm -qa`) is the reference the
// tests compare kubemoat against. lab/setup.d/35-rpm.sh installs rpm.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function rpmToolsAvailable(): boolean {
  try {
    execFileSync('rpmbuild', ['--version'], { stdio: 'ignore' });
    return execFileSync('rpm', ['--eval', '%{_db_backend}'], { encoding: 'utf8' }).trim() === 'sqlite';
  } catch {
    return false;
  }
}

export interface SpecPackage {
  /** sub-package suffix (`libs` → NAME-libs), or '' for the main package */
  sub: string;
  files: { path: string; content: string }[];
}

export interface Spec {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  /** noarch unless given */
  arch?: string;
  license?: string;
  packages: SpecPackage[];
}

function specText(s: Spec): string {
  const lines = [
    `Name: ${s.name}`,
    ...(s.epoch !== undefined ? [`Epoch: ${s.epoch}`] : []),
    `Version: ${s.version}`,
    `Release: ${s.release}`,
    'Summary: kubemoat test package',
    `License: ${s.license ?? 'MIT'}`,
    ...(s.arch === undefined ? ['BuildArch: noarch'] : []),
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%description',
    'A package for kubemoat tests.',
  ];
  for (const p of s.packages.filter((x) => x.sub !== '')) lines.push(`%package ${p.sub}`, `Summary: ${p.sub}`, `%description ${p.sub}`, `${p.sub} of the test package.`);
  lines.push('%install');
  for (const p of s.packages) {
    for (const f of p.files) {
      const dir = f.path.slice(0, f.path.lastIndexOf('/'));
      lines.push(`mkdir -p %{buildroot}${dir}`, `printf '%s' '${f.content.replace(/'/g, '')}' > %{buildroot}${f.path}`);
    }
  }
  for (const p of s.packages) {
    lines.push(p.sub === '' ? '%files' : `%files ${p.sub}`);
    for (const f of p.files) lines.push(f.path);
  }
  return lines.join('\n') + '\n';
}

export interface RpmRoot {
  root: string;
  /** `rpm -qa` of the root: name, epoch ('' for none), version, release, arch, source rpm */
  installed: { name: string; epoch: string; version: string; release: string; arch: string; sourceRpm: string }[];
  /** the rpmdb.sqlite file */
  db: string;
}

/** Build the specs, install every package into a new root under `work` with rpm's SQLite backend. */
export function buildRpmRoot(work: string, specs: Spec[], dbpath = '/var/lib/rpm'): RpmRoot {
  const top = join(work, 'rpmbuild');
  mkdirSync(join(work, 'specs'), { recursive: true });
  for (const s of specs) {
    const file = join(work, 'specs', `${s.name}.spec`);
    writeFileSync(file, specText(s));
    execFileSync('rpmbuild', ['--quiet', '--define', `_topdir ${top}`, '--define', '_db_backend sqlite', '-bb', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const rpms: string[] = [];
  for (const arch of readdirSync(join(top, 'RPMS'))) for (const f of readdirSync(join(top, 'RPMS', arch))) rpms.push(join(top, 'RPMS', arch, f));
  const root = join(work, 'root');
  mkdirSync(root, { recursive: true });
  const rpm = (args: string[]): string => execFileSync('rpm', ['--root', root, '--dbpath', dbpath, '--define', '_db_backend sqlite', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  rpm(['--initdb']);
  rpm(['-i', '--nodeps', '--noscripts', '--nosignature', '--ignorearch', ...rpms]);
  const qf = '%{NAME}\\t%|EPOCH?{%{EPOCH}}:{}|\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';
  const installed = rpm(['-qa', '--qf', qf])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name, epoch, version, release, arch, sourceRpm] = l.split('\t');
      return { name, epoch, version, release, arch, sourceRpm };
    });
  return { root, installed, db: join(root, dbpath, 'rpmdb.sqlite') };
}

export function bdbToolsAvailable(): boolean {
  try {
    execFileSync('db5.3_load', ['-V'], { stdio: 'ignore' });
    return /bdb_ro/.test(execFileSync('rpm', ['--showrc'], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    return false;
  }
}

/**
 * The same packages in rpm's older Berkeley DB form (`Packages`, a hash of record number →
 * header, as RHEL 8 and CentOS 7 have it): the headers rpm wrote into the SQLite database, loaded
 * by Berkeley DB's own db5.3_load, with rpm's record 0 (its instance counter) as rpm keeps it.
 * Returns the file and what rpm itself lists from it (its read-only bdb backend).
 */
export function bdbFromSqlite(sqliteDb: string, dir: string): { file: string; installed: string[] } {
  mkdirSync(dir, { recursive: true });
  const rows = execFileSync('sqlite3', [sqliteDb, 'select hnum, hex(blob) from Packages order by hnum'], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim().split('\n');
  const le32 = (n: number): string => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const max = Math.max(...rows.map((r) => Number(r.split('|')[0])));
  const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', 'db_pagesize=4096', 'HEADER=END', ` ${le32(0)}`, ` ${le32(max + 1)}`];
  for (const r of rows) {
    const [hnum, hex] = r.split('|');
    lines.push(` ${le32(Number(hnum))}`, ` ${hex.toLowerCase()}`);
  }
  lines.push('DATA=END');
  const dump = join(dir, 'Packages.dump');
  writeFileSync(dump, lines.join('\n') + '\n');
  const file = join(dir, 'Packages');
  execFileSync('db5.3_load', ['-f', dump, file]);
  const installed = execFileSync('rpm', ['--define', '_db_backend bdb_ro', '--dbpath', dir, '-qa', '--qf', '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter((l) => l !== '')
    .sort();
  return { file, installed };
}

/** The root as one gzip layer (as `docker build` would leave it), without the rpm lock and shared-memory files. */
export function rootLayer(root: string): Buffer {
  return execFileSync('bash', ['-c', 'tar --numeric-owner --exclude="*.rpm.lock" --exclude="*-shm" -C "$1" -cf - . | gzip -1', 'x', root], { maxBuffer: 1 << 28 });
}
