// What an image contains: its operating system and the packages found in it.

export type PackageType = 'deb' | 'apk' | 'npm' | 'pypi' | 'go' | 'maven' | 'go-stdlib';

export interface Package {
  type: PackageType;
  name: string;
  version: string;
  /** the source package (dpkg) or origin (apk) that advisories name, with its version */
  source?: { name: string; version: string };
  /** the file it was read from, inside the image */
  path: string;
  /** the digest of the layer that added it */
  layer?: string;
  /** licence, when the metadata gives one (for the SBOM) */
  license?: string;
}

export interface OsRelease {
  /** `debian`, `alpine`, `ubuntu`, … (os-release ID) */
  id: string;
  /** `12`, `3.19.1`, … (os-release VERSION_ID) */
  versionId: string;
  prettyName?: string;
}

/** The OSV ecosystem whose advisories apply to a package, or undefined when none does. */
export function osvEcosystem(pkg: Package, os: OsRelease | undefined): string | undefined {
  switch (pkg.type) {
    case 'deb':
      if (os === undefined) return undefined;
      if (os.id === 'debian') return `Debian:${os.versionId.split('.')[0]}`;
      if (os.id === 'ubuntu') return `Ubuntu:${os.versionId}`;
      return undefined;
    case 'apk': {
      if (os === undefined || os.id !== 'alpine') return os?.id === 'wolfi' ? 'Wolfi' : undefined;
      const [major, minor] = os.versionId.split('.');
      return `Alpine:v${major}.${minor ?? '0'}`;
    }
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'PyPI';
    case 'go':
    case 'go-stdlib':
      return 'Go';
    case 'maven':
      return 'Maven';
  }
}

/** The name and version advisories use: the source package for Debian, the origin for Alpine. */
export function advisoryKey(pkg: Package): { name: string; version: string } {
  if (pkg.type === 'deb' && pkg.source) return pkg.source;
  if (pkg.type === 'apk' && pkg.source) return { name: pkg.source.name, version: pkg.version };
  if (pkg.type === 'go-stdlib') return { name: 'stdlib', version: pkg.version };
  return { name: pkg.name, version: pkg.version };
}

/** Package URL (purl), for the SBOM and for naming a package in a finding. */
export function purl(pkg: Package, os: OsRelease | undefined): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%2F/g, '/');
  switch (pkg.type) {
    case 'deb':
      return `pkg:deb/${os?.id ?? 'debian'}/${enc(pkg.name)}@${enc(pkg.version)}${os ? `?distro=${os.id}-${os.versionId}` : ''}`;
    case 'apk':
      return `pkg:apk/${os?.id ?? 'alpine'}/${enc(pkg.name)}@${enc(pkg.version)}${os ? `?distro=${os.versionId}` : ''}`;
    case 'npm': {
      const at = pkg.name.startsWith('@') ? pkg.name.indexOf('/') : -1;
      return at > 0 ? `pkg:npm/${enc(pkg.name.slice(0, at))}/${enc(pkg.name.slice(at + 1))}@${enc(pkg.version)}` : `pkg:npm/${enc(pkg.name)}@${enc(pkg.version)}`;
    }
    case 'pypi':
      return `pkg:pypi/${enc(pkg.name.toLowerCase().replace(/[-_.]+/g, '-'))}@${enc(pkg.version)}`;
    case 'go':
    case 'go-stdlib':
      return `pkg:golang/${pkg.type === 'go-stdlib' ? 'stdlib' : pkg.name}@${enc(pkg.version)}`;
    case 'maven': {
      const [group, artifact] = pkg.name.split(':');
      return `pkg:maven/${enc(group)}/${enc(artifact ?? '')}@${enc(pkg.version)}`;
    }
  }
}
