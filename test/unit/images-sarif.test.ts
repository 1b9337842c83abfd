// `kubemoat images … -f sarif` is valid SARIF 2.1.0 (checked by Microsoft's SARIF Multitool, run
// in a network namespace with no interfaces up, as test/unit/report-sarif.test.ts does) and each
// result names the image reference as its location. Images: OCI layouts written here (one with a
// vulnerable npm package, one with a layer that does not match its digest) and a registry on a
// closed loopback port (a coverage error).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CLI } from '../helpers/cli.js';
import { assertCodeScanningReady, validateSarif, type SarifResult } from '../helpers/sarif.js';
import { runCliAsync } from '../helpers/registry.js';
import { gzip, sha256, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';

test('an image scan in SARIF is valid 2.1.0, with the image reference as each result\'s location', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'km-images-sarif-'));
  const app = gzip(tarOf([{ path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' }]));
  writeOciLayout(join(dir, 'oci'), [
    { tag: 'app', layers: [{ blob: app }] },
    { tag: 'tampered', layers: [{ blob: app, lieAboutDigest: sha256('what the manifest promised') }] },
  ]);
  writeFileSync(join(dir, 'osv.json'), JSON.stringify({ id: 'GHSA-35jh-r3h4-6jhm', modified: new Date().toISOString(), aliases: ['CVE-2021-23337'], summary: 'Command injection in lodash', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }));
  const update = await runCliAsync(CLI, ['images', 'db', 'update', '--from', join(dir, 'osv.json'), '--db', join(dir, 'db')]);
  assert.equal(update.status, 0, update.stderr);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));

  const refs = [`oci:${dir}/oci:app`, `oci:${dir}/oci:tampered`, `127.0.0.1:${port}/team/gone:1`];
  const file = join(dir, 'images.sarif');
  const r = await runCliAsync(CLI, ['images', ...refs, '--db', join(dir, 'db'), '--no-save-state', '-f', 'sarif', '-o', file, '--timeout', '3000']);
  assert.equal(r.status, 2, `coverage error expected (the closed port): ${r.stderr}`);
  assert.deepEqual(validateSarif(file), []);

  const log = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0];
  const rules: { id: string }[] = run.tool.driver.rules;
  const results: SarifResult[] = run.results;
  assertCodeScanningReady(run, undefined);
  assert.deepEqual([...new Set(results.map((x) => x.ruleId))].sort(), ['KM-IM-004', 'KM-IM-006']);
  for (const res of results) {
    assert.equal(rules[res.ruleIndex as number].id, res.ruleId, 'ruleIndex points at the rule');
    assert.equal(res.locations.length, 1);
    const [logical] = res.locations[0].logicalLocations ?? [];
    assert.ok(refs.includes(logical.name), `location ${logical.name} is an image reference`);
    assert.equal(logical.fullyQualifiedName, `Image/${logical.name}`);
    // code scanning needs a physical location: the reference as a path under images/
    assert.equal(res.locations[0].physicalLocation?.artifactLocation.uri, ['images', 'Image', ...logical.name.split('/').filter(Boolean)].map(encodeURIComponent).join('/'));
    assert.match(res.partialFingerprints['kubemoat/v1'], /^[0-9a-f]{16}$/);
  }
  const vuln = results.find((x) => x.ruleId === 'KM-IM-004');
  assert.equal(vuln?.locations[0].logicalLocations?.[0].name, refs[0]);
  assert.match(vuln?.message.text ?? '', /lodash 4\.17\.20 .* affected by GHSA-35jh-r3h4-6jhm \(CVE-2021-23337\), fixed in 4\.17\.21/);
  assert.equal(results.find((x) => x.ruleId === 'KM-IM-006')?.locations[0].logicalLocations?.[0].name, refs[1]);
  // the unreachable registry is a notification naming the image, and the run is marked unsuccessful
  const invocation = run.invocations[0];
  assert.equal(invocation.executionSuccessful, false);
  const gone = invocation.toolExecutionNotifications.find((n: { message: { text: string } }) => n.message.text.includes(`127.0.0.1:${port}`));
  assert.equal(gone?.level, 'error');
  // an image reference is not a URI reference (`127.0.0.1:5000/…` is not one): a logical location
  assert.deepEqual(gone?.locations, [{ logicalLocations: [{ name: refs[2], kind: 'resource' }] }]);
});
