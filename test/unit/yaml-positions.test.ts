// Where things are: the line and column of keys, sequence items and flow entries, on the fast path
// and on the full parser, and how a path that goes past the document (a missing field) resolves to
// the nearest parent a user would add it under.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText, parserUse, type ParsedDocument } from '../../src/sources/manifests/documents.js';
import { parseFullYaml } from '../../src/sources/manifests/full-yaml.js';
import { pack, resolvePosition, unpack, type PackedPosition } from '../../src/sources/manifests/positions.js';
import type { JsonValue, Path } from '../../src/core/json.js';
import { fullPositions } from '../fixtures/manifests/yaml-harness.js';
import { loadText } from '../helpers/scan.js';
import { fieldPosition } from '../../src/inventory/objects.js';

const DOC = [
  'apiVersion: apps/v1', //              1
  'kind: Deployment', //                 2
  'metadata:', //                        3
  '  name: web', //                      4
  '  labels: {app: web, "tier": be}', // 5
  'spec:', //                            6
  '  template:', //                      7
  '    spec:', //                        8
  '      containers:', //                9
  '      - name: app', //                10
  '        image: nginx:1.25', //        11
  '        args: ["--a", b,  c]', //     12
  '        env:', //                     13
  '          -', //                      14
  '            name: A', //              15
  '          - name: B', //              16
  '            value: |', //             17
  '              text', //               18
  '        matrix:', //                  19
  '        - - x', //                    20
  '          - y', //                    21
  '        -', //                        22
  '        - [1, {k: v}]', //            23
  '      - name: sidecar', //            24
  '',
].join('\n');

function at(line: number, column: number): string {
  return `${line}:${column}`;
}

function positionOf(doc: ParsedDocument, path: Path): string {
  const { line, column } = unpack(resolvePosition(doc.value, doc.positions, path));
  return at(line, column);
}

/** The document through the fast path (checked), and through the full parser alone. */
function bothPaths(text: string): [string, ParsedDocument][] {
  const before = parserUse.full;
  const fast = parseManifestText(text);
  assert.equal(parserUse.full, before, 'the fast path parsed it');
  assert.equal(fast.documents.length, 1);
  const full = parseFullYaml(text, 0);
  assert.ok(full.ok);
  return [
    ['fast', fast.documents[0]],
    ['full', { value: full.documents[0].value, positions: fullPositions(full.documents[0]) }],
  ];
}

const EXPECTED: [Path, string][] = [
  [[], at(1, 1)],
  [['kind'], at(2, 1)],
  [['metadata', 'name'], at(4, 3)],
  // flow mapping entries
  [['metadata', 'labels'], at(5, 3)],
  [['metadata', 'labels', 'app'], at(5, 12)],
  [['metadata', 'labels', 'tier'], at(5, 22)],
  // a same-indent list and its compact items
  [['spec', 'template', 'spec', 'containers'], at(9, 7)],
  [['spec', 'template', 'spec', 'containers', 0], at(10, 9)],
  [['spec', 'template', 'spec', 'containers', 0, 'name'], at(10, 9)],
  [['spec', 'template', 'spec', 'containers', 0, 'image'], at(11, 9)],
  // flow sequence entries
  [['spec', 'template', 'spec', 'containers', 0, 'args', 0], at(12, 16)],
  [['spec', 'template', 'spec', 'containers', 0, 'args', 1], at(12, 23)],
  [['spec', 'template', 'spec', 'containers', 0, 'args', 2], at(12, 27)],
  // an item whose mapping starts on the next line, and a compact one
  [['spec', 'template', 'spec', 'containers', 0, 'env', 0], at(15, 13)],
  [['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'name'], at(15, 13)],
  [['spec', 'template', 'spec', 'containers', 0, 'env', 1, 'value'], at(17, 13)],
  // nested sequences, an empty item, flow inside a block list
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 0], at(20, 11)],
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 0, 0], at(20, 13)],
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 0, 1], at(21, 13)],
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 1], at(22, 10)],
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 2], at(23, 11)],
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 2, 1], at(23, 15)],
  [['spec', 'template', 'spec', 'containers', 0, 'matrix', 2, 1, 'k'], at(23, 16)],
  [['spec', 'template', 'spec', 'containers', 1, 'name'], at(24, 9)],
  // missing fields resolve to the nearest parent that exists
  [['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'], at(10, 9)],
  [['spec', 'template', 'spec', 'hostNetwork'], at(8, 5)],
  [['spec', 'replicas'], at(6, 1)],
  [['status', 'phase'], at(1, 1)],
  [['spec', 'template', 'spec', 'containers', 7, 'name'], at(9, 7)],
  // a path through a scalar stops at the scalar's key
  [['metadata', 'name', 'first'], at(4, 3)],
  [['spec', 'template', 'spec', 'containers', 0, 'args', 0, 'x'], at(12, 16)],
];

