// Quoted scalars continued on lines indented less than YAML 1.2 allows: kubectl (go-yaml through
// sigs.k8s.io/yaml) reads them, so kubemoat must too, with a warning at the line where the scalar
// starts. The expected values are what `yaml.YAMLToJSON` of sigs.k8s.io/yaml v1.4.0 returned for
// the same text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reindentQuotedContinuations } from '../../src/sources/manifests/lenient-quotes.js';
import { loadText } from '../helpers/scan.js';

function load(text: string): { values: unknown[]; coverage: { line?: number; reason: string; severity: string }[] } {
  const l = loadText(text);
  return { values: l.inventory.objects.map((o) => o.raw), coverage: l.coverage };
}

const POD = `apiVersion: v1
kind: Pod
metadata: {name: quoted, namespace: shop}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command:
    - sh
    - -c
    - "echo start && \\
  sleep 10 && \\
echo done"
    securityContext:
      privileged: true
`;

test('a double-quoted command continued with backslashes below its indentation is read, with a warning at its first line', () => {
  const { values, coverage } = load(POD);
  assert.equal(values.length, 1);
  const pod = values[0] as { spec: { containers: { command: string[]; securityContext: { privileged: boolean } }[] } };
  assert.deepEqual(pod.spec.containers[0].command, ['sh', '-c', 'echo start && sleep 10 && echo done']);
  assert.equal(pod.spec.containers[0].securityContext.privileged, true, 'what follows the scalar is read too');
  assert.deepEqual(coverage.map((c) => [c.line, c.severity]), [[11, 'warning']]);
  assert.match(coverage[0].reason, /read as kubectl reads it/);
});

test('folded double-quoted and single-quoted scalars below their indentation', () => {
  const { values } = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  b: "one\n two\nthree"\n  c: \'it\'\'s\ncontinued\'\n');
  assert.deepEqual((values[0] as { data: unknown }).data, { b: 'one two three', c: "it's continued" });
});

test('a quote that never closes is still an error, and a well-indented scalar needs no repair', () => {
  const broken = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  b: "never closed\nc: d\n');
  assert.deepEqual(broken.values, []);
  assert.equal(broken.coverage[0]?.severity, 'error');
  assert.match(broken.coverage[0].reason, /Missing closing "quote/);
  assert.equal(reindentQuotedContinuations('a: "one\n  two"\nb: \'x\'\n'), undefined);
  const fine = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  b: "one\n    two"\n');
  assert.deepEqual(fine.coverage, []);
});

test('quotes inside keys, escapes and comments do not confuse the repair', () => {
  const repair = reindentQuotedContinuations('x:\n  "k": "a \\" b \\\nc"\n  # "not a scalar\n  d: \'it\'\'s\'\n');
  assert.ok(repair);
  assert.deepEqual(repair.lines, [1]);
  assert.equal(repair.text, 'x:\n  "k": "a \\" b \\\n   c"\n  # "not a scalar\n  d: \'it\'\'s\'\n');
});
