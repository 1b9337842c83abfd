// The fast manifest parser against the full YAML parser: for every construct manifests use, the
// values (and the position of every key and item) must be identical, and the constructs the fast
// path claims must really go through it. The reference is the full parser run on the whole file,
// so the document splitting is checked too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareParsers, generateFile, seededRandom, type Comparison } from '../fixtures/manifests/yaml-harness.js';
import { parseManifestText, parserUse } from '../../src/sources/manifests/documents.js';
import { resolvePlainScalar } from '../../src/sources/manifests/scalars.js';
import { parseFullYaml } from '../../src/sources/manifests/full-yaml.js';
import { parseDocument, type Scalar, type Tags, type YAMLMap } from 'yaml';
import { canon } from '../fixtures/manifests/yaml-harness.js';
import type { JsonValue } from '../../src/core/json.js';

/** fast: every document through the fast parser; full: at least one handed over; error: both parsers reject it. */
type Route = 'fast' | 'full' | 'error';

const CASES: [name: string, yaml: string, route: Route][] = [
  // block collections
  ['block mapping', 'a: 1\nb: two\nc:\n  d: 3\n  e:\n    f: g\n', 'fast'],
  ['block sequence', '- a\n- b\n-   c\n', 'fast'],
  ['sequence indented under its key', 'a:\n  - x\n  - y\nb: z\n', 'fast'],
  ['sequence at the same indent as its key', 'a:\n- x\n- y\nb: z\n', 'fast'],
  ['same-indent sequence in a list item', '- name: a\n  args:\n  - x\n  - y\n- name: b\n', 'fast'],
  ['compact mapping in a list', '- a: 1\n  b: 2\n- c: 3\n', 'fast'],
  ['mapping on the line after the dash', '-\n  a: 1\n  b: 2\n- c\n', 'fast'],
  ['nested sequences', '- - a\n  - b\n- - - c\n    - d\n- e\n', 'fast'],
  ['empty list items', '- a\n-\n- \n-   # comment\n- b\n', 'fast'],
  ['empty values', 'a:\nb: \nc:   # comment\nd:\n  # only a comment\ne: 1\n', 'fast'],
  ['deeper indentation', 'a:\n    b:\n         c: 1\n    d: 2\n', 'fast'],
  ['one-space indentation', 'a:\n b:\n  - c\n  - d: 1\n    e: 2\n', 'fast'],
  // keys
  ['quoted keys', '"a b": 1\n\'c\'\'d\': 2\n"e\\tf": 3\n"": 4\n', 'fast'],
  ['key with spaces before the colon', 'a  : 1\n"b" : 2\n', 'fast'],
  ['keys like -x, :x, a#b, a/b.c', '-x: 1\n:y: 2\na#b: 3\napp.kubernetes.io/name: 4\n--flag: 5\n', 'fast'],
  ['keys with colons inside', 'http://x: 1\na:b: 2\n', 'fast'],
  ['non-string keys go to the full parser', 'on: 1\n1: a\n~: b\n', 'full'],
  ['quoted look-alike keys stay strings', '"on": 1\n"1": a\n\'~\': b\n', 'fast'],
  ['merge key', 'base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n', 'full'],
  ['merge key in a flow mapping', 'a: {<<: x, y: 1}\n', 'full'],
  ['a 1024-character key', `${'k'.repeat(1024)}: v\n`, 'fast'],
  ['a 1025-character key is an error', `${'k'.repeat(1025)}: v\n`, 'error'],
  // quoted scalars
  ['every double-quoted escape', 'a: "\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P"\n', 'fast'],
  ['hex and unicode escapes', 'a: "\\x41\\u00e9\\U0001F600\\x7f\\u2028"\n', 'fast'],
  ['lone surrogate escape', 'a: "\\ud800"\n', 'fast'],
  ['bad escapes are errors', 'a: "\\q"\n', 'error'],
  ['bad hex escape', 'a: "\\x4g"\n', 'error'],
  ['code point out of range', 'a: "\\U00110000"\n', 'error'],
  ['single quotes', "a: 'it''s'\nb: ''\nc: '\\n # not a comment'\nd: ''''\n", 'fast'],
  ['quoted then a comment', 'a: "x" # c\nb: \'y\'   # d\n', 'fast'],
  ['quoted then a comment without space', "a: 'x'#c\n", 'error'],
  ['quoted then text', 'a: "x"y\n', 'error'],
  ['multi-line double-quoted', 'a: "one\n  two"\n', 'full'],
  ['multi-line single-quoted', "a: 'one\n\n  two'\n", 'full'],
  ['quoted look-alikes stay strings', 'a: "yes"\nb: \'0644\'\nc: "null"\nd: "1e3"\n', 'fast'],
  // flow collections
  ['flow collections', 'a: {b: 1, c: [1, 2, {d: e}], f: {}}\ng: []\nh: [ ]\ni: { }\n', 'fast'],
  ['nested flow', 'a: [[a, [b, [c]]], {k: {l: {m: []}}}]\n', 'fast'],
  ['boolean-looking flow key', 'a: {x: {y: 1}}\n', 'full'],
  ['flow with quoted entries', 'a: ["a, b", \'c]\', "{d}"]\nb: {"k": "v", \'s\': \'t\'}\n', 'fast'],
  ['JSON-style flow', 'a: {"k":1,"l":[true,false,null]}\n', 'fast'],
  ['flow trailing comma', 'a: [x, y,]\nb: {c: 1,}\n', 'fast'],
  ['flow empty value', 'a: {b: , c:}\n', 'fast'],
  ['flow plain scalars with colons and dashes', 'a: [http://x:80/y, -x, a:b, nginx:1.25]\n', 'fast'],
  ['flow at the root', '{a: 1, b: [2]}\n', 'fast'],
  ['flow sequence at the root', '[a, b]\n', 'fast'],
  ['multi-line flow', 'a: [x,\n  y]\nb: {c: 1,\n  d: 2}\n', 'full'],
  ['flow pair in a sequence', 'a: [b: c]\n', 'full'],
  ['flow with a dash entry is an error', 'a: [a, - b]\n', 'error'],
  ['flow with a lone dash is an error', 'a: {b: -}\n', 'error'],
  ['flow then text', 'a: [x] y\n', 'error'],
  // block scalars
  ['literal', 'a: |\n  one\n  two\nb: 1\n', 'fast'],
  ['literal strip and keep', 'a: |-\n  one\n\nb: |+\n  two\n\nc: 1\n', 'fast'],
  ['folded', 'a: >\n  one\n  two\n\n  three\nb: 1\n', 'fast'],
  ['folded strip and keep', 'a: >-\n  one\n  two\nb: >+\n  three\n\n\nc: 1\n', 'fast'],
  ['folded with more-indented lines', 'a: >\n  x\n    y\n  z\n\n   w\n   v\n\n  u\n', 'fast'],
  ['folded with tab-started lines', 'a: >\n  x\n  \ty\n  z\n', 'fast'],
  ['leading blank lines', 'a: |\n\n\n  x\nb: >\n\n  y\n', 'fast'],
  ['trailing blank lines (clip, strip, keep)', 'a: |\n  x\n\n\nb: |-\n  x\n\n\nc: |+\n  x\n\n\nd: 1\n', 'fast'],
  ['keep at the end of the file', 'a: |+\n  x\n\n', 'fast'],
  ['keep at the end of a document', 'a: |+\n  x\n\n---\nb: >+\n  y\n\n...\n', 'fast'],
  ['clip at the end of a file without a final newline', 'a: |\n  x', 'fast'],
  ['keep at the end of a file without a final newline', 'a: |+\n  x', 'fast'],
  ['keep with spaces after the last line break', 'a: |+\n  x\n\n  ', 'fast'],
  ['folded keep with spaces after the last line break', 'a: >+\n  x\n  ', 'fast'],
  ['block scalar with a header comment', 'a: | # comment\n  x\nb: >- # c\n  y\n', 'fast'],
  ['block scalar in a list', '- |\n  x\n- >-\n  y\n  z\n-  |+\n   w\n\n', 'fast'],
  ['block scalar keeps # and : lines', 'a: |\n  # not a comment\n  key: value\n  - item\n# a comment\nb: 1\n', 'fast'],
  ['block scalar with less-indented blank lines', 'a: |\n    x\n\n  \n    y\n', 'fast'],
  ['trailing spaces inside a literal', 'a: |\n  x   \n  y \n', 'fast'],
  ['empty block scalars', 'a: |\nb: >-\nc: |+\n\nd: 1\n', 'fast'],
  ['block scalar indentation indicator', 'a: |2\n    x\n', 'full'],
  ['two chomping indicators are an error', 'a: |-+\n  x\nb: >--\n  y\n', 'error'],
  ['leading blank line deeper than the content', 'a: |\n    \n  x\n', 'error'],
  ['block scalar less indented than its first line', 'a: >\n   x\n  y\n', 'error'],
  ['tab as indentation in a block scalar', 'a: |\n\tx\n', 'error'],
  ['space and tab before a comment after a block scalar', 'a: >\n  x\n \t# c\nb: 1\n', 'error'],
  ['space and tab before the first line of a block scalar', 'a:\n  - |\n \t  # c\n  - b\n', 'error'],
  ['block scalar at the root', '|\n  root text\n', 'fast'],
  // comments and special characters in values
  ['comments everywhere', '# head\na: 1 # after\n# between\nb:   # on the key\n  # inside\n  c: 2\n\n  # indented\n- x\n', 'error'],
  ['comments everywhere (valid)', '# head\na: 1 # after\n# between\nb:   # on the key\n  # inside\n  c: 2\n\n    # deeper\nd:\n# same indent\n- x # item\n#tail', 'fast'],
  ['# inside values', 'a: b#c\nd: "e # f"\ng: h # i\nj: http://x/#frag\n', 'fast'],
  [': inside values', 'image: registry.example.com:5000/app:1.2\nurl: http://svc.ns:80/x\ncmd: a:b\nt: 12:30\n', 'fast'],
  ['plain value with inner spaces', 'a: b   c\nd: e f  \n', 'fast'],
  ['mapping value in a plain scalar is an error', 'a: b: c\n', 'error'],
  ['value ending with a colon is an error', 'a: b:\n', 'error'],
  ['flow indicators cannot start a plain value', 'a: ]\n', 'error'],
  ['comma cannot start a plain value', 'a: ,x\n', 'error'],
  ['brace cannot start a plain value', 'a: }\n', 'error'],
  ['a dash and a tab as a value', 'a: -\t\n', 'error'],
  ['plain scalars with indicator characters inside', 'a: a&b\nb: a*b\nc: a!b\nd: a|b\ne: a>b\nf: a?b\ng: a%b\nh: a@b\ni: a,b\nj: a[0]\nk: a{b}\n', 'fast'],
  ['multi-line plain scalar', 'a: one\n  two\nb: 1\n', 'full'],
  ['anchors, aliases and tags', 'a: &x 1\nb: *x\nc: !!str 2\n', 'full'],
  ['complex key', '? a\n: b\n', 'full'],
  ['non-breaking space is not white space', 'a: b\u00a0\n"c": [d\u00a0]\ne\u00a0: f\n', 'fast'],
  ['NEL and line separators are content', 'a: b\u0085c\nd: e\u2028f\n', 'fast'],
  ['unicode', 'name: 日本語\nemoji: 😀\nkey✓: é\n', 'fast'],
  // scalars: YAML 1.1 as Kubernetes reads it
  ['octal, hex, binary, underscores', 'a: 0644\nb: 0x1F\nc: 0b101\nd: 1_000\ne: 0o17\nf: 0xff_ff\ng: -0644\nh: +0x10\n', 'fast'],
  ['decimal forms', 'a: 0\nb: -0\nc: +12\nd: 007\ne: 08\nf: 09.5\ng: 12345678901234567890\n', 'fast'],
  ['floats', 'a: .5\nb: -.5\nc: 1.\nd: 1e3\ne: 1E-3\nf: -1.5e+3\ng: 6.02e23\nh: 1_0.5\nj: -0.0\nk: .\nl: -.\n', 'fast'],
  // JSON holds no infinities or NaN, so the fast path, which writes JSON, leaves these to the full parser
  ['infinities and NaN', 'a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\nf: .NAN\ng: .Nan\n', 'full'],
  ['a float too large for a double', 'i: 1e999\n', 'full'],
  ['NaN in a flow collection', 'a: [1, .nan]\n', 'full'],
  ['booleans', 'a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\ng: Y\nh: N\ni: True\nj: FALSE\nk: yES\nl: oN\n', 'fast'],
  ['nulls', 'a: ~\nb:\nc: null\nd: Null\ne: NULL\nf: nULL\n', 'fast'],
  ['timestamps and base 60 stay strings', 'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 1:20\nd: -1:30:00\ne: 190:20:30.15\n', 'fast'],
  ['not numbers', 'a: 1.2.3\nb: 0x\nc: 0b\nd: 1e\ne: e3\nf: 1_\ng: _1\nh: 0_\ni: 100m\nj: 256Mi\nk: +\nl: -\n', 'error'],
  ['not numbers (valid)', 'a: 1.2.3\nb: 0x\nc: 0b\nd: 1e\ne: e3\nf: 1_\ng: _1\nh: 0_\ni: 100m\nj: 256Mi\nk: +\nl: "-"\n', 'fast'],
  ['= and << as values', 'a: =\nb: <<\n', 'fast'],
  // documents
  ['document markers with comments', '--- # first\na: 1\n...\n--- # second\nb: 2\n... # end\n', 'fast'],
  ['documents with and without markers', 'a: 1\n---\nb: 2\n---\n\n---\n# only a comment\n---\nc: 3\n', 'fast'],
  ['bare document after ...', 'a: 1\n...\nb: 2\n', 'fast'],
  ['content on the --- line', '--- {a: 1}\n--- |\n  text\n--- !!map\nb: 2\n', 'full'],
  ['content after ... is an error', 'a: 1\n... b\nc: 1\n', 'error'],
  ['directives', '%YAML 1.1\n---\na: 1\n...\n%TAG !e! tag:example.com,2000:\n---\nb: 2\n', 'full'],
  ['directive inside a document is an error', 'a: 1\n%YAML 1.1\n---\nb: 2\n', 'error'],
  ['directive without --- before ...', '%YAML 1.1\na: 1\n...\nb: 2\n', 'error'],
  ['% at column 0 inside a root block scalar', '|\n%x\n', 'full'],
  ['--- and ... inside values', 'a: "---"\nb: ...\nc: |\n  ---\n  ...\n', 'fast'],
  ['CRLF', 'a: 1\r\nb: |\r\n  x\r\n  y\r\nc: [1, 2]\r\n---\r\nd: 2\r\n', 'fast'],
  ['lone CR', 'a: 1\rb: 2\r', 'fast'],
  ['UTF-8 BOM', '\ufeffa: 1\n', 'fast'],
  ['BOM at the start of a later document (cat of two files)', 'a: 1\n---\n\ufeffb: 2\n', 'fast'],
  ['leading and trailing blank lines', '\n\n\na: 1\n\n\n', 'fast'],
  ['only comments', '# a\n# b\n   # c\n', 'fast'],
  ['empty', '', 'fast'],
  // tabs
  ['tab after the colon', 'a:\tb\n', 'full'],
  ['trailing tab', 'a: b\t\nc: "d"\t# e\n', 'fast'],
  ['tab before a comment', 'a: b\t# c\n', 'full'],
  ['tab indentation is an error', 'a:\n\tb: 1\n', 'error'],
  ['tab-only and tab-comment lines', 'a: 1\n\t\n\t# c\nb: 2\n', 'fast'],
  ['tab inside a key', 'a\tb: 1\n', 'fast'],
  ['dash and tab as a key', 'a: 1\n-\t: 2\n', 'error'],
  ['colon and tab as a key', ':\tb: 2\n', 'error'],
  ['dash and tab as a list entry', '-\tx\n', 'full'],
  // structure errors the fast path must not accept
  ['bad indentation', 'a:\n  b: 1\n c: 2\n', 'error'],
  ['list item inside a mapping', 'a: 1\n- b\n', 'error'],
  ['more-indented key after a value', 'a: 1\n  b: 2\n', 'error'],
  ['sequence item less indented', 'a:\n  - x\n - y\n', 'error'],
  ['unterminated quote', 'a: "x\n', 'error'],
  ['unterminated flow', 'a: [x\n', 'error'],
  ['content after the root', '  a: 1\nb: 2\n', 'error'],
];

