// The manifest source on hostile and unusual input: every problem is reported with its file (and
// line, where there is one), and everything around it is still scanned.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, type ManifestLoad } from '../../src/sources/manifests/source.js';
import { parseManifestText } from '../../src/sources/manifests/documents.js';
import { scanText } from '../helpers/scan.js';
import privileged from '../../src/rules/workload/privileged.js';
import { fieldPosition } from '../../src/inventory/objects.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubemoat-source-'));
}

function write(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const pod = (name: string, extra = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n${extra}`;

/** The value as plain JSON, for comparing. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

function names(load: ManifestLoad): string[] {
  return load.inventory.objects.map((o) => o.name);
}

function errorsOf(load: ManifestLoad): { target: string; line?: number; reason: string }[] {
  return load.coverage.filter((c) => c.severity === 'error').map(({ target, line, reason }) => ({ target, line, reason }));
}

test('malformed YAML is reported with file and line; other documents and files are still scanned', async () => {
  const dir = tempDir();
  try {
    const bad = write(dir, 'bad.yaml', `${pod('first')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers: [\n  - name: b\n---\n${pod('third')}`);
    const good = write(dir, 'good.yaml', pod('other-file'));
    const load = await loadManifests([bad, good]);
    assert.deepEqual(names(load), ['first', 'third', 'other-file']);
    const errors = errorsOf(load);
    assert.equal(errors.length, 1, 'one message for the broken document');
    assert.equal(errors[0].target, bad);
    assert.ok(errors[0].line !== undefined && errors[0].line >= 15 && errors[0].line <= 17, `line ${errors[0].line}`);
    assert.match(errors[0].reason, /document skipped/);
    assert.equal(load.incomplete, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Helm template is reported as a template to render first', () => {
  const report = scanText('apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n  labels: {{- include "x" . | nindent 4 }}\n', []);
  assert.ok(report.coverage.some((c) => c.severity === 'error' && /helm template/.test(c.reason)));
});

test('a YAML alias bomb is bounded and reported; the next document is still scanned', () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n---\n${pod('after')}`;
  const before = process.memoryUsage().heapUsed;
  const parsed = parseManifestText(text);
  assert.ok(process.memoryUsage().heapUsed - before < 200 * 1024 * 1024, 'memory stays bounded');
  assert.equal(parsed.documents.length, 1);
  assert.equal(parsed.problems.length, 1);
  assert.match(parsed.problems[0].message, /alias/);
  assert.equal(parsed.problems[0].severity, 'error');
  assert.equal(parsed.problems[0].line, 1);
  // aliases used sparingly are fine
  const fine = parseManifestText('a: &x {k: v}\nb: *x\nc: [*x, *x]\n');
  assert.deepEqual(fine.problems, []);
  assert.deepEqual(plain(fine.documents[0].value), { a: { k: 'v' }, b: { k: 'v' }, c: [{ k: 'v' }, { k: 'v' }] });
  // a recursive alias is an error, not a hang
  const recursive = parseManifestText('a: &x [*x]\n');
  assert.equal(recursive.problems[0]?.severity, 'error');
});

test('deeply nested documents (100,000 levels, block and flow, fast and full parser) are reported, not a stack overflow', () => {
  const n = 100_000;
  const inputs = {
    'block sequences': `${'- '.repeat(n)}x\n`,
    'flow sequences': `a: ${'['.repeat(n)}${']'.repeat(n)}\n`,
    'flow mappings': `a: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`,
    'flow with an anchor (full parser)': `a: &x ${'['.repeat(n)}${']'.repeat(n)}\n`,
    'block with an anchor (full parser)': `a: &x 1\nb:\n${'- '.repeat(n)}x\n`,
    'multi-line flow (full parser)': `a:\n${' [\n'.repeat(n)}${' ]\n'.repeat(n)}`,
  };
  for (const [name, deep] of Object.entries(inputs)) {
    const parsed = parseManifestText(`${deep}---\n${pod('after')}`);
    assert.equal(parsed.documents.length, 1, name);
    assert.equal(parsed.problems.length, 1, name);
    assert.match(parsed.problems[0].message, /nesting deeper than 500 levels; document skipped/, name);
    assert.equal(parsed.problems[0].line, 1, name);
  }
  // the limit leaves real documents alone
  const deepButFine = `a: ${'['.repeat(400)}${']'.repeat(400)}\nb: &x ${'['.repeat(400)}${']'.repeat(400)}\n`;
  assert.deepEqual(parseManifestText(deepButFine).problems, []);
});

test('duplicate keys: a warning naming the key and its line; the document is still scanned with the last value', () => {
  const report = scanText(`${pod('dup')}metadata:\n  name: dup2\n`, []);
  const warnings = report.coverage.filter((c) => c.severity === 'warning');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].line, 9);
  assert.match(warnings[0].reason, /duplicate key `metadata`/);
  assert.equal(report.summary.resources, 1);
  const parsed = parseManifestText('a: 1\nb: 2\na: 3\n');
  assert.deepEqual(plain(parsed.documents[0].value), { a: 3, b: 2 });
});