for (const [name, doc] of bothPaths(DOC)) {
  test(`positions of keys, items and flow entries (${name} parser)`, () => {
    for (const [path, expected] of EXPECTED) assert.equal(positionOf(doc, path), expected, `${name}: ${path.join('.')}`);
  });
}

test('positions count lines across documents, comments, a BOM and CRLF', () => {
  const text = '\ufeff# header\r\n---\r\na: 1\r\n---   # second\r\n\r\n# comment\r\nkind: Pod\r\nspec:\r\n  x: 1\r\n';
  const parsed = parseManifestText(text);
  assert.equal(parsed.documents.length, 2);
  assert.equal(positionOf(parsed.documents[0], ['a']), at(3, 1));
  assert.equal(positionOf(parsed.documents[1], []), at(7, 1));
  assert.equal(positionOf(parsed.documents[1], ['spec', 'x']), at(9, 3));
});

test('positions on the full parser keep the file line numbers of later documents', () => {
  // the second document needs the full parser (an anchor); its lines still count from the file start
  const text = 'a: 1\n---\n\nb: &x 2\nc:\n  d: *x\n';
  const before = parserUse.full;
  const parsed = parseManifestText(text);
  assert.equal(parserUse.full, before + 1);
  assert.equal(positionOf(parsed.documents[0], ['a']), at(1, 1));
  assert.equal(positionOf(parsed.documents[1], []), at(4, 1));
  assert.equal(positionOf(parsed.documents[1], ['c', 'd']), at(6, 3));
  assert.equal(positionOf(parsed.documents[1], ['c', 'missing']), at(5, 1));
});

test('document markers with content go to the full parser with the right lines', () => {
  const text = 'x: 1\n--- !!map\nkind: Pod\nspec: {a: 1}\n';
  const parsed = parseManifestText(text);
  assert.equal(parsed.documents.length, 2);
  assert.equal(positionOf(parsed.documents[1], ['kind']), at(3, 1));
  assert.equal(positionOf(parsed.documents[1], ['spec', 'a']), at(4, 8));
});

test('values in List items resolve inside their item', () => {
  const text = [
    'apiVersion: v1', //                1
    'kind: List', //                    2
    'items:', //                        3
    '- apiVersion: v1', //              4
    '  kind: Pod', //                   5
    '  metadata: {name: a}', //         6
    '  spec:', //                       7
    '    containers:', //               8
    '    - name: c', //                 9
    '      image: x', //                10
    '- apiVersion: v1', //              11
    '  kind: ConfigMap', //             12
    '  metadata:', //                   13
    '    name: b', //                   14
    '',
  ].join('\n');
  for (const variant of [text, text.replace('kind: List', 'kind: List\nanchor: &a 1')]) {
    const shift = variant === text ? 0 : 1;
    const load = loadText(variant);
    assert.equal(load.stats.objects, 2);
    const [pod, cm] = load.inventory.objects;
    assert.equal(pod.kind, 'Pod');
    assert.equal(cm.kind, 'ConfigMap');
    const locate = (o: typeof pod, path: Path): string => {
      assert.equal(o.origin.type, 'file');
      if (o.origin.type !== 'file') return '';
      const { line, column } = fieldPosition(o.origin, path);
      return at(line, column);
    };
    assert.equal(locate(pod, []), at(4 + shift, 3));
    assert.equal(locate(pod, ['spec', 'containers', 0, 'image']), at(10 + shift, 7));
    assert.equal(locate(pod, ['metadata', 'name']), at(6 + shift, 14));
    assert.equal(locate(cm, ['metadata', 'name']), at(14 + shift, 5));
    // a missing field in an item stops at the item, never at another item or the List
    assert.equal(locate(cm, ['data', 'x']), at(11 + shift, 3));
    assert.equal(locate(pod, ['spec', 'securityContext']), at(7 + shift, 3));
  }
});

test('pack and unpack: lines beyond 65,535 and columns clamped at the limit', () => {
  assert.deepEqual(unpack(pack(1, 1)), { line: 1, column: 1 });
  assert.deepEqual(unpack(pack(3_000_000, 12)), { line: 3_000_000, column: 12 });
  assert.deepEqual(unpack(pack(7, 200_000)), { line: 7, column: 0xffff });
  const value: JsonValue = { a: 1 };
  const root: PackedPosition = pack(42, 3);
  assert.equal(resolvePosition(value, { root, tape: new Uint32Array(0) }, ['a']), root, 'a value without positions resolves to the root');
});

test('a key on a very long line keeps its line; its column is clamped', () => {
  const text = `a: 1\n${'x'.repeat(70_000)}: {k: v}\n`;
  const parsed = parseManifestText(text);
  assert.equal(parsed.problems.length, 1, 'a 70,000-character implicit key is an error');
  const ok = `a: 1\nb: ${'x'.repeat(70_000)}\nc: [${'y'.repeat(70_000)}, z]\n`;
  const doc = parseManifestText(ok).documents[0];
  assert.equal(positionOf(doc, ['c']), at(3, 1));
  assert.equal(positionOf(doc, ['c', 1]), at(3, 0xffff));
});
