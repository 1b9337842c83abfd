// The Debian base layer for the image tests: the minimal bookworm root that lab/setup.d/30-images.sh
// made with debootstrap, packed once by `tar` into a gzip layer and cached beside it.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';

export const DEBIAN_ROOT = process.env.KUBEMOAT_DEBIAN_ROOT ?? '/var/cache/kubemoat-images/bookworm-minbase';

export function debianBaseLayer(): Buffer {
  if (!existsSync(`${DEBIAN_ROOT}/.complete`)) throw new Error(`${DEBIAN_ROOT} is missing: run \`npm run setup\` (lab/setup.d/30-images.sh debootstraps it)`);
  const cached = `${DEBIAN_ROOT}.layer.tar.gz`;
  if (!existsSync(cached) || statSync(cached).mtimeMs < statSync(`${DEBIAN_ROOT}/.complete`).mtimeMs) {
    const tmp = `${cached}.tmp-${process.pid}`;
    execFileSync('bash', ['-c', `tar --numeric-owner --exclude=./.complete --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* --exclude=./var/cache/apt/archives/*.deb -C "$1" -cf - . | gzip -1 > "$2"`, 'x', DEBIAN_ROOT, tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(tmp, cached);
  }
  return readFileSync(cached);
}

/** `source-name source-version` of an installed binary package, from dpkg itself (not from kubemoat's parser). */
export function dpkgSourceOf(pkg: string): { name: string; version: string; binaryVersion: string } {
  const out = execFileSync('dpkg-query', [`--admindir=${DEBIAN_ROOT}/var/lib/dpkg`, '-W', '-f', '${source:Package}\t${source:Version}\t${Version}', pkg], { encoding: 'utf8' }).trim();
  const [name, version, binaryVersion] = out.split('\t');
  return { name, version, binaryVersion };
}
