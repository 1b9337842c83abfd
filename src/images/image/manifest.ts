// Image manifests and indexes (OCI and Docker v2 schema 2), platform selection, and the resolved
// image every source produces: a config and an ordered list of layers, each able to open its blob.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { asArray, asObject, asString, isObject, type JsonValue } from '../../core/json.js';
import type { Verification } from './layer.js';
import type { SignatureSource } from '../cosign.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export const ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

export class ImageError extends Error {}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new ImageError(`bad platform "${text}": write os/arch[/variant], e.g. linux/amd64`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', ia32: '386' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size?: number;
  platform?: Platform;
  annotations: Record<string, string>;
  /** OCI 1.1: the type of an artifact (a referrers index lists it per manifest) */
  artifactType?: string;
}

export interface LayerRef {
  /** the digest that names the layer (blob digest, or the diff id for `docker save` layers) */
  digest: string;
  mediaType: string;
  size?: number;
  diffId?: string;
  verify: Verification;
  open(): Promise<Readable>;
}

export interface ResolvedImage {
  /** what the user named */
  name: string;
  /** digest of the manifest (the image's identity in a registry) */
  manifestDigest?: string;
  configDigest: string;
  platform?: Platform;
  layers: LayerRef[];
  /** tags the source knows for it (docker save's RepoTags) */
  tags: string[];
  /** where cosign signatures are stored (registry images only), and the digests they may sign */
  signatures?: { source: SignatureSource; digests: string[] };
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function checkDigest(digest: string, where: string): string {
  if (!DIGEST.test(digest)) throw new ImageError(`${where}: bad digest ${JSON.stringify(digest)}`);
  return digest;
}

export function digestOf(bytes: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Parse JSON that must hash to `digest`: a manifest or config whose bytes do not match is refused. */
export function verifiedJson(bytes: Buffer, digest: string | undefined, where: string): JsonValue {
  if (digest !== undefined) {
    const algorithm = digest.split(':')[0];
    if (digestOf(bytes, algorithm) !== digest) throw new ImageError(`${where}: digest mismatch, the content does not hash to ${digest}; refused`);
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as JsonValue;
  } catch (e) {
    throw new ImageError(`${where}: not JSON (${(e as Error).message})`);
  }
}

export function readDescriptor(v: JsonValue, where: string): Descriptor {
  const o = asObject(v);
  const digest = asString(o?.digest);
  if (o === undefined || digest === undefined) throw new ImageError(`${where}: a descriptor without a digest`);
  const p = asObject(o.platform);
  const os = asString(p?.os);
  const architecture = asString(p?.architecture);
  const variant = asString(p?.variant);
  const artifactType = asString(o.artifactType);
  const annotations: Record<string, string> = {};
  for (const [k, val] of Object.entries(asObject(o.annotations) ?? {})) if (typeof val === 'string') annotations[k] = val;
  return {
    mediaType: asString(o.mediaType) ?? '',
    digest: checkDigest(digest, where),
    ...(typeof o.size === 'number' ? { size: o.size } : {}),
    ...(os && architecture ? { platform: { os, architecture, ...(variant ? { variant } : {}) } } : {}),
    annotations,
    ...(artifactType ? { artifactType } : {}),
  };
}

export type ParsedManifest =
  | { kind: 'index'; manifests: Descriptor[] }
  | { kind: 'image'; config: Descriptor; layers: Descriptor[] };

export function parseManifest(v: JsonValue, where: string, mediaTypeHint?: string): ParsedManifest {
  if (!isObject(v)) throw new ImageError(`${where}: a manifest must be a JSON object`);
  const mediaType = asString(v.mediaType) ?? mediaTypeHint ?? '';
  if (Array.isArray(v.manifests) || mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList) {
    return { kind: 'index', manifests: asArray(v.manifests).map((d, i) => readDescriptor(d, `${where}: manifests[${i}]`)) };
  }
  if (v.config !== undefined) {
    return { kind: 'image', config: readDescriptor(v.config, `${where}: config`), layers: asArray(v.layers).map((d, i) => readDescriptor(d, `${where}: layers[${i}]`)) };
  }
  if (v.schemaVersion === 1) throw new ImageError(`${where}: Docker schema 1 manifests are not supported`);
  throw new ImageError(`${where}: not an image manifest or index (media type ${mediaType || 'none'})`);
}

/** Pick the manifest for a platform from an index; a clear error lists what the index offers. */
export function selectPlatform(manifests: Descriptor[], wanted: Platform, where: string): Descriptor {
  const images = manifests.filter((m) => m.mediaType !== 'application/vnd.oci.image.manifest.v1+json' || m.annotations['vnd.docker.reference.type'] !== 'attestation-manifest');
  const matches = images.filter((m) => m.platform && m.platform.os === wanted.os && m.platform.architecture === wanted.architecture);
  const exact = matches.find((m) => wanted.variant === undefined || m.platform?.variant === wanted.variant);
  if (exact) return exact;
  if (matches.length > 0 && wanted.variant === undefined) return matches[0];
  // an index with one manifest and no platform (common for single-platform OCI layouts) is that image
  if (images.length === 1 && images[0].platform === undefined) return images[0];
  const offered = images.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'unknown')).join(', ');
  throw new ImageError(`${where}: no manifest for ${wanted.os}/${wanted.architecture}${wanted.variant ? `/${wanted.variant}` : ''} (the index offers: ${offered || 'nothing'})`);
}

/** The layer descriptors kubemoat can read; foreign (non-distributable) layers are not fetched. */
export function isReadableLayer(d: Descriptor): boolean {
  return !/nondistributable|foreign/.test(d.mediaType);
}
