// Cosign signatures, key-based: the tag form of sigstore's signature storage. A signature for the
// manifest `sha256:HEX` lives in the same repository under the tag `sha256-HEX.sig`: an image
// manifest whose simple-signing layers are payload blobs (JSON naming the signed manifest digest)
// and whose layer annotation carries the base64 signature over the payload's exact bytes.
//
// Checked here, with the user's public keys and Node's crypto: the payload hashes to its
// descriptor's digest, the signature verifies with a configured key, the payload is a cosign
// container-image signature, and it names this image's digest (a signature copied onto another
// image's `.sig` tag fails). Cosign's new bundle format is read too: a sigstore bundle (v0.3)
// attached as an OCI 1.1 referrer (the referrers API, or its `sha256-HEX` fallback tag) whose DSSE
// envelope carries an in-toto statement naming the image digest. Not checked: certificates
// (keyless/Fulcio), Rekor entries and transparency-log inclusion, timestamps.

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

/** `sha256:HEX` → `sha256-HEX`, the tag that stands in for the OCI 1.1 referrers API where a registry lacks it. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

/** Where signatures are read from: a registry repository (or, in tests, memory). */
export interface SignatureSource {
  /** the manifest under a tag or digest, or undefined when the registry says it does not exist (404) */
  manifest(reference: string): Promise<Buffer | undefined>;
  /** a blob, at most `limit` bytes (throws beyond) */
  blob(digest: string, limit: number): Promise<Buffer>;
  /** the OCI 1.1 referrers index of a digest (the API, else the `sha256-HEX` tag); undefined when there is none */
  referrers(digest: string): Promise<Buffer | undefined>;
}

/**
 * One signature found, with what was wrong with it before any key is tried. `signed` is the exact
 * bytes the signature is over: the simple-signing payload, or a DSSE envelope's pre-authentication
 * encoding; `payload` is what it says once a key has verified it.
 */
export type FoundSignature =
  | { place: string; problem: string }
  | { place: string; form: 'simple-signing' | 'bundle'; signed: Buffer; signature: Buffer; payload: Buffer };

export type CollectedSignatures =
  | { kind: 'found'; looked: string[]; signatures: FoundSignature[] }
  | { kind: 'none'; looked: string[] }
  | { kind: 'error'; reason: string };

export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A blob whose bytes must hash to its digest; altered content is a problem, registry failures propagate. */
async function verifiedBlob(source: SignatureSource, digest: string, size: number | undefined): Promise<Buffer | string> {
  if (size !== undefined && size > PAYLOAD_LIMIT) return `${size} bytes, more than a signature may have`;
  const bytes = await source.blob(digest, PAYLOAD_LIMIT);
  return digestOf(bytes, digest.split(':')[0]) === digest ? bytes : `the content does not hash to ${digest} (altered)`;
}

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
    const payload = await verifiedBlob(source, layer.digest, layer.size);
    if (typeof payload === 'string') out.push({ place, problem: `payload: ${payload}` });
    else out.push({ place, form: 'simple-signing', signed: payload, signature: Buffer.from(b64, 'base64'), payload });
  }
  if (signing.length > SIGNATURE_LIMIT) out.push({ place: tag, problem: `${signing.length - SIGNATURE_LIMIT} more signatures not examined (limit ${SIGNATURE_LIMIT})` });
  return out;
}

