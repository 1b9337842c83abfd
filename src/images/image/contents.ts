// Layers applied in order: a whiteout deletes a path (and everything under it) from the layers
// below, an opaque directory hides everything the layers below put in it, a file replaces the one
// below. What is left are the image's package databases and language packages; language packages
// inside files that an OS package owns are dropped (the OS package already counts them).

import type { FileFact, LayerAnalysis } from './layer.js';
import type { OsRelease, Package } from '../packages/types.js';

export interface ImageContents {
  os?: OsRelease;
  packages: Package[];
  /** language packages dropped because an OS package owns their files */
  ownedByOs: number;
  notes: string[];
  /** package databases that could not be read (in full): the packages are then partial */
  errors?: string[];
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** rpm's databases in the order kubemoat prefers them when an image holds several: SQLite, ndb, then Berkeley DB; the newer directory before the older. */
const RPMDB_PREFERENCE = ['/usr/lib/sysimage/rpm/rpmdb.sqlite', '/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/Packages.db', '/var/lib/rpm/Packages.db', '/var/lib/rpm/Packages', '/usr/lib/sysimage/rpm/Packages'];

/** An image holding two rpm databases (a stale Berkeley DB file beside the SQLite one) would list every package twice: keep one, and say so. */
function dropSecondRpmDatabase(osPackages: Package[], notes: string[]): void {
  const paths = [...new Set(osPackages.filter((p) => p.type === 'rpm').map((p) => p.path))];
  if (paths.length < 2) return;
  const keep = RPMDB_PREFERENCE.find((p) => paths.includes(p)) ?? paths[0];
  const dropped = paths.filter((p) => p !== keep);
  for (let i = osPackages.length - 1; i >= 0; i--) if (osPackages[i].type === 'rpm' && osPackages[i].path !== keep) osPackages.splice(i, 1);
  notes.push(`more than one rpm database: ${keep} is read, ${dropped.join(', ')} ignored`);
}

export function mergeLayers(layers: readonly LayerAnalysis[]): ImageContents {
  const files = new Map<string, { facts: FileFact[]; layer: string }>();
  const notes: string[] = [];
  for (const layer of layers) {
    if (layer.opaque.length > 0 || layer.whiteouts.length > 0) {
      for (const path of [...files.keys()]) {
        if (layer.opaque.some((d) => path !== d && under(path, d)) || layer.whiteouts.some((w) => under(path, w))) files.delete(path);
      }
    }
    for (const [path, facts] of layer.files) files.set(path, { facts, layer: layer.digest });
    for (const n of layer.notes) notes.push(`layer ${layer.digest.slice(0, 19)}: ${n}`);
  }
  let os: OsRelease | undefined;
  let alpineVersion: string | undefined;
  const owned = new Set<string>();
  const osPackages: Package[] = [];
  const langPackages: Package[] = [];
  const errors: string[] = [];
  for (const [, { facts, layer }] of files) {
    for (const f of facts) {
      if (f.kind === 'os-release') {
        if (os === undefined || f.primary) os = f.os;
      } else if (f.kind === 'alpine-release') alpineVersion = f.version;
      else if (f.kind === 'owned') for (const p of f.paths) owned.add(p);
      else if (f.kind === 'unread') (f.severity === 'error' ? errors : notes).push(f.reason);
      else {
        for (const p of f.packages) {
          const withLayer = { ...p, layer };
          if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') osPackages.push(withLayer);
          else langPackages.push(withLayer);
        }
      }
    }
  }
  dropSecondRpmDatabase(osPackages, notes);
  // os-release on Alpine gives VERSION_ID 3.19.1 too; alpine-release is the fallback when os-release is missing
  if (os === undefined && alpineVersion !== undefined) os = { id: 'alpine', versionId: alpineVersion };
  const kept = langPackages.filter((p) => !owned.has(p.path.replace(/!\/.*$/, '')));
  const packages = [...osPackages, ...kept].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version) || a.path.localeCompare(b.path));
  return { ...(os ? { os } : {}), packages, ownedByOs: langPackages.length - kept.length, notes, ...(errors.length > 0 ? { errors } : {}) };
}