function assertSame(c: Comparison, label: string): void {
  assert.deepEqual(c.manifest, c.reference, `${label}: values differ`);
  assert.deepEqual(c.manifestPositions, c.referencePositions, `${label}: positions differ`);
}

for (const [name, yaml, route] of CASES) {
  test(`fast and full parsers agree: ${name}`, () => {
    const c = compareParsers(yaml);
    assertSame(c, name);
    const errors = c.problems.filter((p) => p.severity === 'error');
    if (route === 'error') {
      assert.ok(c.referenceErrors, 'the full parser rejects this input');
      assert.ok(errors.length > 0, 'the manifest path reports an error');
      for (const e of errors) assert.ok(e.line >= 1 && e.column >= 1);
      return;
    }
    assert.equal(c.referenceErrors, false, 'the full parser accepts this input');
    assert.deepEqual(errors, []);
    if (route === 'fast') assert.equal(c.full, 0, 'no document went to the full parser');
    else assert.ok(c.full > 0, 'the full parser was used');
  });
}

test('a seeded random manifest generator: fast and full parsers agree on hundreds of documents', () => {
  let fast = 0;
  let full = 0;
  let documents = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const rand = seededRandom(seed);
    const text = generateFile(rand, 1 + Math.floor(rand() * 4));
    const c = compareParsers(text);
    assertSame(c, `seed ${seed}`);
    assert.equal(c.referenceErrors, false, `seed ${seed}: the generator writes valid YAML`);
    fast += c.fast;
    full += c.full;
    documents += c.manifest.length;
  }
  assert.ok(documents >= 300, `${documents} documents`);
  // the generator puts a construct only the full parser reads into about one document in ten
  assert.ok(fast / (fast + full) > 0.75, `fast path used for ${fast} of ${fast + full} documents`);
});

