// Building image fixtures by hand: tar layers (with pax long names, whiteouts, hostile names),
// compressed with gzip or zstd, written as OCI layouts or `docker save` archives.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface FixtureEntry {
  path: string;
  content?: string | Buffer;
  type?: 'file' | 'dir' | 'symlink';
  mode?: number;
  linkName?: string;
}

function header(name: string, size: number, flag: string, mode: number, linkName = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(mode.toString(8).padStart(7, '0') + '\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(flag, 156, 'latin1');
  h.write(linkName.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function pad(b: Buffer): Buffer {
  const rest = (512 - (b.length % 512)) % 512;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(rest)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

/** A tar stream of these entries; names over 100 bytes get a pax header. */
export function tarOf(entries: FixtureEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    if (Buffer.byteLength(e.path) > 100) {
      const pax = Buffer.from(paxRecord('path', e.path));
      parts.push(header('PaxHeader', pax.length, 'x', 0o644), pad(pax));
    }
    const flag = type === 'file' ? '0' : type === 'dir' ? '5' : '2';
    parts.push(header(e.path, data.length, flag, e.mode ?? (type === 'dir' ? 0o755 : 0o644), e.linkName), pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function gzip(b: Buffer): Buffer {
  return gzipSync(b);
}

/** zstd through the `zstd` tool (Node 20's zlib has no zstd encoder). */
export function zstd(b: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c', '-3'], { input: b, maxBuffer: 1 << 28 });
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export interface FixtureLayer {
  /** the blob as stored (compressed or not) */
  blob: Buffer;
  mediaType?: string;
  /** store this blob under another digest (a tampered registry) */
  lieAboutDigest?: string;
}

function writeBlob(dir: string, bytes: Buffer, digest = sha256(bytes)): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  return digest;
}

export interface FixtureImage {
  tag: string;
  layers: FixtureLayer[];
  /** the uncompressed tars, for diff ids (defaults to the blobs) */
  diffIds?: string[];
  architecture?: string;
}

export function imageConfig(image: FixtureImage, diffIds: string[]): Buffer {
  return Buffer.from(JSON.stringify({ architecture: image.architecture ?? 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
}

/** Write an OCI layout directory holding these images, each tagged; returns the manifest digests. */
export function writeOciLayout(dir: string, images: FixtureImage[]): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests: object[] = [];
  const digests: string[] = [];
  for (const image of images) {
    const layerDescs = image.layers.map((l) => {
      const real = sha256(l.blob);
      const digest = l.lieAboutDigest ?? real;
      writeBlob(dir, l.blob, digest);
      return { mediaType: l.mediaType ?? 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: l.blob.length };
    });
    const config = imageConfig(image, image.diffIds ?? image.layers.map((l) => sha256(l.blob)));
    const configDigest = writeBlob(dir, config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: layerDescs }));
    const digest = writeBlob(dir, manifest);
    digests.push(digest);
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': image.tag } });
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  return digests;
}

/** A `docker save` archive (legacy layout: ID/layer.tar, ID.json config, manifest.json). */
export function writeDockerArchive(file: string, tag: string, layerTars: Buffer[], tamper?: { layer: number; with: Buffer }): void {
  const diffIds = layerTars.map((t) => sha256(t));
  const config = imageConfig({ tag, layers: [] }, diffIds);
  const configName = `${sha256(config).slice(7)}.json`;
  const entries: FixtureEntry[] = [{ path: configName, content: config }];
  const layerPaths = layerTars.map((t, i) => {
    const p = `${diffIds[i].slice(7, 23)}/layer.tar`;
    entries.push({ path: p, content: tamper?.layer === i ? tamper.with : t });
    return p;
  });
  entries.push({ path: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerPaths }]) });
  writeFileSync(file, tarOf(entries));
}

/** Go build information as the linker writes it (Go 1.18+ inline strings), after an ELF header. */
export function fakeGoBinary(goVersion: string, modinfo: string): Buffer {
  const varint = (n: number): Buffer => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  const str = (s: string): Buffer => Buffer.concat([varint(Buffer.byteLength(s)), Buffer.from(s)]);
  const head = Buffer.alloc(32);
  head.write('\xff Go buildinf:', 0, 'latin1');
  head[14] = 8;
  head[15] = 2;
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(5000, 0x90)]);
  return Buffer.concat([elf, head, str(goVersion), str(modinfo), Buffer.alloc(3000)]);
}