test('objects missing kind, apiVersion or metadata', () => {
  const text = [
    'kind: Pod\nmetadata: {name: no-api-version}', // warned, skipped
    'apiVersion: v1\nmetadata: {name: no-kind}', // warned, skipped
    'apiVersion: v2\nname: chart\nversion: 1.0.0', // a Chart.yaml: skipped quietly
    'apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: x}]}', // no metadata: still an object
    'replicaCount: 3\nimage: {repository: nginx}', // a values file: skipped quietly
    'kind: 7\napiVersion: [v1]', // not strings
    '- just\n- a list',
    'a plain scalar',
  ].join('\n---\n');
  const dir = tempDir();
  try {
    const file = write(dir, 'mixed.yaml', text);
    return loadManifests([file]).then((load) => {
      assert.equal(load.stats.objects, 1);
      assert.equal(load.inventory.objects[0].name, '');
      assert.equal(load.stats.documents, 8);
      assert.equal(load.stats.skipped, 7);
      const warnings = load.coverage.filter((c) => c.severity === 'warning');
      assert.deepEqual(warnings.map((w) => [w.line, w.reason]), [
        [1, 'Pod without apiVersion (a string) is not a Kubernetes object; skipped'],
        [4, 'object without kind (a string) is not a Kubernetes object; skipped'],
      ]);
      assert.equal(load.incomplete, false);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown apiVersions and CRDs are kept; a CRD with a pod template is a workload', () => {
  const rollout = `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: canary\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: x\n        securityContext:\n          privileged: true\n`;
  const unknown = 'apiVersion: example.com/v9\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n';
  const report = scanText(`${rollout}---\n${unknown}`, [privileged]);
  assert.equal(report.summary.resources, 2);
  const findings = report.findings.filter((f) => f.ruleId === privileged.meta.id);
  assert.equal(findings.length, 1);
  assert.equal(findings[0].resource?.kind, 'Rollout');
  assert.equal(findings[0].location?.line, 12);
});

test('CRLF line endings and a UTF-8 BOM', () => {
  const text = `\ufeff${pod('crlf', '    securityContext:\n      privileged: true\n')}`.replace(/\n/g, '\r\n');
  const report = scanText(text, [privileged]);
  assert.deepEqual(report.coverage, []);
  assert.equal(report.summary.resources, 1);
  assert.equal(report.findings[0]?.location?.line, 10);
  const load = parseManifestText(text);
  assert.equal((load.documents[0].value as { metadata: { name: string } }).metadata.name, 'crlf');
});

test('kind: List with items (YAML and JSON), and its non-object items', async () => {
  const dir = tempDir();
  try {
    const yamlList = write(dir, 'list.yaml', `apiVersion: v1\nkind: List\nitems:\n- ${pod('a').replace(/\n/g, '\n  ')}\n- 42\n- kind: Pod\n`);
    const json = {
      apiVersion: 'v1',
      kind: 'PodList',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j1' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j2' } },
      ],
    };
    const jsonList = write(dir, 'list.json', JSON.stringify(json, null, 2));
    const jsonOne = write(dir, 'one.json', JSON.stringify(json.items[0]));
    const load = await loadManifests([yamlList, jsonList, jsonOne]);
    assert.deepEqual(names(load), ['a', 'j1', 'j2', 'j1']);
    assert.deepEqual(errorsOf(load), []);
    // positions in pretty-printed JSON point at the item's fields
    const j1 = load.inventory.objects[1];
    const report = scanText(JSON.stringify(json, null, 2), [privileged], undefined, 'list.json');
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0].resource?.name, 'j1');
    const line = JSON.stringify(json, null, 2).split('\n').findIndex((l) => l.includes('"privileged"')) + 1;
    assert.equal(report.findings[0].location?.line, line);
    assert.equal(j1.origin.type, 'file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('directories: recursive, only .yaml/.yml/.json, sorted; Helm chart templates skipped with a note; symlinks followed once', async () => {
  const dir = tempDir();
  try {
    write(dir, 'b.yaml', pod('b'));
    write(dir, 'a.yml', pod('a'));
    write(dir, 'sub/c.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' } }));
    write(dir, 'sub/deeper/d.YAML', pod('d'));
    write(dir, 'notes.txt', pod('txt'));
    write(dir, 'README.md', '# readme');
    write(dir, '.git/config.yaml', pod('git'));
    write(dir, 'node_modules/x/y.yaml', pod('node-modules'));
    write(dir, 'chart/Chart.yaml', 'apiVersion: v2\nname: chart\nversion: 1.0.0\n');
    write(dir, 'chart/values.yaml', 'replicaCount: 1\n');
    write(dir, 'chart/templates/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n');
    symlinkSync(join(dir, 'sub'), join(dir, 'sub-link'));
    symlinkSync(dir, join(dir, 'sub', 'loop'));
    symlinkSync(join(dir, 'b.yaml'), join(dir, 'e-link.yaml'));
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'f-dangling.yaml'));
    const load = await loadManifests([dir]);
    // sorted by name at each level; the link to sub/ is the same directory and is read once
    assert.deepEqual(names(load), ['a', 'b', 'b', 'c', 'd']);
    assert.deepEqual(errorsOf(load), []);
    const notes = load.coverage.filter((c) => c.severity === 'warning');
    assert.ok(notes.some((n) => n.target === join(dir, 'chart', 'templates') && /helm template/.test(n.reason)), JSON.stringify(notes));
    assert.ok(notes.some((n) => n.target === join(dir, 'f-dangling.yaml') && /no such file/.test(n.reason)));
    assert.equal(notes.length, 2, 'nothing said about Chart.yaml or values.yaml');
    assert.equal(load.stats.skipped, 3, 'Chart.yaml, values.yaml and the templates directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file named explicitly is read whatever its extension', async () => {
  const dir = tempDir();
  try {
    const txt = write(dir, 'manifest.txt', pod('txt'));
    const noExt = write(dir, 'Podfile', pod('no-ext'));
    const load = await loadManifests([txt, noExt]);
    assert.deepEqual(names(load), ['txt', 'no-ext']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('binary files are skipped and counted, in a directory and named explicitly', async () => {
  const dir = tempDir();
  try {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const bin = write(dir, 'image.yaml', bytes);
    write(dir, 'ok.yaml', pod('ok'));
    const explicit = write(dir, 'other.bin', bytes);
    const load = await loadManifests([dir, explicit]);
    assert.deepEqual(names(load), ['ok']);
    assert.equal(load.stats.skipped, 2);
    assert.deepEqual(load.coverage.filter((c) => /binary/.test(c.reason)).map((c) => c.target), [bin, explicit]);
    assert.equal(load.incomplete, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('non-existent and unreadable paths are errors; the rest is still scanned', async () => {
  const dir = tempDir();
  try {
    const ok = write(dir, 'ok.yaml', pod('ok'));
    const paths = [join(dir, 'missing.yaml'), ok, join(dir, 'missing-dir')];
    // /proc/self/mem exists but cannot be read from offset 0 (EIO), even as root
    const unreadable = '/proc/self/mem';
    if (existsSync(unreadable)) paths.push(unreadable);
    const load = await loadManifests(paths);
    assert.deepEqual(names(load), ['ok']);
    const errors = errorsOf(load);
    assert.deepEqual(errors.slice(0, 2), [
      { target: join(dir, 'missing.yaml'), line: undefined, reason: 'cannot read: no such file or directory' },
      { target: join(dir, 'missing-dir'), line: undefined, reason: 'cannot read: no such file or directory' },
    ]);
    if (existsSync(unreadable)) assert.match(errors[2].reason, /^cannot read: /);
    assert.equal(load.incomplete, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('very long lines, an empty file and a file of only comments', async () => {
  const dir = tempDir();
  try {
    const long = 'x'.repeat(5_000_000);
    const longFile = write(dir, 'long.yaml', `${pod('long')}    args: ["${long}", ${long}]\n    command:\n    - ${long}\n`);
    const empty = write(dir, 'empty.yaml', '');
    const comments = write(dir, 'comments.yaml', '# nothing here\n   # still nothing\n---\n# and after a marker\n');
    const load = await loadManifests([longFile, empty, comments]);
    assert.deepEqual(names(load), ['long']);
    const container = (load.inventory.objects[0].raw.spec as { containers: { args: string[]; command: string[] }[] }).containers[0];
    assert.equal(container.args[1].length, long.length);
    assert.equal(container.command[0].length, long.length);
    assert.deepEqual(load.coverage, []);
    assert.equal(load.stats.files, 3);
    assert.equal(load.stats.skipped, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin is read as one file named <stdin>', async () => {
  const load = await loadManifests(['-'], { readStdin: async () => `${pod('from-stdin')}---\n${pod('second')}` });
  assert.deepEqual(names(load), ['from-stdin', 'second']);
  const origin = load.inventory.objects[1].origin;
  assert.equal(origin.type === 'file' ? origin.file : '', '<stdin>');
});

test('parse workers load exactly what the main thread loads: objects in order, values, positions, problems', async () => {
  const dir = tempDir();
  try {
    for (let i = 0; i < 60; i++) {
      const body = [pod(`p${i}`, '    securityContext: {privileged: true}\n'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: "ns-${i % 3}"}\ndata:\n  k: |\n    line one\n    line two\n`].join('---\n');
      write(dir, `d${i % 7}/f${String(i).padStart(2, '0')}.yaml`, i % 5 === 0 ? body.replace(/\n/g, '\r\n') : body);
    }
    write(dir, 'd1/anchors.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: anchored}\ndata:\n  a: &x value\n  b: *x\n');
    write(dir, 'd2/broken.yaml', `${pod('before')}---\nkind: [unclosed\n---\n${pod('after')}`);
    write(dir, 'd3/template.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }\n');
    write(dir, 'd4/binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    write(dir, 'd5/list.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-é' } }] }, null, 1));
    write(dir, 'd6/latin1.yaml', Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: latin}\ndata: {k: "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const onMain = await loadManifests([dir], { threads: 0 });
    const onWorkers = await loadManifests([dir], { threads: 2 });
    assert.equal(onMain.inventory.objects.length, 125);
    assert.deepEqual(names(onWorkers), names(onMain));
    assert.deepEqual(onWorkers.coverage, onMain.coverage);
    assert.deepEqual(onWorkers.stats, onMain.stats);
    assert.equal(onWorkers.incomplete, onMain.incomplete);
    assert.ok(onMain.coverage.some((c) => c.target.endsWith('broken.yaml') && c.line === 11 && c.severity === 'error'));
    assert.ok(onMain.coverage.some((c) => c.target.endsWith('binary.yaml')));
    onMain.inventory.objects.forEach((o, i) => {
      const w = onWorkers.inventory.objects[i];
      assert.deepEqual(plain(w.raw), plain(o.raw), o.name);
      assert.ok(o.origin.type === 'file' && w.origin.type === 'file');
      assert.equal(w.origin.file, o.origin.file);
      for (const path of [[], ['metadata', 'name'], ['spec', 'containers', 0, 'securityContext', 'privileged'], ['data', 'k'], ['data', 'b']]) {
        assert.deepEqual(fieldPosition(w.origin, path), fieldPosition(o.origin, path), `${o.name} ${path.join('.')}`);
      }
    });
    const latin = onWorkers.inventory.objects.find((o) => o.name === 'latin');
    assert.equal((latin?.raw.data as { k: string }).k, 'caf\ufffd', 'bytes that are not UTF-8 read as U+FFFD');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