test('the generator without unsupported constructs stays entirely on the fast path', () => {
  for (let seed = 1000; seed < 1100; seed++) {
    const rand = seededRandom(seed);
    const c = compareParsers(generateFile(rand, 2, { unsupported: 0 }));
    assertSame(c, `seed ${seed}`);
    assert.equal(c.full, 0, `seed ${seed} went to the full parser`);
  }
});

test('mutated documents: the fast path never accepts what the full parser rejects', () => {
  const MUTATIONS = [':', ': ', ' #', '#', '-', '- ', '\t', '"', "'", '[', ']', '{', '}', ',', ' ', '  ', '\n', '\n  ', '|', '>', '&a ', '*a', '!', '?', '...', '---', '\\', '%', '@', '`', '\u00a0', '\ufeff', '\r'];
  for (let seed = 1; seed <= 400; seed++) {
    const rand = seededRandom(seed * 7919);
    let text = generateFile(rand, 1, { unsupported: 0 });
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(rand() * text.length);
      const m = MUTATIONS[Math.floor(rand() * MUTATIONS.length)];
      text = text.slice(0, at) + m + text.slice(rand() < 0.7 ? at : at + 1);
    }
    const c = compareParsers(text);
    assert.equal(c.problems.some((p) => p.severity === 'error'), c.referenceErrors, `mutation seed ${seed}: errors differ`);
    // with an error in the file, the whole-file reference recovers differently (the manifest path
    // keeps the documents around a broken one); without, the results must be identical
    if (!c.referenceErrors) assertSame(c, `mutation seed ${seed}: ${JSON.stringify(text)}`);
  }
});

