// Language packages: npm (`package.json` of a package under `node_modules`), Python
// (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`), Java archives (`pom.properties`, nested jars),
// Go binaries (the build information the linker embeds).

import { unzipSync } from 'fflate';
import type { Package } from './types.js';

/** `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`. */
export function isNpmManifest(path: string): boolean {
  return /\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}

export function parseNpmManifest(text: string, path: string): Package | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.name !== 'string' || typeof o.version !== 'string') return undefined;
  const license = typeof o.license === 'string' ? o.license : undefined;
  return { type: 'npm', name: o.name, version: o.version, path, ...(license ? { license } : {}) };
}

export function isPythonMetadata(path: string): boolean {
  return /\.dist-info\/METADATA$/.test(path) || /\.egg-info\/PKG-INFO$/.test(path) || /\.egg-info$/.test(path);
}

export function parsePythonMetadata(text: string, path: string): Package | undefined {
  let name: string | undefined;
  let version: string | undefined;
  let license: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') break; // the headers end at the first blank line; the description follows
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Name') name = m[2].trim();
    else if (m[1] === 'Version') version = m[2].trim();
    else if (m[1] === 'License' && m[2].trim() !== '' && m[2].trim() !== 'UNKNOWN') license = m[2].trim();
  }
  if (!name || !version) return undefined;
  return { type: 'pypi', name, version, path, ...(license ? { license } : {}) };
}

export function isJavaArchive(path: string): boolean {
  return /\.(jar|war|ear)$/i.test(path);
}

function parseProperties(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('!')) continue;
    const i = t.search(/[=:]/);
    if (i > 0) m.set(t.slice(0, i).trim(), t.slice(i + 1).trim());
  }
  return m;
}

const NESTED_DEPTH = 3;

/** Maven coordinates from every `pom.properties` in a Java archive and in the archives nested in it. */
export function parseJavaArchive(bytes: Uint8Array, path: string, depth = 0): Package[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => /(^|\/)META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(f.name) || (depth < NESTED_DEPTH && /\.(jar|war)$/i.test(f.name)) });
  } catch {
    return [];
  }
  const out: Package[] = [];
  const decoder = new TextDecoder();
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('pom.properties')) {
      const p = parseProperties(decoder.decode(data));
      const g = p.get('groupId');
      const a = p.get('artifactId');
      const v = p.get('version');
      if (g && a && v) out.push({ type: 'maven', name: `${g}:${a}`, version: v, path });
    } else {
      out.push(...parseJavaArchive(data, `${path}!/${name}`, depth + 1));
    }
  }
  return out;
}

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

function readUvarint(buf: Buffer, off: number): [number, number] | undefined {
  let x = 0;
  let s = 1;
  for (let i = 0; i < 10 && off + i < buf.length; i++) {
    const b = buf[off + i];
    x += (b & 0x7f) * s;
    if (b < 0x80) return [x, i + 1];
    s *= 128;
  }
  return undefined;
}

/**
 * Parse Go build information starting at its magic. Go 1.18+ writes the version and module
 * strings inline (flag bit 2); older binaries point into the data segment, which this reader does
 * not follow (they are reported as Go binaries without modules).
 */
export function parseGoBuildInfo(buf: Buffer, path: string): Package[] {
  if (buf.length < 32 || !buf.subarray(0, 14).equals(GO_BUILDINFO_MAGIC)) return [];
  const flags = buf[15];
  if ((flags & 2) === 0) return [];
  let off = 32;
  const str = (): string | undefined => {
    const v = readUvarint(buf, off);
    if (v === undefined || off + v[1] + v[0] > buf.length) return undefined;
    const s = buf.toString('utf8', off + v[1], off + v[1] + v[0]);
    off += v[1] + v[0];
    return s;
  };
  const goVersion = str();
  const modinfo = str();
  const out: Package[] = [];
  if (goVersion?.startsWith('go')) out.push({ type: 'go-stdlib', name: 'stdlib', version: goVersion.slice(2).replace(/ .*$/, ''), path });
  if (modinfo === undefined) return out;
  let last: Package | undefined;
  for (const line of modinfo.split('\n')) {
    const f = line.split('\t');
    if ((f[0] === 'mod' || f[0] === 'dep') && f[1] && f[2]) {
      last = f[2] === '(devel)' ? undefined : { type: 'go', name: f[1], version: f[2], path };
      if (last) out.push(last);
    } else if (f[0] === '=>' && f[1] && f[2] && last) {
      // a replaced module: the replacement is what was built
      last.name = f[1];
      last.version = f[2];
    }
  }
  return out;
}
