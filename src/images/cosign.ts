// Cosign signatures, key-based: the tag form of sigstore's signature storage. A signature for the
// manifest `sha256:HEX` lives in the same repository under the tag `sha256-HEX.sig`: an image
// manifest whose simple-signing layers are payload blobs (JSON naming the signed manifest digest)
// and whose layer annotation carries the base64 signature over the payload's exact bytes.
//
// Checked here, with the user's public keys and Node's crypto: the payload hashes to its
// descriptor's digest, the signature verifies with a configured key, the payload is a cosign
// container-image signature, and it names this image's digest (a signature copied onto another
// image's `.sig` tag fails). Not checked: certificates (keyless/Fulcio), Rekor bundles and
// transparency-log inclusion, and the OCI 1.1 referrers form (new sigstore bundles).

import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { asObject, asString, type JsonValue } from '../core/json.js';
import { digestOf, parseManifest } from './image/manifest.js';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** Signature payloads are a few hundred bytes; anything far larger is not one. */
const PAYLOAD_LIMIT = 256 * 1024;
/** Signatures examined per `.sig` manifest (each is a blob fetch). */
const SIGNATURE_LIMIT = 32;

export class CosignKeyError extends Error {}

export interface CosignKey {
  /** where the key came from (a file path), for messages */
  name: string;
  /** sha256 of the key's SubjectPublicKeyInfo, shortened, so evidence can tell keys apart */
  fingerprint: string;
  key: KeyObject;
  /** the digest the key's scheme signs with; null for Ed25519 (which hashes internally) */
  hash: string | null;
}

const EC_HASH: Record<string, string> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** A cosign public key (PEM `PUBLIC KEY`): ECDSA P-256/384/521, RSA (PKCS#1 v1.5, SHA-256) or Ed25519. */
export function parseCosignPublicKey(pem: string, name: string): CosignKey {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new CosignKeyError(`${name}: this is a private key; give the public key (cosign.pub), which is all verification needs`);
  if (/-----BEGIN CERTIFICATE-----/.test(pem)) throw new CosignKeyError(`${name}: a certificate; key-based verification takes a PEM public key (cosign.pub); certificate and keyless verification are not supported`);
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) throw new CosignKeyError(`${name}: not a PEM public key (expected -----BEGIN PUBLIC KEY-----)`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new CosignKeyError(`${name}: unreadable public key (${(e as Error).message})`);
  }
  let hash: string | null;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const h = EC_HASH[curve];
    if (h === undefined) throw new CosignKeyError(`${name}: ECDSA on curve ${curve} is not a cosign key type (P-256, P-384, P-521)`);
    hash = h;
  } else if (key.asymmetricKeyType === 'rsa') {
    hash = 'sha256';
  } else if (key.asymmetricKeyType === 'ed25519') {
    hash = null;
  } else {
    throw new CosignKeyError(`${name}: ${key.asymmetricKeyType ?? 'unknown'} keys cannot verify cosign signatures (ECDSA, RSA or Ed25519 keys can)`);
  }
  const spki = key.export({ type: 'spki', format: 'der' });
  return { name, fingerprint: `sha256:${createHash('sha256').update(spki).digest('hex').slice(0, 16)}`, key, hash };
}

/** `sha256:HEX` → `sha256-HEX.sig`, the tag cosign stores the digest's signatures under. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** Where signatures are read from: a registry repository (or, in tests, memory). */
export interface SignatureSource {
  /** the manifest under a tag, or undefined when the registry says it does not exist (404) */
  manifest(tag: string): Promise<Buffer | undefined>;
  /** a blob, at most `limit` bytes (throws beyond) */
  blob(digest: string, limit: number): Promise<Buffer>;
}

/** One signature found under a `.sig` tag, with what was wrong with it (before any key is tried). */
export interface FoundSignature {
  /** `sha256-HEX.sig#2` */
  place: string;
  payload?: Buffer;
  signature?: Buffer;
  problem?: string;
}