test('line mutations (deleted, repeated, re-indented lines): errors agree, and values where the file is valid', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rand = seededRandom(seed * 65537);
    const lines = generateFile(rand, 2).split('\n');
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(rand() * lines.length);
      const r = rand();
      if (r < 0.25) lines.splice(at, 1);
      else if (r < 0.5) lines.splice(at, 0, lines[Math.floor(rand() * lines.length)]);
      else if (r < 0.75) lines[at] = ' '.repeat(Math.floor(rand() * 4)) + lines[at].trimStart();
      else lines[at] = lines[at].replace(/^( *)/, (m) => m + ' '.repeat(1 + Math.floor(rand() * 2)));
    }
    const text = lines.join('\n');
    const c = compareParsers(text);
    assert.equal(c.problems.some((p) => p.severity === 'error'), c.referenceErrors, `line mutation seed ${seed}: errors differ`);
    if (!c.referenceErrors) assertSame(c, `line mutation seed ${seed}: ${JSON.stringify(text)}`);
  }
});

/** json: read by the JSON reader; yaml: handed to the YAML paths (fast or full); error: rejected by both. */
const JSON_CASES: [name: string, json: string, route: 'json' | 'yaml' | 'error'][] = [
  ['object', '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}', 'json'],
  ['pretty-printed List', JSON.stringify({ kind: 'List', items: [{ a: 1 }, { b: [true, false, null] }] }, null, 2), 'json'],
  ['compact', '{"a":[1,2,{"b":{}}],"c":[],"d":""}', 'json'],
  ['escapes', String.raw`{"a": "\\\"\/\b\f\n\r\t\u00e9\u0000\u2028\ud83d\ude00\ud800", "\u006b": 1}`, 'json'],
  ['numbers', '[0, -0, 1, -1, 1.5, -1.5e-3, 1E+2, 1e400, -1e400, 12345678901234567890, 0.1, 1e-400]', 'json'],
  ['literals', '[true, false, null]', 'json'],
  ['strings that look like YAML', '{"a": "yes", "b": "0644", "c": "~", "d": "- x", "e": "# c", "f": "a: b", "g": "---"}', 'json'],
  ['keys that look like YAML', '{"on": 1, "1": 2, "null": 3, "a: b": 4, "- x": 5, "": 6}', 'json'],
  ['deep but fine', `${'['.repeat(300)}${']'.repeat(300)}`, 'json'],
  ['CRLF and a BOM', '\ufeff{\r\n  "a": 1\r\n}\r\n', 'json'],
  ['array at the root', '[\n  {"kind": "Pod"},\n  {"kind": "Service"}\n]\n', 'json'],
  ['tab indentation (jq --tab) goes to the YAML paths', '{\n\t"a": 1\n}\n', 'yaml'],
  ['a comment', '{"a": 1} # c\n', 'yaml'],
  ['a trailing comma (YAML, not JSON)', '{"a": 1,}', 'yaml'],
  ['single quotes', "{'a': 1}", 'yaml'],
  ['unquoted key', '{a: 1}', 'yaml'],
  ['duplicate keys', '{"a": 1, "a": 2}', 'yaml'],
  ['__proto__ key', '{"__proto__": {"x": 1}}', 'yaml'],
  ['key and colon on different lines', '{"a"\n  : 1}', 'yaml'],
  ['two JSON values (JSON Lines)', '{"a": 1}\n{"b": 2}\n', 'error'],
  ['unclosed', '{"a": [1, 2}', 'error'],
];