/** DSSE's pre-authentication encoding: what a DSSE signature is over. */
export function dssePae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The DSSE signatures of a sigstore bundle (cosign's new bundle format); other bundle contents are named and skipped. */
function readBundle(bytes: Buffer, place: string): FoundSignature[] {
  let bundle: Record<string, JsonValue> | undefined;
  try {
    bundle = asObject(JSON.parse(bytes.toString('utf8')) as JsonValue);
  } catch {
    return [{ place, problem: 'the sigstore bundle is not JSON' }];
  }
  const envelope = asObject(bundle?.dsseEnvelope);
  if (envelope === undefined) return [{ place, problem: bundle?.messageSignature !== undefined ? 'a message-signature bundle (a blob signature), not a container image signature' : 'a sigstore bundle without a DSSE envelope' }];
  const payloadType = asString(envelope.payloadType);
  const payloadB64 = asString(envelope.payload);
  if (payloadType === undefined || payloadB64 === undefined || !BASE64.test(payloadB64)) return [{ place, problem: 'the DSSE envelope has no base64 payload or payload type' }];
  const payload = Buffer.from(payloadB64, 'base64');
  const sigs = Array.isArray(envelope.signatures) ? envelope.signatures : [];
  if (sigs.length === 0) return [{ place, problem: 'the DSSE envelope has no signatures' }];
  return sigs.slice(0, SIGNATURE_LIMIT).map((entry, i): FoundSignature => {
    const sig = asString(asObject(entry)?.sig);
    const at = sigs.length > 1 ? `${place}#${i + 1}` : place;
    if (sig === undefined || !BASE64.test(sig)) return { place: at, problem: 'the DSSE signature is not base64' };
    return { place: at, form: 'bundle', signed: dssePae(payloadType, payload), signature: Buffer.from(sig, 'base64'), payload };
  });
}

/** Sigstore bundles among a digest's referrers: index → artifact manifest (by digest) → bundle layer. */
async function readReferrers(source: SignatureSource, where: string, bytes: Buffer): Promise<FoundSignature[]> {
  let manifests;
  try {
    const parsed = parseManifest(JSON.parse(bytes.toString('utf8')) as JsonValue, where);
    if (parsed.kind !== 'index') return []; // a tag that happens to be named sha256-HEX: not a referrers index
    manifests = parsed.manifests;
  } catch {
    return [];
  }
  const out: FoundSignature[] = [];
  // The referrers-tag index cosign writes lists its bundles with the config's type (the empty
  // descriptor), not the bundle's: such entries are opened too, and skipped if they hold no bundle.
  const declared = (m: { artifactType?: string }) => m.artifactType === SIGSTORE_BUNDLE_MEDIA_TYPE;
  const candidates = manifests.filter((m) => declared(m) || m.artifactType === undefined || m.artifactType === OCI_EMPTY_MEDIA_TYPE);
  for (const d of candidates.slice(0, SIGNATURE_LIMIT)) {
    const place = `referrer ${d.digest.slice(0, 19)}`;
    const manifestBytes = await source.manifest(d.digest);
    if (manifestBytes === undefined) {
      out.push({ place, problem: 'listed among the referrers but not found (404)' });
      continue;
    }
    if (digestOf(manifestBytes, d.digest.split(':')[0]) !== d.digest) {
      out.push({ place, problem: `the referrer manifest does not hash to ${d.digest} (altered)` });
      continue;
    }
    let layers;
    try {
      const parsed = parseManifest(JSON.parse(manifestBytes.toString('utf8')) as JsonValue, place);
      layers = parsed.kind === 'image' ? parsed.layers : [];
    } catch (e) {
      out.push({ place, problem: `malformed referrer manifest (${(e as Error).message})` });
      continue;
    }
    const layer = layers.find((l) => l.mediaType === SIGSTORE_BUNDLE_MEDIA_TYPE);
    if (layer === undefined) {
      if (declared(d)) out.push({ place, problem: `the referrer manifest has no ${SIGSTORE_BUNDLE_MEDIA_TYPE} layer` });
      continue; // another kind of artifact (an SBOM, say)
    }
    const bundle = await verifiedBlob(source, layer.digest, layer.size);
    out.push(...(typeof bundle === 'string' ? [{ place, problem: `bundle: ${bundle}` }] : readBundle(bundle, place)));
  }
  return out;
}

/**
 * Fetch the signatures stored for each digest (the index the tag names and the platform's manifest,
 * either may be signed): the `sha256-HEX.sig` tag (cosign's classic form) and sigstore bundles among
 * the digest's OCI referrers (cosign's new bundle format). Absent (404) means no signatures there;
 * any other registry failure makes the result an error: it cannot be said whether the image is signed.
 */
export async function collectSignatures(source: SignatureSource, digests: readonly string[]): Promise<CollectedSignatures> {
  const unique = [...new Set(digests)];
  type Lookup = { signatures: FoundSignature[] } | { error: string };
  const fromTag = async (digest: string): Promise<Lookup> => {
    const tag = signatureTag(digest);
    try {
      const bytes = await source.manifest(tag);
      return { signatures: bytes === undefined ? [] : await readSignatureManifest(source, tag, bytes) };
    } catch (e) {
      return { error: `signatures at ${tag} could not be read: ${(e as Error).message}` };
    }
  };
  const fromReferrers = async (digest: string): Promise<Lookup> => {
    try {
      const index = await source.referrers(digest);
      return { signatures: index === undefined ? [] : await readReferrers(source, `referrers of ${digest}`, index) };
    } catch (e) {
      return { error: `the referrers of ${digest} could not be read: ${(e as Error).message}` };
    }
  };
  // every lookup at once: they are independent round trips, and the order of the results is kept
  const lookups = await Promise.all(unique.flatMap((digest) => [fromTag(digest), fromReferrers(digest)]));
  const failed = lookups.find((l): l is { error: string } => 'error' in l);
  if (failed !== undefined) return { kind: 'error', reason: failed.error };
  const signatures = lookups.flatMap((l) => ('signatures' in l ? l.signatures : []));
  const looked = unique.map(signatureTag);
  return signatures.length === 0 ? { kind: 'none', looked } : { kind: 'found', looked, signatures };
}

function verifiesWith(k: CosignKey, signed: Buffer, signature: Buffer): boolean {
  try {
    return verify(k.hash, signed, k.key, signature);
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
  | { kind: 'unsigned'; looked: string[] }
  | { kind: 'invalid'; problems: string[] };

export function describeKey(k: CosignKey): string {
  return `${k.name} (${k.fingerprint})`;
}

/** What a verified payload signs: the digests it names, or why it is not an image signature. */
function signedDigests(form: 'simple-signing' | 'bundle', payload: Buffer): string[] | string {
  let json: JsonValue;
  try {
    json = JSON.parse(payload.toString('utf8')) as JsonValue;
  } catch {
    return 'the payload is not JSON';
  }
  if (form === 'simple-signing') {
    const critical = asObject(field(asObject(json), 'critical'));
    const type = asString(field(critical, 'type'));
    if (type !== COSIGN_SIGNATURE_TYPE) return `the payload is not a cosign container image signature (type ${JSON.stringify(type ?? null)})`;
    const signed = asString(field(asObject(field(critical, 'image')), 'docker-manifest-digest'));
    return signed === undefined ? 'the payload names no digest' : [signed];
  }
  const statement = asObject(json);
  const predicateType = asString(statement?.predicateType);
  if (predicateType !== COSIGN_SIGN_PREDICATE) return `the statement is not a cosign image signature (predicate type ${JSON.stringify(predicateType ?? null)})`;
  const subjects = Array.isArray(statement?.subject) ? statement.subject : [];
  const named = subjects.flatMap((s) => Object.entries(asObject(asObject(s)?.digest) ?? {}).flatMap(([alg, hex]) => (typeof hex === 'string' ? [`${alg}:${hex}`] : [])));
  return named.length === 0 ? 'the statement names no subject digest' : named;
}

/** Is one of the signatures a valid cosign signature of one of `digests` by one of `keys`? */
export function judgeSignatures(collected: Exclude<CollectedSignatures, { kind: 'error' }>, digests: readonly string[], keys: readonly CosignKey[]): SignatureVerdict {
  if (collected.kind === 'none') return { kind: 'unsigned', looked: collected.looked };
  const problems: string[] = [];
  for (const s of collected.signatures) {
    if ('problem' in s) {
      problems.push(`${s.place}: ${s.problem}`);
      continue;
    }
    const key = keys.find((k) => verifiesWith(k, s.signed, s.signature));
    if (key === undefined) {
      problems.push(`${s.place}: the signature does not verify with ${keys.map(describeKey).join(' or ')} (made by another key, or altered)`);
      continue;
    }
    const signed = signedDigests(s.form, s.payload);
    if (typeof signed === 'string') {
      problems.push(`${s.place}: signed by ${describeKey(key)}, but ${signed}`);
      continue;
    }
    if (!signed.some((d) => digests.includes(d))) {
      problems.push(`${s.place}: a valid signature by ${describeKey(key)}, but for ${signed.join(', ')}, not this image (${digests.join(' or ')}): copied from another image`);
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
