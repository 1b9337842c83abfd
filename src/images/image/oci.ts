// Local image sources: an OCI image layout directory (`oci:DIR[:TAG]`), the same as a tar archive
// (`oci-archive:FILE[:TAG]`), and a `docker save` archive (`docker-archive:FILE[:TAG]`). Archives
// are read in place: their members are indexed once and each blob is streamed from its offset.

import { closeSync, constants, createReadStream, existsSync, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { asArray, asObject, asString } from '../../core/json.js';
import { normaliseTarPath } from './tar.js';
import {
  ImageError,
  checkDigest,
  isReadableLayer,
  parseManifest,
  selectPlatform,
  verifiedJson,
  type Descriptor,
  type LayerRef,
  type Platform,
  type ResolvedImage,
} from './manifest.js';

/** A place blobs and files can be read from: a directory or a tar archive. */
interface FileTree {
  describe: string;
  has(path: string): boolean;
  read(path: string, limit?: number): Buffer;
  open(path: string): Readable;
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Open a file of a local image only if it is a regular file. O_NONBLOCK lets the open of a FIFO
 * return at once instead of waiting for a writer (it blocked a scan until killed), and fstat of
 * the open descriptor judges the very file that will be read.
 */
export function openRegularFile(path: string): { fd: number; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new ImageError(`${path}: ${fileKind(st)}, not a regular file: only regular files of a local image are read`);
  }
  return { fd, size: st.size };
}

function dirTree(root: string): FileTree {
  return {
    describe: root,
    has: (p) => existsSync(join(root, p)),
    read: (p, limit = 64 * 1024 * 1024) => {
      const { fd, size } = openRegularFile(join(root, p));
      try {
        if (size > limit) throw new ImageError(`${join(root, p)}: ${size} bytes, more than the ${limit} a manifest or config may have`);
        return readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    open: (p) => createReadStream(join(root, p), { fd: openRegularFile(join(root, p)).fd }),
  };
}

/** Index a plain tar file's members by reading only their headers. */
function tarTree(file: string): FileTree {
  const members = new Map<string, { offset: number; size: number }>();
  const { fd, size: total } = openRegularFile(file);
  try {
    const h = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    while (pos + 512 <= total) {
      readSync(fd, h, 0, 512, pos);
      if (h.every((b) => b === 0)) break;
      const sizeText = h.toString('latin1', 124, 136).replace(/[\0 ]+$/g, '').trim();
      if (!/^[0-7]*$/.test(sizeText)) throw new ImageError(`${file}: not a tar archive (bad header at byte ${pos})`);
      const size = sizeText === '' ? 0 : parseInt(sizeText, 8);
      const flag = String.fromCharCode(h[156]);
      const dataAt = pos + 512;
      if (flag === 'L') {
        const b = Buffer.alloc(size);
        readSync(fd, b, 0, size, dataAt);
        longName = b.toString('utf8').replace(/\0.*$/s, '');
      } else if (flag === '0' || flag === '\0') {
        const end = h.indexOf(0, 0);
        const prefixEnd = h.indexOf(0, 345);
        const prefix = h.toString('latin1', 257, 262) === 'ustar' ? h.toString('utf8', 345, prefixEnd < 0 || prefixEnd > 500 ? 500 : prefixEnd) : '';
        let name = longName ?? h.toString('utf8', 0, end < 0 || end > 100 ? 100 : end);
        if (longName === undefined && prefix !== '') name = `${prefix}/${name}`;
        const path = normaliseTarPath(name);
        if (path !== undefined) members.set(path.slice(1), { offset: dataAt, size });
        longName = undefined;
      } else longName = undefined;
      pos = dataAt + Math.ceil(size / 512) * 512;
    }
  } finally {
    closeSync(fd);
  }
  const member = (p: string): { offset: number; size: number } => {
    const m = members.get(normaliseTarPath(p)?.slice(1) ?? p);
    if (m === undefined) throw new ImageError(`${file}: no member ${p}`);
    return m;
  };
  return {
    describe: file,
    has: (p) => members.has(normaliseTarPath(p)?.slice(1) ?? p),
    read: (p, limit = 64 * 1024 * 1024) => {
      const m = member(p);
      if (m.size > limit) throw new ImageError(`${file}: ${p} is ${m.size} bytes, more than the ${limit} a manifest or config may have`);
      const b = Buffer.alloc(m.size);
      const fd2 = openSync(file, 'r');
      try {
        readSync(fd2, b, 0, m.size, m.offset);
      } finally {
        closeSync(fd2);
      }
      return b;
    },
    open: (p) => {
      const m = member(p);
      return m.size === 0 ? createReadStream(file, { start: 0, end: -1 }) : createReadStream(file, { start: m.offset, end: m.offset + m.size - 1 });
    },
  };
}

function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

function layersOf(tree: FileTree, layers: Descriptor[]): LayerRef[] {
  return layers.filter(isReadableLayer).map((d) => ({
    digest: d.digest,
    mediaType: d.mediaType,
    ...(d.size !== undefined ? { size: d.size } : {}),
    verify: { blob: d.digest },
    open: async () => {
      if (!tree.has(blobPath(d.digest))) throw new ImageError(`${tree.describe}: layer blob ${d.digest} is missing`);
      return tree.open(blobPath(d.digest));
    },
  }));
}

/** Resolve an image in an OCI layout (directory or archive): by `org.opencontainers.image.ref.name`, or the only image. */
function resolveOciLayout(tree: FileTree, name: string, tag: string | undefined, platform: Platform): ResolvedImage {
  if (!tree.has('index.json')) throw new ImageError(`${tree.describe}: not an OCI image layout (no index.json)`);
  const top = parseManifest(verifiedJson(tree.read('index.json'), undefined, `${tree.describe}/index.json`), `${tree.describe}/index.json`);
  if (top.kind !== 'index') throw new ImageError(`${tree.describe}/index.json: not an image index`);
  let candidates = top.manifests;
  if (tag !== undefined) {
    candidates = candidates.filter((d) => d.annotations['org.opencontainers.image.ref.name'] === tag || d.annotations['io.containerd.image.name']?.endsWith(`:${tag}`));
    if (candidates.length === 0) throw new ImageError(`${tree.describe}: no image tagged ${tag}`);
  }
  let desc = candidates.length === 1 ? candidates[0] : selectPlatform(candidates, platform, tree.describe);
  for (let depth = 0; depth < 4; depth++) {
    const where = `${tree.describe}: ${desc.digest}`;
    const m = parseManifest(verifiedJson(tree.read(blobPath(desc.digest)), desc.digest, where), where, desc.mediaType);
    if (m.kind === 'index') {
      desc = selectPlatform(m.manifests, platform, where);
      continue;
    }
    // the config is read (and verified) for the platform it declares
    const cfg = asObject(verifiedJson(tree.read(blobPath(m.config.digest)), m.config.digest, `${tree.describe}: config ${m.config.digest}`));
    const os = asString(cfg?.os);
    const architecture = asString(cfg?.architecture);
    return {
      name,
      manifestDigest: desc.digest,
      configDigest: m.config.digest,
      ...(os && architecture ? { platform: { os, architecture } } : {}),
      layers: layersOf(tree, m.layers),
      tags: tag ? [tag] : [],
    };
  }
  throw new ImageError(`${tree.describe}: indexes nested too deep`);
}

/** `docker save` output: manifest.json names the config and the layer tars; layers are checked against the config's diff ids. */
function resolveDockerArchive(tree: FileTree, name: string, tag: string | undefined): ResolvedImage {
  if (!tree.has('manifest.json')) throw new ImageError(`${tree.describe}: not a docker save archive (no manifest.json)`);
  const list = asArray(verifiedJson(tree.read('manifest.json'), undefined, `${tree.describe}/manifest.json`));
  const entries = list.map((e) => asObject(e)).filter((e): e is NonNullable<typeof e> => e !== undefined);
  const pick = tag === undefined ? entries : entries.filter((e) => asArray(e.RepoTags).some((t) => t === tag || String(t).endsWith(`:${tag}`)));
  if (pick.length === 0) throw new ImageError(`${tree.describe}: no image${tag ? ` tagged ${tag}` : ''} in manifest.json`);
  if (pick.length > 1) throw new ImageError(`${tree.describe}: ${pick.length} images; name one as docker-archive:FILE:TAG (${pick.flatMap((e) => asArray(e.RepoTags)).join(', ')})`);
  const entry = pick[0];
  const configPath = asString(entry.Config);
  if (!configPath) throw new ImageError(`${tree.describe}/manifest.json: no Config`);
  // the config file of docker save is named by its digest (blobs/sha256/HEX or HEX.json)
  const hex = /([a-f0-9]{64})(\.json)?$/.exec(configPath)?.[1];
  const configDigest = hex ? `sha256:${hex}` : undefined;
  const cfg = asObject(verifiedJson(tree.read(configPath), configDigest, `${tree.describe}: ${configPath}`));
  const diffIds = asArray(asObject(cfg?.rootfs)?.diff_ids).map((d, i) => checkDigest(asString(d) ?? '', `${tree.describe}: ${configPath}: rootfs.diff_ids[${i}]`));
  const layerPaths = asArray(entry.Layers).map((l) => asString(l) ?? '');
  if (layerPaths.length !== diffIds.length) throw new ImageError(`${tree.describe}: ${layerPaths.length} layers but ${diffIds.length} diff ids in the config`);
  const os = asString(cfg?.os);
  const architecture = asString(cfg?.architecture);
  return {
    name,
    configDigest: configDigest ?? 'unknown',
    ...(os && architecture ? { platform: { os, architecture } } : {}),
    layers: layerPaths.map((p, i) => ({
      digest: diffIds[i],
      diffId: diffIds[i],
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
      verify: { content: diffIds[i] },
      open: async () => {
        if (!tree.has(p)) throw new ImageError(`${tree.describe}: layer ${p} is missing`);
        return tree.open(p);
      },
    })),
    tags: asArray(entry.RepoTags).map((t) => String(t)),
  };
}

export type LocalRef = { kind: 'oci' | 'oci-archive' | 'docker-archive'; path: string; tag?: string };

/** `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:TAG]`; undefined for anything else. */
export function parseLocalRef(text: string): LocalRef | undefined {
  const m = /^(oci|oci-archive|docker-archive):(.+)$/.exec(text);
  if (!m) return undefined;
  const kind = m[1] as LocalRef['kind'];
  let path = m[2];
  let tag: string | undefined;
  // the path is the longest prefix before a colon that exists; what follows is the tag (which may
  // itself hold a colon, as docker save's `repo:tag` does)
  if (!existsSync(path)) {
    for (let i = path.lastIndexOf(':'); i > 0; i = path.lastIndexOf(':', i - 1)) {
      if (existsSync(path.slice(0, i))) {
        tag = path.slice(i + 1);
        path = path.slice(0, i);
        break;
      }
    }
    if (tag === undefined) {
      const first = path.indexOf(':');
      if (first > 0) {
        tag = path.slice(first + 1);
        path = path.slice(0, first);
      }
    }
  }
  return { kind, path, ...(tag ? { tag } : {}) };
}

export function resolveLocal(ref: LocalRef, name: string, platform: Platform): ResolvedImage {
  if (!existsSync(ref.path)) throw new ImageError(`${ref.path}: no such file or directory`);
  if (ref.kind === 'oci') {
    if (!statSync(ref.path).isDirectory()) throw new ImageError(`${ref.path}: oci: needs a directory (use oci-archive: for a tar file)`);
    return resolveOciLayout(dirTree(ref.path), name, ref.tag, platform);
  }
  if (statSync(ref.path).isDirectory()) {
    const tree = dirTree(ref.path);
    return ref.kind === 'docker-archive' ? resolveDockerArchive(tree, name, ref.tag) : resolveOciLayout(tree, name, ref.tag, platform);
  }
  const tree = tarTree(ref.path);
  return ref.kind === 'docker-archive' ? resolveDockerArchive(tree, name, ref.tag) : resolveOciLayout(tree, name, ref.tag, platform);
}

