// What an image contains: its operating system and the packages found in it.

export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'go' | 'maven' | 'go-stdlib';

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
  /** rpm: the architecture (`x86_64`, `noarch`) */
  arch?: string;
  /** rpm: the module stream label (`nodejs:18:9030020231120082734:rhel9`) of a modular package */
  modularity?: string;
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
    case 'rpm':
      return os === undefined ? undefined : rpmEcosystem(os);
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

/**
 * The OSV ecosystem of an rpm distribution, only where the records' naming is known to match what
 * an rpm database holds: AlmaLinux (`AlmaLinux:9`, binary package names, epochs in versions), Rocky
 * Linux (`Rocky Linux:9`, source package names, versions without epochs), Mageia (`Mageia:9`,
 * source names) and Red Hat Enterprise Linux (`Red Hat:enterprise_linux:9`, a prefix: the records
 * name a product stream, `…::baseos`, `…::appstream`, which an image does not record, so every
 * stream of the release is looked up). Fedora, CentOS, Oracle Linux and Amazon Linux have no OSV
 * records; SUSE and openSUSE name releases by marketing name in a way not checked here: none.
 */
export function rpmEcosystem(os: OsRelease): string | undefined {
  const major = /^\d+/.exec(os.versionId)?.[0];
  if (major === undefined) return undefined;
  switch (os.id) {
    case 'almalinux':
      return `AlmaLinux:${major}`;
    case 'rocky':
      return `Rocky Linux:${major}`;
    case 'mageia':
      return `Mageia:${major}`;
    case 'rhel':
      return `Red Hat:enterprise_linux:${major}`;
    default:
      return undefined;
  }
}

/** An rpm version with its epoch always written (`0:` when the package has none), as advisories are compared. */
function withEpoch(version: string): string {
  return /^\d+:/.test(version) ? version : `0:${version}`;
}

/** The names an rpm package is looked up under in an ecosystem: the binary name, the source name, or both (Red Hat's records use either). */
export function rpmAdvisoryKeys(pkg: Package, ecosystem: string): { name: string; version: string }[] {
  const binary = { name: pkg.name, version: withEpoch(pkg.version) };
  const source = pkg.source ? { name: pkg.source.name, version: withEpoch(pkg.source.version) } : undefined;
  if (ecosystem.startsWith('AlmaLinux:')) return [binary];
  if (ecosystem.startsWith('Rocky Linux:') || ecosystem.startsWith('Mageia:')) return source ? [source] : [binary];
  return source && source.name !== binary.name ? [binary, source] : [binary];
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
    case 'rpm': {
      // purl-spec: the version is version-release, the epoch and arch are qualifiers
      const m = /^(\d+):(.*)$/.exec(pkg.version);
      const qualifiers = [
        ...(pkg.arch ? [`arch=${enc(pkg.arch)}`] : []),
        ...(os ? [`distro=${enc(`${os.id}-${os.versionId}`)}`] : []),
        ...(m ? [`epoch=${m[1]}`] : []),
      ];
      return `pkg:rpm/${enc(os?.id ?? 'rpm')}/${enc(pkg.name)}@${enc(m ? m[2] : pkg.version)}${qualifiers.length > 0 ? `?${qualifiers.join('&')}` : ''}`;
    }
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
