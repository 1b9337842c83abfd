// Cosign key-based signature checks (src/images/cosign.ts) on signature artifacts written here in
// cosign's format: keys of each type, malformed manifests, bad base64, altered payloads, signed
// payloads that are not signatures of this image, registry failures, and the config that names
// the keys.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectSignatures, dssePae, judgeSignatures, parseCosignPublicKey, policiesFor, referenceNames, signatureTag, type CosignKey, type SignatureVerdict } from '../../src/images/cosign.js';
import { parseImageRef } from '../../src/rules/image-ref.js';
import { parseConfig, ConfigError, type RuleIds } from '../../src/core/config.js';
import { bundleFor, makeKey, MemorySignatureSource, payloadFor, signPayload, statementFor, type TestKey } from '../helpers/cosign-fixtures.js';
import { sha256 } from '../helpers/image-fixtures.js';

const IMAGE = sha256('the image manifest');
const OTHER_IMAGE = sha256('another image manifest');
const release = makeKey();
const other = makeKey();

function key(k: TestKey, name = 'cosign.pub'): CosignKey {
  return parseCosignPublicKey(k.publicPem, name);
}

async function verdict(source: MemorySignatureSource, keys: CosignKey[], digests = [IMAGE]): Promise<SignatureVerdict> {
  const collected = await collectSignatures(source, digests);
  assert.notEqual(collected.kind, 'error', JSON.stringify(collected));
  if (collected.kind === 'error') throw new Error('unreachable');
  return judgeSignatures(collected, digests, keys);
}

function problems(v: SignatureVerdict): string {
  assert.equal(v.kind, 'invalid', JSON.stringify(v));
  return v.kind === 'invalid' ? v.problems.join('\n') : '';
}

describe('cosign public keys', () => {
  test('ECDSA P-256, RSA and Ed25519 public keys are read, with a fingerprint that tells them apart', () => {
    const a = key(makeKey('p256'));
    const b = key(makeKey('rsa'));
    const c = key(makeKey('ed25519'));
    assert.deepEqual([a.hash, b.hash, c.hash], ['sha256', 'sha256', null]);
    assert.match(a.fingerprint, /^sha256:[0-9a-f]{16}$/);
    assert.equal(new Set([a.fingerprint, b.fingerprint, c.fingerprint]).size, 3);
  });

  test('a private key, a certificate, an unusable key type and garbage are refused with the file named', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    assert.throws(() => parseCosignPublicKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'keys/cosign.key'), /keys\/cosign\.key: this is a private key/);
    const dir = mkdtempSync(join(tmpdir(), 'km-cosign-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=t'], { stdio: 'ignore' });
    assert.throws(() => parseCosignPublicKey(readFileSync(join(dir, 'c'), 'utf8'), 'cert.pem'), /cert\.pem: a certificate/);
    const x = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => parseCosignPublicKey(x, 'x.pub'), /x\.pub: x25519 keys cannot verify/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => parseCosignPublicKey(k1, 'k1.pub'), /curve secp256k1 is not a cosign key type/);
    assert.throws(() => parseCosignPublicKey('hello', 'junk.pub'), /junk\.pub: not a PEM public key/);
    assert.throws(() => parseCosignPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'bad.pub'), /bad\.pub: unreadable public key/);
  });
});