export type CollectedSignatures =
  | { kind: 'found'; tags: string[]; signatures: FoundSignature[] }
  | { kind: 'none'; tags: string[] }
  | { kind: 'error'; reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The signatures of one `.sig` manifest: each layer's payload fetched and checked against its digest. */
async function readSignatureManifest(source: SignatureSource, tag: string, bytes: Buffer): Promise<FoundSignature[]> {
  let layers;
  try {
    const parsed = parseManifest(JSON.parse(bytes.toString('utf8')) as JsonValue, tag);
    if (parsed.kind !== 'image') return [{ place: tag, problem: 'the signature tag holds an index, not a signature manifest' }];
    layers = parsed.layers;
  } catch (e) {
    return [{ place: tag, problem: `malformed signature manifest (${(e as Error).message})` }];
  }
  const signing = layers.filter((l) => l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE);
  if (signing.length === 0) return [{ place: tag, problem: `the signature manifest has no ${SIMPLE_SIGNING_MEDIA_TYPE} layer` }];
  const out: FoundSignature[] = [];
  for (const [i, layer] of signing.slice(0, SIGNATURE_LIMIT).entries()) {
    const place = `${tag}#${i + 1}`;
    const b64 = layer.annotations[SIGNATURE_ANNOTATION];
    if (b64 === undefined || b64 === '') {
      out.push({ place, problem: `no ${SIGNATURE_ANNOTATION} annotation` });
      continue;
    }
    if (!BASE64.test(b64)) {
      out.push({ place, problem: 'the signature annotation is not base64' });
      continue;
    }
    if (layer.size !== undefined && layer.size > PAYLOAD_LIMIT) {
      out.push({ place, problem: `payload of ${layer.size} bytes, more than a signature payload may have` });
      continue;
    }
    const payload = await source.blob(layer.digest, PAYLOAD_LIMIT); // registry errors propagate: they are not verdicts
    if (digestOf(payload, layer.digest.split(':')[0]) !== layer.digest) {
      out.push({ place, problem: `the payload does not hash to ${layer.digest} (altered)` });
      continue;
    }
    out.push({ place, payload, signature: Buffer.from(b64, 'base64') });
  }
  if (signing.length > SIGNATURE_LIMIT) out.push({ place: tag, problem: `${signing.length - SIGNATURE_LIMIT} more signatures not examined (limit ${SIGNATURE_LIMIT})` });
  return out;
}

/**
 * Fetch the signatures stored for each digest (the index the tag names and the platform's manifest,
 * either may be signed). A 404 for a `.sig` tag means no signatures there; any other registry
 * failure makes the result an error: it cannot be said whether the image is signed.
 */
export async function collectSignatures(source: SignatureSource, digests: readonly string[]): Promise<CollectedSignatures> {
  const tags = [...new Set(digests)].map(signatureTag);
  const signatures: FoundSignature[] = [];
  for (const tag of tags) {
    try {
      const bytes = await source.manifest(tag);
      if (bytes !== undefined) signatures.push(...(await readSignatureManifest(source, tag, bytes)));
    } catch (e) {
      return { kind: 'error', reason: `signatures at ${tag} could not be read: ${(e as Error).message}` };
    }
  }
  return signatures.length === 0 ? { kind: 'none', tags } : { kind: 'found', tags, signatures };
}

function verifiesWith(k: CosignKey, payload: Buffer, signature: Buffer): boolean {
  try {
    return verify(k.hash, payload, k.key, signature);
  } catch {
    return false; // a signature that is not even well-formed for this key type
  }
}

/** `critical.image.docker-manifest-digest` (JSON keys compared without case, as cosign's decoder does). */
function field(o: Record<string, JsonValue> | undefined, name: string): JsonValue | undefined {
  if (o === undefined) return undefined;
  const key = Object.keys(o).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : o[key];
}

export type SignatureVerdict =
  | { kind: 'verified'; place: string; key: CosignKey }
  | { kind: 'unsigned'; tags: string[] }
  | { kind: 'invalid'; problems: string[] };

export function describeKey(k: CosignKey): string {
  return `${k.name} (${k.fingerprint})`;
}

/** Is one of the signatures a valid cosign signature of one of `digests` by one of `keys`? */
export function judgeSignatures(collected: Exclude<CollectedSignatures, { kind: 'error' }>, digests: readonly string[], keys: readonly CosignKey[]): SignatureVerdict {
  if (collected.kind === 'none') return { kind: 'unsigned', tags: collected.tags };
  const problems: string[] = [];
  for (const s of collected.signatures) {
    if (s.problem !== undefined || s.payload === undefined || s.signature === undefined) {
      problems.push(`${s.place}: ${s.problem ?? 'unreadable'}`);
      continue;
    }
    const key = keys.find((k) => verifiesWith(k, s.payload as Buffer, s.signature as Buffer));
    if (key === undefined) {
      problems.push(`${s.place}: the signature does not verify with ${keys.map(describeKey).join(' or ')} (made by another key, or altered)`);
      continue;
    }
    let payload: JsonValue;
    try {
      payload = JSON.parse(s.payload.toString('utf8')) as JsonValue;
    } catch {
      problems.push(`${s.place}: signed by ${describeKey(key)}, but the payload is not JSON`);
      continue;
    }
    const critical = asObject(field(asObject(payload), 'critical'));
    const type = asString(field(critical, 'type'));
    const signed = asString(field(asObject(field(critical, 'image')), 'docker-manifest-digest'));
    if (type !== COSIGN_SIGNATURE_TYPE) {
      problems.push(`${s.place}: signed by ${describeKey(key)}, but the payload is not a cosign container image signature (type ${JSON.stringify(type ?? null)})`);
      continue;
    }
    if (signed === undefined || !digests.includes(signed)) {
      problems.push(`${s.place}: a valid signature by ${describeKey(key)}, but for ${signed ?? 'no digest'}, not this image (${digests.join(' or ')}): copied from another image`);
      continue;
    }
    return { kind: 'verified', place: s.place, key };
  }
  return { kind: 'invalid', problems };
}

/** A requirement: images matching the patterns must carry a valid signature by one of the keys. */
export interface SignaturePolicy {
  /** where it was said: `.kubemoat.yaml imageSignatures[0]` or `--cosign-key` */
  origin: string;
  /** reference globs (`*` matches anything); empty = every image */
  images: string[];
  keys: CosignKey[];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/**
 * The policies that apply to a reference. A glob matches the reference as written or its
 * repository name with the registry made explicit (`docker.io/library/nginx` for `nginx:1.27`),
 * with or without the tag or digest.
 */
export function policiesFor(policies: readonly SignaturePolicy[], names: readonly string[]): SignaturePolicy[] {
  return policies.filter((p) => p.images.length === 0 || p.images.some((g) => names.some((n) => globToRegExp(g).test(n))));
}

/** The names a policy glob is matched against: as written, and with the registry made explicit. */
export function referenceNames(ref: string, parsed: { registry: string; path: string; tag?: string; digest?: string } | undefined): string[] {
  if (parsed === undefined) return [ref];
  const repo = `${parsed.registry}/${parsed.path}`;
  return [...new Set([ref, repo, ...(parsed.tag ? [`${repo}:${parsed.tag}`] : []), ...(parsed.digest ? [`${repo}@${parsed.digest}`] : [])])];
}
