// Cosign signature artifacts written by the tests themselves (the format of cosign's
// SIGNATURE_SPEC: a `.sig` manifest whose simple-signing layers are payload blobs, each with its
// base64 signature as an annotation), and an in-memory SignatureSource to serve them.

import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { COSIGN_SIGN_PREDICATE, SIGNATURE_ANNOTATION, SIGSTORE_BUNDLE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, dssePae, signatureTag, type SignatureSource } from '../../src/images/cosign.js';
import { sha256 } from './image-fixtures.js';

export interface TestKey {
  privateKey: KeyObject;
  publicPem: string;
  /** the hash the scheme signs with; null for Ed25519 */
  hash: string | null;
}

export function makeKey(type: 'p256' | 'rsa' | 'ed25519' = 'p256'): TestKey {
  if (type === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), hash: 'sha256' };
  }
  if (type === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), hash: null };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), hash: 'sha256' };
}

/** The simple-signing payload cosign signs for an image digest. */
export function payloadFor(digest: string, reference = 'registry.example.com/team/api'): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: null }));
}

export function signPayload(key: TestKey, payload: Buffer): string {
  return sign(key.hash, payload, key.privateKey).toString('base64');
}

export interface SigLayer {
  payload: Buffer;
  /** base64 signature (or anything, to test garbage) */
  signature?: string;
  /** a digest other than the payload's own, to test tampering */
  digest?: string;
  mediaType?: string;
}

/** A `.sig` manifest and the blobs it references. */
export function signatureManifest(layers: SigLayer[]): { manifest: Buffer; blobs: Map<string, Buffer> } {
  const config = Buffer.from('{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}');
  const blobs = new Map<string, Buffer>([[sha256(config), config]]);
  const descriptors = layers.map((l) => {
    const digest = l.digest ?? sha256(l.payload);
    blobs.set(digest, l.payload);
    return { mediaType: l.mediaType ?? SIMPLE_SIGNING_MEDIA_TYPE, size: l.payload.length, digest, ...(l.signature !== undefined ? { annotations: { [SIGNATURE_ANNOTATION]: l.signature } } : {}) };
  });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256(config) }, layers: descriptors }));
  return { manifest, blobs };
}

/** The in-toto statement cosign's new bundle format signs for an image digest. */
export function statementFor(digest: string, predicateType = COSIGN_SIGN_PREDICATE): Buffer {
  const [alg, hex] = digest.split(':');
  return Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { [alg]: hex } }], predicateType }));
}

/** A sigstore bundle (v0.3) with a DSSE envelope over `statement`, signed by `key` (or carrying `signature` as given). */
export function bundleFor(key: TestKey, statement: Buffer, signature?: string): Buffer {
  const payloadType = 'application/vnd.in-toto+json';
  const sig = signature ?? sign(key.hash, dssePae(payloadType, statement), key.privateKey).toString('base64');
  return Buffer.from(JSON.stringify({ mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE, verificationMaterial: { publicKey: { hint: 'x' } }, dsseEnvelope: { payload: statement.toString('base64'), payloadType, signatures: [{ sig }] } }));
}

/** Serves `.sig` manifests by tag, manifests by digest, blobs by digest and referrers indexes; unknown ones are 404 (undefined). */
export class MemorySignatureSource implements SignatureSource {
  readonly manifests = new Map<string, Buffer>();
  readonly blobs = new Map<string, Buffer>();
  /** image digest → its referrers index */
  readonly referrerIndexes = new Map<string, Buffer>();
  /** tag or digest → error thrown when asked (a registry failure) */
  readonly failures = new Map<string, string>();

  store(imageDigest: string, layers: SigLayer[]): void {
    const { manifest, blobs } = signatureManifest(layers);
    this.manifests.set(signatureTag(imageDigest), manifest);
    for (const [d, b] of blobs) this.blobs.set(d, b);
  }

  /** Attach a bundle to `imageDigest` as an OCI 1.1 referrer (artifact manifest + bundle layer + index entry). */
  attachBundle(imageDigest: string, bundle: Buffer, options: { bundleDigest?: string; indexArtifactType?: string; layerMediaType?: string } = {}): string {
    const empty = Buffer.from('{}');
    const bundleDigest = options.bundleDigest ?? sha256(bundle);
    this.blobs.set(bundleDigest, bundle);
    this.blobs.set(sha256(empty), empty);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE, config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2, digest: sha256(empty) }, layers: [{ mediaType: options.layerMediaType ?? SIGSTORE_BUNDLE_MEDIA_TYPE, size: bundle.length, digest: bundleDigest }], subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, digest: imageDigest } }));
    const manifestDigest = sha256(manifest);
    this.manifests.set(manifestDigest, manifest);
    const index = JSON.parse(this.referrerIndexes.get(imageDigest)?.toString() ?? '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}') as { manifests: object[] };
    index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: manifest.length, digest: manifestDigest, artifactType: options.indexArtifactType ?? SIGSTORE_BUNDLE_MEDIA_TYPE });
    this.referrerIndexes.set(imageDigest, Buffer.from(JSON.stringify(index)));
    return manifestDigest;
  }

  async referrers(digest: string): Promise<Buffer | undefined> {
    const failure = this.failures.get(`referrers ${digest}`);
    if (failure) throw new Error(failure);
    return this.referrerIndexes.get(digest);
  }

  async manifest(tag: string): Promise<Buffer | undefined> {
    const failure = this.failures.get(tag);
    if (failure) throw new Error(failure);
    return this.manifests.get(tag);
  }

  async blob(digest: string, limit: number): Promise<Buffer> {
    const failure = this.failures.get(digest);
    if (failure) throw new Error(failure);
    const b = this.blobs.get(digest);
    if (b === undefined) throw new Error(`blob ${digest}: not found (404)`);
    if (b.length > limit) throw new Error(`blob ${digest}: more than ${limit} bytes`);
    return b;
  }
}