describe('cosign signatures (tag form)', () => {
  test('the signature tag of a digest is sha256-HEX.sig', () => {
    assert.equal(signatureTag(`sha256:${'ab'.repeat(32)}`), `sha256-${'ab'.repeat(32)}.sig`);
  });

  test('a signature by the trusted key over this digest verifies, for each key type', async () => {
    for (const type of ['p256', 'rsa', 'ed25519'] as const) {
      const k = makeKey(type);
      const source = new MemorySignatureSource();
      const payload = payloadFor(IMAGE);
      source.store(IMAGE, [{ payload, signature: signPayload(k, payload) }]);
      const v = await verdict(source, [key(other), key(k, `${type}.pub`)]);
      assert.equal(v.kind, 'verified', `${type}: ${JSON.stringify(v)}`);
      if (v.kind === 'verified') assert.equal(v.key.name, `${type}.pub`);
    }
  });

  test('no .sig tag (404) is unsigned and names the tag looked for', async () => {
    const v = await verdict(new MemorySignatureSource(), [key(release)]);
    assert.deepEqual(v, { kind: 'unsigned', looked: [signatureTag(IMAGE)] });
  });

  test('a signature by another key does not verify', async () => {
    const source = new MemorySignatureSource();
    const payload = payloadFor(IMAGE);
    source.store(IMAGE, [{ payload, signature: signPayload(other, payload) }]);
    assert.match(problems(await verdict(source, [key(release, 'release.pub')])), /#1: the signature does not verify with release\.pub \(sha256:[0-9a-f]{16}\) \(made by another key/);
  });

  test('a valid signature for another digest, copied onto this image, is refused as copied', async () => {
    const source = new MemorySignatureSource();
    const payload = payloadFor(OTHER_IMAGE);
    source.store(IMAGE, [{ payload, signature: signPayload(release, payload) }]);
    const p = problems(await verdict(source, [key(release)]));
    assert.match(p, /a valid signature by cosign\.pub .* but for sha256:[0-9a-f]{64}, not this image .* copied from another image/);
    assert.ok(p.includes(OTHER_IMAGE) && p.includes(IMAGE));
  });

  test('one valid signature among broken ones is enough', async () => {
    const source = new MemorySignatureSource();
    const payload = payloadFor(IMAGE);
    source.store(IMAGE, [{ payload: Buffer.from('x'), signature: '!!' }, { payload, signature: signPayload(other, payload) }, { payload, signature: signPayload(release, payload) }]);
    const v = await verdict(source, [key(release)]);
    assert.equal(v.kind, 'verified');
    if (v.kind === 'verified') assert.equal(v.place, `${signatureTag(IMAGE)}#3`);
  });

  test('the index the tag names may carry the signature instead of the platform manifest', async () => {
    const index = sha256('an index');
    const source = new MemorySignatureSource();
    const payload = payloadFor(index);
    source.store(index, [{ payload, signature: signPayload(release, payload) }]);
    assert.equal((await verdict(source, [key(release)], [index, IMAGE])).kind, 'verified');
  });

  test('the payload key is matched without case (Docker-manifest-digest), as cosign reads it', async () => {
    const source = new MemorySignatureSource();
    const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'x' }, image: { 'Docker-manifest-digest': IMAGE }, type: 'cosign container image signature' } }));
    source.store(IMAGE, [{ payload, signature: signPayload(release, payload) }]);
    assert.equal((await verdict(source, [key(release)])).kind, 'verified');
  });

  test('malformed signature artifacts are invalid, each with its reason', async () => {
    const payload = payloadFor(IMAGE);
    const good = signPayload(release, payload);
    const cases: [string, (s: MemorySignatureSource) => void, RegExp][] = [
      ['manifest not JSON', (s) => s.manifests.set(signatureTag(IMAGE), Buffer.from('{not json')), /malformed signature manifest/],
      ['manifest without config', (s) => s.manifests.set(signatureTag(IMAGE), Buffer.from('{"schemaVersion":2,"layers":[]}')), /malformed signature manifest .*not an image manifest/],
      ['an index under the tag', (s) => s.manifests.set(signatureTag(IMAGE), Buffer.from('{"schemaVersion":2,"manifests":[]}')), /holds an index/],
      ['no simple-signing layer', (s) => s.store(IMAGE, [{ payload, signature: good, mediaType: 'application/vnd.oci.image.layer.v1.tar' }]), /has no application\/vnd\.dev\.cosign\.simplesigning\.v1\+json layer/],
      ['no signature annotation', (s) => s.store(IMAGE, [{ payload }]), /no dev\.cosignproject\.cosign\/signature annotation/],
      ['bad base64', (s) => s.store(IMAGE, [{ payload, signature: 'MEUCIQ@@not-base64' }]), /not base64/],
      ['base64 of garbage bytes', (s) => s.store(IMAGE, [{ payload, signature: Buffer.from('garbage signature').toString('base64') }]), /does not verify/],
      ['payload altered after signing', (s) => s.store(IMAGE, [{ payload, signature: good, digest: sha256('the payload that was signed') }]), /payload: the content does not hash to sha256:[0-9a-f]{64} \(altered\)/],
      ['signed payload that is not JSON', (s) => s.store(IMAGE, [{ payload: Buffer.from('hello'), signature: signPayload(release, Buffer.from('hello')) }]), /signed by cosign\.pub .* but the payload is not JSON/],
      [
        'signed payload of another type',
        (s) => {
          const p = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': IMAGE }, type: 'atomic container signature' } }));
          s.store(IMAGE, [{ payload: p, signature: signPayload(release, p) }]);
        },
        /not a cosign container image signature \(type "atomic container signature"\)/,
      ],
    ];
    for (const [name, setup, expected] of cases) {
      const source = new MemorySignatureSource();
      setup(source);
      const v = await verdict(source, [key(release)]);
      assert.equal(v.kind, 'invalid', `${name}: ${JSON.stringify(v)}`);
      assert.match(problems(v), expected, name);
    }
  });

  test('a registry failure is an error (unknown), not unsigned', async () => {
    const source = new MemorySignatureSource();
    source.failures.set(signatureTag(IMAGE), 'the registry answered 500 Internal Server Error');
    const c = await collectSignatures(source, [IMAGE]);
    assert.equal(c.kind, 'error');
    if (c.kind === 'error') assert.match(c.reason, new RegExp(`${signatureTag(IMAGE)} could not be read: the registry answered 500`));
    const payload = payloadFor(IMAGE);
    const blobFails = new MemorySignatureSource();
    blobFails.store(IMAGE, [{ payload, signature: signPayload(release, payload) }]);
    blobFails.failures.set(sha256(payload), 'no answer within 100 ms');
    assert.equal((await collectSignatures(blobFails, [IMAGE])).kind, 'error');
  });
});

