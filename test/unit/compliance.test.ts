// --compliance: the control catalogues agree with the rules' metadata, each control's status is
// judged from the real rules on fixture manifests (pass only when its rules ran, had something to
// examine and found nothing), and scan, cluster and node carry the summary in the table and JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { fakeKubeletNode } from '../helpers/fake-node.js';
import { COMPLIANCE_DEFINITIONS } from '../../src/compliance/controls.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { PSS } from '../../src/rules/references.js';
import { scanManifests } from '../../src/core/pipeline.js';
import { EMPTY_CONFIG, parseConfig, type KubemoatConfig } from '../../src/core/config.js';
import { knownRuleIds } from '../../src/cli/rule-ids.js';
import { COMPLIANCE_FRAMEWORKS, type ComplianceFramework, type ComplianceSummary, type ControlResult, type Report } from '../../src/core/report.js';
import { selectRules } from '../../src/cli/rule-selection.js';

const dir = mkdtempSync(join(tmpdir(), 'km-compliance-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function manifest(name: string, yaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

const HARDENED_POD = `apiVersion: v1
kind: Pod
metadata: {name: hardened, namespace: shop}
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: app
      image: registry.example.com/app:1.0@sha256:${'a'.repeat(64)}
      resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 50m, memory: 32Mi}}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
`;

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata: {name: root-shell, namespace: ops}
spec:
  hostPID: true
  containers:
    - name: shell
      image: busybox:1.36
      securityContext: {privileged: true}
`;

/** seccomp absent (restricted fails, baseline does not) */
const NO_SECCOMP_POD = HARDENED_POD.replace('    seccompProfile: {type: RuntimeDefault}\n', '').replace('name: hardened', 'name: no-seccomp');

const ROLE_ONLY = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get]}
`;

async function compliance(files: string[], framework: ComplianceFramework, selection: { rules?: string[]; skipRules?: string[] } = {}, config: KubemoatConfig = EMPTY_CONFIG): Promise<ComplianceSummary> {
  const rules = selectRules(catalogue, selection);
  const { report } = await scanManifests(files, { rules, config, minimumSeverity: 'low', threads: 0, compliance: { framework, catalogue } });
  assert.ok(report.compliance, 'the report carries the compliance view');
  return report.compliance;
}

function control(summary: ComplianceSummary, id: string): ControlResult {
  const found = summary.controls.find((c) => c.id === id);
  assert.ok(found, `control ${id} is listed`);
  return found;
}

test('every PSS control is checked by at least one rule, and every PSS id a rule carries is a control', () => {
  const restricted = COMPLIANCE_DEFINITIONS['pss-restricted'].controls.map((c) => c.id);
  assert.deepEqual(new Set(restricted), new Set(Object.values(PSS)), 'the restricted profile lists every PSS id, baseline included');
  for (const id of restricted) {
    const rules = catalogue.filter((r) => (r.meta.frameworks.pss ?? []).includes(id));
    assert.ok(rules.length > 0, `${id}: no rule checks it`);
  }
  for (const r of catalogue) for (const id of r.meta.frameworks.pss ?? []) assert.ok(restricted.includes(id), `${r.meta.id} carries ${id}, which is no control`);
  const baseline = COMPLIANCE_DEFINITIONS['pss-baseline'].controls.map((c) => c.id);
  assert.ok(baseline.every((id) => id.startsWith('baseline/')) && baseline.every((id) => restricted.includes(id)));
});

test('every CIS and NSA/CISA id a rule carries names a control of its framework', () => {
  for (const framework of ['cis', 'nsa'] as const) {
    const tags = new Set(COMPLIANCE_DEFINITIONS[framework].controls.flatMap((c) => c.tags));
    for (const r of catalogue) for (const id of r.meta.frameworks[framework] ?? []) assert.ok(tags.has(id), `${r.meta.id}: ${framework} ${id} is no control`);
  }
  const ids = COMPLIANCE_FRAMEWORKS.flatMap((f) => COMPLIANCE_DEFINITIONS[f].controls.map((c) => `${f} ${c.id}`));
  assert.equal(new Set(ids).size, ids.length, 'control ids are unique within a framework');
});

test('pss-baseline: the privileged pod fails its controls, the hardened one passes them', async () => {
  const bad = await compliance([manifest('privileged', PRIVILEGED_POD)], 'pss-baseline');
  const privileged = control(bad, PSS.privileged);
  assert.equal(privileged.status, 'fail');
  assert.equal(privileged.findings, 1);
  assert.deepEqual(privileged.resources, ['Pod ops/root-shell']);
  assert.deepEqual(privileged.rules, ['KM-WL-001']);
  assert.equal(control(bad, PSS.hostNamespaces).status, 'fail');
  assert.equal(bad.totals.fail, bad.controls.filter((c) => c.status === 'fail').length);

  const good = await compliance([manifest('hardened', HARDENED_POD)], 'pss-baseline');
  assert.deepEqual(good.totals, { pass: good.controls.length, fail: 0, 'not-assessed': 0 }, JSON.stringify(good.controls.filter((c) => c.status !== 'pass')));
});

test('pss-restricted: seccomp left out fails restricted/seccomp but not baseline/seccomp; partly checked controls never pass', async () => {
  const summary = await compliance([manifest('no-seccomp', NO_SECCOMP_POD)], 'pss-restricted');
  assert.equal(control(summary, PSS.seccompRestricted).status, 'fail');
  assert.equal(control(summary, PSS.seccomp).status, 'pass');
  for (const id of [PSS.volumeTypes, PSS.capabilitiesRestricted]) {
    const c = control(summary, id);
    assert.equal(c.status, 'not-assessed', `${id} finds nothing but does not check everything`);
    assert.match(c.reason ?? '', /^nothing found, but /);
  }
  assert.equal(control(summary, PSS.runAsNonRoot).status, 'pass');
});

test('controls whose rules are skipped, or have nothing to examine, are not assessed, never passed', async () => {
  const skipped = await compliance([manifest('hardened', HARDENED_POD)], 'pss-baseline', { skipRules: ['KM-WL-001'] });
  const privileged = control(skipped, PSS.privileged);
  assert.equal(privileged.status, 'not-assessed');
  assert.match(privileged.reason ?? '', /KM-WL-001 not run/);
  const only = await compliance([manifest('privileged', PRIVILEGED_POD)], 'pss-baseline', { rules: ['KM-WL-002'] });
  assert.equal(control(only, PSS.hostNamespaces).status, 'fail', 'a failing rule fails its control though the others of it did not run');
  assert.equal(control(only, PSS.privileged).status, 'not-assessed');

  const roles = await compliance([manifest('role', ROLE_ONLY)], 'pss-restricted');
  assert.equal(roles.totals.pass, 0, 'a Role proves nothing about pods');
  assert.ok(roles.controls.every((c) => c.status === 'not-assessed' && /nothing in this target/.test(c.reason ?? '')));

  const cis = await compliance([manifest('hardened', HARDENED_POD)], 'cis');
  assert.equal(control(cis, '4.2.1').status, 'not-assessed', 'no kubelet in these manifests');
  assert.match(control(cis, '4.2.1').reason ?? '', /not in this target/);
  assert.equal(control(cis, '5.1.7').reason, 'no kubemoat rule checks it');
  assert.equal(control(cis, '5.2.2').status, 'pass');
});

test('a suppressed finding does not fail its control, and is counted', async () => {
  const config = parseConfig('ignore:\n  - {rule: KM-WL-001, reason: break-glass pod}\n', join(dir, 'k.yaml'), knownRuleIds());
  const summary = await compliance([manifest('privileged', PRIVILEGED_POD)], 'pss-baseline', {}, config);
  const privileged = control(summary, PSS.privileged);
  assert.equal(privileged.status, 'pass');
  assert.equal(privileged.findings, 0);
  assert.equal(privileged.suppressed, 1);
});

test('scan --compliance: JSON carries it (valid against docs/report.schema.json), the table summarises it', () => {
  const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'docs/report.schema.json'), 'utf8')) as object);
  const file = manifest('privileged', PRIVILEGED_POD);
  const json = runCli(['scan', file, '--compliance', 'pss-restricted', '-f', 'json', '--fail-on', 'never']);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as Report;
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.equal(report.compliance?.framework, 'pss-restricted');
  assert.equal(report.compliance?.controls.length, Object.keys(PSS).length);

  const table = runCli(['scan', file, '--compliance', 'pss-baseline', '--fail-on', 'never']);
  assert.match(table.stdout, /^Pod Security Standards: baseline: \d+ pass, \d+ fail, \d+ not assessed$/m);
  assert.match(table.stdout, /^ {2}FAIL baseline\/privileged-containers {2}Privileged containers: none$/m);
  assert.match(table.stdout, /^ {7}1 finding: Pod ops\/root-shell$/m);
  assert.doesNotMatch(runCli(['scan', file, '--fail-on', 'never']).stdout, /Pod Security Standards/, 'nothing without --compliance');

  const bad = runCli(['scan', file, '--compliance', 'soc2']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--compliance.*soc2.*cis, nsa, pss-baseline, pss-restricted/);
});

test('node --compliance cis judges the kubelet items from the node, cluster accepts it too', () => {
  const { root } = fakeKubeletNode();
  try {
    const r = runCli(['node', '--root', root, '--all-netns', '--compliance', 'cis', '-f', 'json', '--fail-on', 'never']);
    assert.equal(r.status, 0, r.stderr);
    const summary = (JSON.parse(r.stdout) as Report).compliance;
    assert.ok(summary);
    assert.equal(control(summary, '4.2.1').status, 'fail', 'anonymous kubelet');
    assert.equal(control(summary, '1.2.6').status, 'not-assessed', 'no API server on this node');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.match(runCli(['cluster', '--help']).stdout, /--compliance <framework>/);
});
