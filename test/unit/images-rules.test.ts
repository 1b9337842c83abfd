// The image-scan rules (KM-IM-004..007) carry their examples as image facts; each example goes
// through the scanner's own matching and judging, and must report (fail) or stay silent (pass).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import { IMAGE_RULE_EXAMPLES, IMAGE_SCAN_RULES, imageScanRulesForReports } from '../../src/images/rules.js';
import { Store, StoreBuilder } from '../../src/images/osv/store.js';
import { findVulnerabilities } from '../../src/images/vulns.js';
import { judge, withoutRunningSameAsTag, type ImageResult } from '../../src/images/run.js';
import { analyseLayer } from '../../src/images/image/layer.js';
import type { Package } from '../../src/images/packages/types.js';
import type { ScannedImage } from '../../src/images/scan.js';
import { sha256, tarOf } from '../helpers/image-fixtures.js';
import { checkImageSignatures } from '../../src/images/run.js';
import { parseCosignPublicKey } from '../../src/images/cosign.js';
import { makeKey, MemorySignatureSource, payloadFor, signPayload, type TestKey } from '../helpers/cosign-fixtures.js';

interface Example {
  image: string;
  os?: { id: string; versionId: string };
  packages?: (Omit<Package, 'path'> & { path?: string })[];
  advisories?: { id: string; ecosystem: string; package: string; introduced: string; fixed: string }[];
  lastScan?: { digest: string; at: string };
  now?: { digest: string };
  /** what the pods run: the digest reference the kubelet reports, and the manifest it resolves to */
  running?: { ref: string; digest: string };
  layer?: { digest: string; content: string };
  digest?: string;
  policy?: { images: string[]; keys: string[] };
  signatures?: { key: string; for: string; tamper?: 'signature' | 'base64' | 'payload' }[];
}

const exampleKeys: Record<string, TestKey> = { release: makeKey(), other: makeKey() };

/** KM-IM-007: real signatures made with the example's keys, checked by the scanner's own code. */
async function signatureFindings(e: Example): Promise<string[]> {
  const digest = e.digest!;
  const source = new MemorySignatureSource();
  if (e.signatures) {
    source.store(
      digest,
      e.signatures.map((s) => {
        const payload = payloadFor(s.for);
        let signature = signPayload(exampleKeys[s.key], payload);
        if (s.tamper === 'signature') {
          const raw = Buffer.from(signature, 'base64');
          raw[raw.length - 1] ^= 0x01;
          signature = raw.toString('base64');
        }
        if (s.tamper === 'base64') signature = 'not base64!';
        return { payload, signature, ...(s.tamper === 'payload' ? { digest: sha256('something else') } : {}) };
      }),
    );
  }
  const policy = { origin: 'the example policy', images: e.policy!.images, keys: e.policy!.keys.map((k) => parseCosignPublicKey(exampleKeys[k].publicPem, k)) };
  const image = { name: e.image, manifestDigest: digest, configDigest: 'sha256:c', layers: [], tags: [], signatures: { source, digests: [digest] } };
  const signatures = await checkImageSignatures(e.image, image, [policy]);
  const result: ImageResult = { target: { ref: e.image, uses: [], pullSecrets: [] }, scanned: scanned(e.image, digest), vulnerabilities: [], uncovered: [], ...(signatures ? { signatures } : {}) };
  return judge([result], {}).findings.filter((f) => f.ruleId === 'KM-IM-007').map((f) => f.message);
}

function scanned(image: string, manifestDigest: string | undefined, errors: string[] = []): ScannedImage {
  return { image: { name: image, configDigest: 'sha256:c', layers: [], tags: [], ...(manifestDigest ? { manifestDigest } : {}) }, contents: { packages: [], ownedByOs: 0, notes: [] }, errors };
}

async function findingsOf(ruleId: string, e: Example): Promise<string[]> {
  const target = { ref: e.image, uses: [], pullSecrets: [] };
  if (ruleId === 'KM-IM-007') return signatureFindings(e);
  if (ruleId === 'KM-IM-004') {
    const builder = new StoreBuilder();
    for (const a of e.advisories ?? []) builder.add(a.ecosystem, a.package, { id: a.id, aliases: [], summary: 'example', modified: '2026-11-01', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: a.introduced }, { fixed: a.fixed }] }], versions: [], references: [] });
    const dir = join(mkdtempSync(join(tmpdir(), 'km-rule-ex-')), 'db');
    builder.write(dir, ['example']);
    const packages = (e.packages ?? []).map((p) => ({ path: '/var/lib/dpkg/status', ...p }) as Package);
    const found = findVulnerabilities(packages, e.os, Store.open(dir), { onlyFixed: false });
    const result: ImageResult = { target, scanned: scanned(e.image, undefined), vulnerabilities: found.vulnerabilities, uncovered: found.uncovered };
    return judge([result], {}).findings.filter((f) => f.ruleId === ruleId).map((f) => f.message);
  }
  if (ruleId === 'KM-IM-005') {
    const result: ImageResult = { target, scanned: scanned(e.image, e.now!.digest), vulnerabilities: [], uncovered: [] };
    const results = [result];
    if (e.running) results.push({ target: { ref: e.running.ref, uses: [], pullSecrets: [], runningFor: e.image }, scanned: scanned(e.running.ref, e.running.digest), vulnerabilities: [], uncovered: [] });
    return judge(withoutRunningSameAsTag(results), e.lastScan ? { [e.image]: e.lastScan } : {}).findings.filter((f) => f.ruleId === ruleId).map((f) => f.message);
  }
  const blob = tarOf([{ path: 'file', content: e.layer!.content }]);
  const digest = e.layer!.digest.startsWith('sha256:of-') ? sha256(blob) : e.layer!.digest;
  const errors: string[] = [];
  await analyseLayer(digest, Readable.from([blob]), { blob: digest }).catch((err: Error) => errors.push(`layer ${digest}: ${err.message}`));
  return judge([{ target, scanned: scanned(e.image, undefined, errors), vulnerabilities: [], uncovered: [] }], {}).findings.filter((f) => f.ruleId === ruleId).map((f) => f.message);
}

for (const meta of IMAGE_SCAN_RULES) {
  const examples = IMAGE_RULE_EXAMPLES[meta.id];
  test(`${meta.id} ${meta.title}: reports on its failing examples, stays silent on its passing ones`, async () => {
    assert.ok(examples.fail.length > 0 && examples.pass.length > 0);
    for (const y of examples.fail) {
      const found = await findingsOf(meta.id, parse(y) as Example);
      assert.ok(found.length > 0, `no ${meta.id} finding on:\n${y}`);
      for (const m of found) assert.ok(!m.includes('{{'), m);
    }
    for (const y of examples.pass) assert.deepEqual(await findingsOf(meta.id, parse(y) as Example), [], y);
  });
}

test('the image-scan rules have what a user needs, and ids that continue KM-IM-001..003', () => {
  assert.deepEqual(imageScanRulesForReports().map((r) => r.meta.id), ['KM-IM-004', 'KM-IM-005', 'KM-IM-006', 'KM-IM-007']);
  for (const m of IMAGE_SCAN_RULES) assert.ok(m.description.length > 40 && m.remediation.length > 20 && m.references.length > 0);
});