describe('cosign signatures (new bundle format: sigstore bundles as OCI referrers)', () => {
  test('DSSE pre-authentication encoding', () => {
    assert.equal(dssePae('application/x', Buffer.from('héllo')).toString(), 'DSSEv1 13 application/x 6 héllo');
  });

  test('a bundle whose DSSE statement names this digest, signed by the trusted key, verifies (P-256, Ed25519, RSA)', async () => {
    for (const type of ['p256', 'ed25519', 'rsa'] as const) {
      const k = makeKey(type);
      const source = new MemorySignatureSource();
      const manifestDigest = source.attachBundle(IMAGE, bundleFor(k, statementFor(IMAGE)));
      const v = await verdict(source, [key(k, `${type}.pub`)]);
      assert.equal(v.kind, 'verified', `${type}: ${JSON.stringify(v)}`);
      if (v.kind === 'verified') assert.equal(v.place, `referrer ${manifestDigest.slice(0, 19)}`);
    }
  });

  test('a bundle by another key, for another digest, of another predicate, or altered is invalid, each with its reason', async () => {
    const cases: [string, (s: MemorySignatureSource) => void, RegExp][] = [
      ['another key', (s) => s.attachBundle(IMAGE, bundleFor(other, statementFor(IMAGE))), /does not verify with cosign\.pub/],
      ['copied from another image', (s) => s.attachBundle(IMAGE, bundleFor(release, statementFor(OTHER_IMAGE))), new RegExp(`a valid signature by cosign\\.pub .* but for ${OTHER_IMAGE}, not this image .* copied from another image`)],
      ['an attestation, not a signature', (s) => s.attachBundle(IMAGE, bundleFor(release, statementFor(IMAGE, 'https://slsa.dev/provenance/v1'))), /not a cosign image signature \(predicate type "https:\/\/slsa\.dev\/provenance\/v1"\)/],
      ['bundle altered', (s) => s.attachBundle(IMAGE, bundleFor(release, statementFor(IMAGE)), { bundleDigest: sha256('another bundle') }), /bundle: the content does not hash to/],
      ['bad base64 signature', (s) => s.attachBundle(IMAGE, bundleFor(release, statementFor(IMAGE), '@@@')), /the DSSE signature is not base64/],
      ['a blob signature bundle', (s) => s.attachBundle(IMAGE, Buffer.from(JSON.stringify({ mediaType: 'x', messageSignature: { signature: 'AAAA' } }))), /a message-signature bundle/],
      ['not JSON', (s) => s.attachBundle(IMAGE, Buffer.from('{{')), /the sigstore bundle is not JSON/],
      [
        'listed but missing',
        (s) => {
          const d = s.attachBundle(IMAGE, bundleFor(release, statementFor(IMAGE)));
          s.manifests.delete(d);
        },
        /listed among the referrers but not found \(404\)/,
      ],
    ];
    for (const [name, setup, expected] of cases) {
      const source = new MemorySignatureSource();
      setup(source);
      const v = await verdict(source, [key(release)]);
      assert.equal(v.kind, 'invalid', `${name}: ${JSON.stringify(v)}`);
      assert.match(problems(v), expected, name);
    }
  });

  test('a valid bundle is enough beside a broken .sig signature; a sha256-HEX tag that is not an index is not a referrers list', async () => {
    const source = new MemorySignatureSource();
    const payload = payloadFor(IMAGE);
    source.store(IMAGE, [{ payload, signature: signPayload(other, payload) }]);
    source.attachBundle(IMAGE, bundleFor(release, statementFor(IMAGE)));
    assert.equal((await verdict(source, [key(release)])).kind, 'verified');
    const plain = new MemorySignatureSource();
    plain.referrerIndexes.set(IMAGE, Buffer.from('{"schemaVersion":2,"config":{"digest":"' + IMAGE + '"},"layers":[]}'));
    assert.equal((await verdict(plain, [key(release)])).kind, 'unsigned');
  });

  test("the referrers-tag index cosign writes lists bundles under the empty type: they are opened; other artifacts are skipped", async () => {
    const quirk = new MemorySignatureSource();
    quirk.attachBundle(IMAGE, bundleFor(release, statementFor(IMAGE)), { indexArtifactType: 'application/vnd.oci.empty.v1+json' });
    assert.equal((await verdict(quirk, [key(release)])).kind, 'verified');
    const sbom = new MemorySignatureSource();
    sbom.attachBundle(IMAGE, Buffer.from('{"spdxVersion":"SPDX-2.3"}'), { indexArtifactType: 'application/vnd.oci.empty.v1+json', layerMediaType: 'application/spdx+json' });
    assert.equal((await verdict(sbom, [key(release)])).kind, 'unsigned');
  });

  test('a failure listing the referrers is an error (unknown), not unsigned', async () => {
    const source = new MemorySignatureSource();
    source.failures.set(`referrers ${IMAGE}`, 'the registry answered 503 Service Unavailable');
    const c = await collectSignatures(source, [IMAGE]);
    assert.equal(c.kind, 'error');
    if (c.kind === 'error') assert.match(c.reason, /the referrers of sha256:[0-9a-f]{64} could not be read: the registry answered 503/);
  });
});