for (const [name, json, route] of JSON_CASES) {
  test(`JSON reader and full parser agree: ${name}`, () => {
    const c = compareParsers(json);
    assertSame(c, name);
    if (route === 'error') {
      assert.ok(c.referenceErrors);
      assert.ok(c.problems.some((p) => p.severity === 'error'));
      return;
    }
    assert.equal(c.referenceErrors, false);
    assert.equal(c.json, route === 'json' ? 1 : 0, 'the JSON reader was used');
    if (route === 'json') assert.equal(c.manifest[0], canon(JSON.parse(json.replace(/^\ufeff/, '')) as JsonValue), 'JSON.parse agrees');
  });
}

test('generated manifests as JSON (compact and indented): the JSON reader and the full parser agree', () => {
  let json = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const rand = seededRandom(seed);
    const yaml = generateFile(rand, 1, { unsupported: 0 });
    const parsed = parseFullYaml(yaml, 0);
    assert.ok(parsed.ok);
    const value = parsed.documents[0].value;
    for (const indent of [0, 1, 2, 4]) {
      const c = compareParsers(JSON.stringify(value, null, indent));
      assertSame(c, `seed ${seed} indent ${indent}`);
      json += c.json;
    }
  }
  assert.equal(json, 600);
});

test('the fast path handles the common subset itself and hands the rest to the full parser', () => {
  const before = { ...parserUse };
  const parsed = parseManifestText('a:\n- b\n- {c: [1, "2"]}\n');
  assert.equal(parserUse.fast - before.fast, 1);
  assert.equal(parserUse.full - before.full, 0);
  assert.equal(canon(parsed.documents[0].value), '{"a":["b",{"c":[1,"2"]}]}');
  for (const text of ['a: &x 1\n', 'a: "x\n  y"\n', '? a\n', 'a: !!int 1\n', '<<: {}\n', 'a: 1\na: 2\n', 'a: .inf\n']) {
    const full = parserUse.full;
    parseManifestText(text);
    assert.equal(parserUse.full, full + 1, JSON.stringify(text));
  }
  assert.equal(parseManifestText('# nothing\n').documents.length, 0);
});

