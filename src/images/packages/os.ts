// Operating-system package databases and release files: dpkg (`status`, distroless `status.d/*`,
// the `info/*.list` files that say which files a package owns), apk (`installed`, with origins and
// owned files), os-release and alpine-release.

import type { OsRelease, Package } from './types.js';

/**
 * Packages one database may list. A whole Debian release has about 65,000 binary packages for an
 * architecture and a real image a few thousand; a database listing more is hostile or broken, and
 * matching a million of them took over a minute. Past the bound the database is refused, not cut.
 */
export const MAX_PACKAGES_PER_DATABASE = 100_000;

export class PackageLimitError extends Error {
  constructor(path: string, limit: number) {
    super(`${path}: lists more than ${limit} packages; not read (a real image has a few thousand), so this image's packages from it are not listed`);
  }
}

/** RFC 822-style stanzas separated by blank lines, with continuation lines folded in. */
function stanzas(text: string, path: string, limit: number): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastKey: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0 && out.push(current) > limit) throw new PackageLimitError(path, limit);
      current = new Map();
      lastKey = undefined;
    } else if ((line.startsWith(' ') || line.startsWith('\t')) && lastKey !== undefined) {
      current.set(lastKey, `${current.get(lastKey)}\n${line.trim()}`);
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      lastKey = line.slice(0, colon).trim();
      current.set(lastKey, line.slice(colon + 1).trim());
    }
  }
  if (current.size > 0) out.push(current);
  return out;
}

/** Packages of a dpkg `status` file (or one `status.d` file); only installed ones. */
export function parseDpkgStatus(text: string, path: string, limit = MAX_PACKAGES_PER_DATABASE): Package[] {
  const out: Package[] = [];
  for (const s of stanzas(text, path, limit)) {
    const name = s.get('Package');
    const version = s.get('Version');
    if (!name || !version) continue;
    const status = s.get('Status');
    // distroless status.d entries have no Status field; a removed package keeps its config files
    if (status !== undefined && !/\binstalled$/.test(status)) continue;
    const pkg: Package = { type: 'deb', name, version, path };
    const source = s.get('Source');
    if (source) {
      const m = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(source);
      if (m) pkg.source = { name: m[1], version: m[2] ?? version };
    } else {
      pkg.source = { name, version };
    }
    out.push(pkg);
  }
  return out;
}

/** The files one dpkg `info/NAME.list` says its package owns. */
export function parseDpkgList(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('/'));
}

export interface ApkDb {
  packages: Package[];
  owned: string[];
}

/** Alpine's `/lib/apk/db/installed`: packages with their origin, and the files they own. */
export function parseApkInstalled(text: string, path: string, limit = MAX_PACKAGES_PER_DATABASE): ApkDb {
  const packages: Package[] = [];
  const owned: string[] = [];
  let name: string | undefined;
  let version: string | undefined;
  let origin: string | undefined;
  let license: string | undefined;
  let dir = '';
  const flush = (): void => {
    if (name && version && packages.push({ type: 'apk', name, version, path, source: { name: origin ?? name, version }, ...(license ? { license } : {}) }) > limit) throw new PackageLimitError(path, limit);
    name = version = origin = license = undefined;
    dir = '';
  };
  for (const line of text.split('\n')) {
    if (line === '') {
      flush();
      continue;
    }
    const key = line[0];
    const value = line.slice(2);
    if (line[1] !== ':') continue;
    if (key === 'P') name = value;
    else if (key === 'V') version = value;
    else if (key === 'o') origin = value;
    else if (key === 'L') license = value;
    else if (key === 'F') dir = value;
    else if (key === 'R') owned.push(`/${dir ? `${dir}/` : ''}${value}`);
  }
  flush();
  return { packages, owned };
}

export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1], m[2].replace(/^["']|["']$/g, ''));
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const prettyName = fields.get('PRETTY_NAME');
  return { id, versionId: fields.get('VERSION_ID') ?? '', ...(prettyName ? { prettyName } : {}) };
}