describe('signature policies', () => {
  const k = key(release);
  const team = { origin: 'p0', images: ['registry.example.com/team/*'], keys: [k] };
  const hub = { origin: 'p1', images: ['docker.io/library/*'], keys: [k] };
  const every = { origin: '--cosign-key', images: [], keys: [k] };
  const applies = (ref: string) => policiesFor([team, hub, every], referenceNames(ref, parseImageRef(ref))).map((p) => p.origin);

  test('globs match the reference or its repository with the registry made explicit', () => {
    assert.deepEqual(applies('registry.example.com/team/api:1.4'), ['p0', '--cosign-key']);
    assert.deepEqual(applies(`registry.example.com/team/api@${IMAGE}`), ['p0', '--cosign-key']);
    assert.deepEqual(applies('nginx:1.27'), ['p1', '--cosign-key']);
    assert.deepEqual(applies('registry.example.com/other/api:1'), ['--cosign-key']);
    assert.deepEqual(policiesFor([team], referenceNames('registry.example.com/teammate/x', parseImageRef('registry.example.com/teammate/x'))), []);
  });

  test('imageSignatures in .kubemoat.yaml: keys resolved next to the config, mistakes named', () => {
    const NO_RULES: RuleIds = { scan: [], detect: [] };
    const c = parseConfig('imageSignatures:\n  - images: registry.example.com/team/*\n    key: keys/cosign.pub\n  - images: [a/*, b/*]\n    keys: [/etc/k1.pub, k2.pub]\n', '/srv/conf/.kubemoat.yaml', NO_RULES);
    assert.deepEqual(c.imageSignatures, [
      { images: ['registry.example.com/team/*'], keys: ['/srv/conf/keys/cosign.pub'] },
      { images: ['a/*', 'b/*'], keys: ['/etc/k1.pub', '/srv/conf/k2.pub'] },
    ]);
    assert.equal(parseConfig('trustedRegistries: []\n', 'f', NO_RULES).imageSignatures, undefined);
    assert.throws(() => parseConfig('imageSignatures:\n  - images: a/*\n', 'f.yaml', NO_RULES), (e: Error) => e instanceof ConfigError && /f\.yaml:2:5: imageSignatures\[0\] needs `key`/.test(e.message));
    assert.throws(() => parseConfig('imageSignatures:\n  - key: k.pub\n', 'f.yaml', NO_RULES), /imageSignatures\[0\] needs `images`/);
    assert.throws(() => parseConfig('imageSignatures:\n  images: a\n', 'f.yaml', NO_RULES), /imageSignatures must be a list/);
    assert.throws(() => parseConfig('imageSignatures:\n  - {images: a, key: k, keyless: true}\n', 'f.yaml', NO_RULES), /unknown key `keyless`/);
  });
});