test('plain scalars resolve as the yaml library resolves YAML 1.1, except NaN from forms without a digit', () => {
  const words = [
    'yes', 'Yes', 'YES', 'yEs', 'no', 'y', 'Y', 'n', 'N', 'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF', 'true', 'True', 'TRUE', 'tRUE',
    'false', 'null', 'Null', 'NULL', '~', '0', '-0', '+0', '00', '0644', '0o644', '0x1f', '0X1F', '0b11', '0B11', '-0b11', '1_000',
    '1__0', '_1', '1_', '0_', '0x_', '0b_', '.5', '5.', '.', '-.', '+.', '._', '1e3', '1E3', '1e+3', '1e-3', '.5e3', '1.5e', 'e3', '1e3.5',
    '.e3', '-e3', '.inf', '.Inf', '.INF', '.iNF', '+.inf', '-.inf', '.nan', '.NaN', '.NAN', '-.nan', 'inf', 'nan', 'Infinity', 'NaN',
    '1:20', '1:20:30.5', '-1:20', '2001-12-14', '2001-12-14 21:59:43.10 -5', '9007199254740993', '1' + '0'.repeat(400),
    '0x' + 'f'.repeat(40), '100m', '1Gi', '1.2.3', 'v1', 'apps/v1', '<<', '=', '+', '', '-x', '-.x', '0.', '-0.0', '+1', '+.5', '1_2_3.4_5e6'
  ];
  const options = {
    version: '1.1' as const,
    customTags: (tags: Tags): Tags => tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')),
  };
  for (const w of words) {
    const doc = parseDocument(`v: ${w}\n`, options);
    assert.deepEqual(doc.errors, [], w);
    const node = (doc.contents as YAMLMap<Scalar, Scalar>).items[0].value;
    const libraryValue = node?.value ?? null;
    const expected = typeof libraryValue === 'number' && Number.isNaN(libraryValue) && !/nan$/i.test(w) ? w : libraryValue;
    assert.equal(canon(resolvePlainScalar(w)), canon(expected as never), `plain scalar ${JSON.stringify(w)}`);
  }
  // and the full parser reads plain scalars with the same function
  const full = parseFullYaml('a: .\nb: 0644\nc: on\nd: e3\n', 0);
  assert.ok(full.ok);
  assert.equal(canon(full.documents[0].value), '{"a":".","b":420,"c":true,"d":"e3"}');
});
