// `.kubemoat.yaml` is read strictly: every mistake is an error at its file, line and column; the
// published JSON Schema (docs/config.schema.json) is the validator's spec, and both judge the same
// examples alike, except for what only the validator can know (the rule catalogue, real dates).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { ConfigError, parseConfig, type KubemoatConfig } from '../../src/core/config.js';
import { configSchemaText } from '../../src/core/config-schema.js';
import { knownRuleIds } from '../../src/cli/rule-ids.js';
import { fileRelativeTo, ruleMatches } from '../../src/core/suppression.js';
import { pathGlob } from '../../src/core/glob.js';
import { REPO_ROOT } from '../helpers/cli.js';
import type { Finding } from '../../src/core/finding.js';

const IDS = knownRuleIds();
const FILE = '/srv/conf/.kubemoat.yaml';
const SCHEMA_FILE = `${REPO_ROOT}docs/config.schema.json`;

function parseWithIds(text: string): KubemoatConfig {
  return parseConfig(text, FILE, IDS);
}

/** 1-based line and column of the first `needle` in `text`. */
function positionOf(text: string, needle: string): string {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `the case contains ${needle}`);
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

function configError(text: string): string {
  try {
    parseWithIds(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${String(e)}`);
    return e.message;
  }
  assert.fail(`expected an error for:\n${text}`);
}

const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
// strictRequired would refuse `anyOf: [{required: [rule]}, …]`, which is valid draft-07
const validateSchema = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(schema);

function schemaAccepts(text: string): boolean {
  return validateSchema(parse(text) ?? {}) === true;
}

/** The config blocks of the README: every fenced YAML block made only of config settings. */
function readmeConfigs(): string[] {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const settings = new Set(Object.keys((schema as { properties: object }).properties));
  return blocks.filter((b) => {
    const value: unknown = parse(b);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).every((k) => settings.has(k));
  });
}

interface Bad {
  name: string;
  text: string;
  /** where the error must point: the first occurrence of this text */
  at: string;
  message: RegExp;
}

// Mistakes of shape: the schema and the validator both refuse them.
const SHAPE_MISTAKES: Bad[] = [
  { name: 'namespace beside rule, not under resource (flow)', text: 'ignore:\n  - {rule: KM-WL-013, namespace: billing, reason: r}\n', at: 'namespace', message: /unknown key `namespace` in ignore\[0\]; did you mean resource\.namespace\?/ },
  { name: 'name beside rule, not under resource (block)', text: 'ignore:\n  - rule: KM-WL-013\n    name: api\n    reason: r\n', at: 'name:', message: /did you mean resource\.name\?.*allowed here: rule, rules, resource, paths, reason, expires/ },
  { name: 'kind and apiVersion beside rule', text: 'ignore:\n  - rule: KM-WL-013\n    reason: r\n    apiVersion: v1\n', at: 'apiVersion', message: /did you mean resource\.apiVersion\?/ },
  { name: 'a typo inside resource', text: 'ignore:\n  - rule: KM-WL-001\n    resource: {namespace: a, nmae: b}\n    reason: r\n', at: 'nmae', message: /unknown key `nmae` in ignore\[0\]\.resource; did you mean `name`\?/ },
  { name: 'an unknown top-level setting', text: 'trustedRegistries: []\nignores: []\n', at: 'ignores', message: /unknown setting `ignores`; did you mean `ignore`\?/ },
  { name: 'an unknown key in detect', text: 'detect:\n  allows: []\n', at: 'allows', message: /unknown key `allows` in detect; did you mean `allow`\?/ },
  { name: 'user for users in detect.allow', text: 'detect:\n  allow:\n    - rule: KM-DT-001\n      user: [a]\n      reason: r\n', at: 'user', message: /in detect\.allow\[0\]; did you mean users\?/ },
  { name: 'an unknown key in deniedBurst', text: 'detect:\n  deniedBurst: {count: 3, windowSeconds: 5, burst: 2}\n', at: 'burst:', message: /unknown key `burst` in detect\.deniedBurst/ },
  { name: 'an unknown key in imageSignatures', text: 'imageSignatures:\n  - {images: a/*, key: k.pub, keyless: true}\n', at: 'keyless', message: /unknown key `keyless` in imageSignatures\[0\]/ },
  { name: 'a string where trustedRegistries needs a list', text: 'trustedRegistries: ghcr.io\n', at: 'ghcr.io', message: /trustedRegistries must be a list \(found the string `ghcr\.io`\)/ },
  { name: 'a string where rules needs a list', text: 'ignore:\n  - rules: KM-WL-001\n    reason: r\n', at: 'KM-WL-001', message: /ignore\[0\]\.rules must be a list/ },
  { name: 'a string where paths needs a list', text: 'ignore:\n  - rule: KM-WL-001\n    paths: k8s/dev/**\n    reason: r\n', at: 'k8s/dev', message: /ignore\[0\]\.paths must be a list/ },
  { name: 'a string where resource needs a mapping', text: 'ignore:\n  - rule: KM-WL-001\n    resource: billing\n    reason: r\n', at: 'billing', message: /ignore\[0\]\.resource must be a mapping/ },
  { name: 'an entry that is a bare rule id', text: 'ignore:\n  - KM-WL-001\n', at: 'KM-WL-001', message: /ignore\[0\] must be a mapping/ },
  { name: 'a config that is a list', text: '- rule: KM-WL-001\n', at: '- rule', message: /the config must be a mapping/ },
  { name: 'no reason', text: 'ignore:\n  - rule: KM-WL-001\n', at: 'rule', message: /ignore\[0\] needs a `reason`/ },
  { name: 'a blank reason', text: 'ignore:\n  - rule: KM-WL-001\n    reason: " "\n', at: '" "', message: /ignore\[0\]\.reason must be a reason that is not blank/ },
  { name: 'an empty reason', text: 'ignore:\n  - {rule: KM-WL-001, reason: }\n', at: 'reason', message: /ignore\[0\]\.reason must be a string \(found nothing\)/ },
  { name: 'no rule', text: 'ignore:\n  - reason: r\n    resource: {namespace: a}\n', at: 'reason', message: /ignore\[0\] needs `rule` or `rules`/ },
  { name: 'an empty rules list', text: 'ignore:\n  - rules: []\n    reason: r\n', at: '[]', message: /ignore\[0\]\.rules must not be an empty list/ },
  { name: 'an expiry that is not a date', text: 'ignore:\n  - rule: KM-WL-001\n    reason: r\n    expires: 31/12/2027\n', at: '31/12', message: /ignore\[0\]\.expires must be a date like 2027-01-31/ },
  { name: 'an expiry that is a number', text: 'ignore:\n  - rule: KM-WL-001\n    reason: r\n    expires: 20270131\n', at: '20270131', message: /must be a string \(found the number 20270131; quote it\)/ },
  { name: 'an absolute path, which would never match', text: 'ignore:\n  - rule: KM-WL-001\n    paths: [/srv/k8s/**]\n    reason: r\n', at: '/srv/k8s', message: /ignore\[0\]\.paths\[0\] must be a path relative to the config file/ },
  { name: 'a wildcard kind', text: 'ignore:\n  - rule: KM-WL-001\n    resource: {kind: "*"}\n    reason: r\n', at: '"*"', message: /ignore\[0\]\.resource\.kind must be a kind without \*/ },
  { name: 'a rule id with spaces', text: 'ignore:\n  - rule: KM WL 001\n    reason: r\n', at: 'KM WL', message: /must be a rule id like KM-WL-001/ },
  { name: 'deniedBurst below its minimum', text: 'detect:\n  deniedBurst: {count: 1, windowSeconds: 60}\n', at: '1,', message: /detect\.deniedBurst\.count must be a whole number ≥ 2/ },
  { name: 'a detect allow entry without a matcher', text: 'detect:\n  allow:\n    - rule: KM-DT-001\n      reason: r\n', at: 'rule', message: /needs `users` or `namespaces` or `images`/ },
  { name: 'an image signature without a key', text: 'imageSignatures:\n  - images: a/*\n', at: 'images', message: /imageSignatures\[0\] needs `key` or `keys`/ },
  { name: 'a purpose kubemoat does not know', text: 'purposes:\n  - purpose: cni\n    resource: {name: flannel}\n    reason: r\n', at: 'cni', message: /purposes\[0\]\.purpose must be one of cni-agent, metrics-exporter, log-shipper/ },
  { name: 'a purpose without a workload name', text: 'purposes:\n  - purpose: cni-agent\n    resource: {namespace: kube-system}\n    reason: r\n', at: '{namespace', message: /purposes\[0\]\.resource needs `name`/ },
  { name: 'a purpose without a reason', text: 'purposes:\n  - purpose: log-shipper\n    resource: {name: fluent-bit}\n', at: 'purpose:', message: /purposes\[0\] needs a `reason`/ },
  { name: 'a purpose with namespace beside resource', text: 'purposes:\n  - purpose: log-shipper\n    namespace: logging\n    resource: {name: fluent-bit}\n    reason: r\n', at: 'namespace', message: /did you mean resource\.namespace\?/ },
];

// Mistakes only the validator can see: the rule catalogue, the calendar, what a matcher narrows.
const MEANING_MISTAKES: Bad[] = [
  { name: 'a rule id that does not exist', text: 'ignore:\n  - rule: KM-WL-999\n    reason: r\n', at: 'KM-WL-999', message: /ignore\[0\]\.rule: no rule `KM-WL-999`/ },
  { name: 'an unknown id in a rules list', text: 'ignore:\n  - rules: [KM-WL-001, KM-XX-001]\n    reason: r\n', at: 'KM-XX', message: /ignore\[0\]\.rules\[1\]: no rule `KM-XX-001`/ },
  { name: 'a glob that matches no rule', text: 'ignore:\n  - rule: KM-ZZ-*\n    reason: r\n', at: 'KM-ZZ', message: /`KM-ZZ-\*` matches no rule/ },
  { name: 'every rule everywhere', text: 'ignore:\n  - rule: "*"\n    reason: r\n', at: 'rule', message: /suppresses every rule everywhere/ },
  { name: 'every rule with a matcher that narrows nothing', text: 'ignore:\n  - rule: "*"\n    resource: {namespace: "*", name: "*"}\n    paths: ["**"]\n    reason: r\n', at: 'rule', message: /needs a resource or paths matcher that narrows it/ },
  { name: 'a date that does not exist', text: 'ignore:\n  - rule: KM-WL-001\n    reason: r\n    expires: 2027-02-30\n', at: '2027-02-30', message: /ignore\[0\]\.expires: 2027-02-30 is not a date/ },
  { name: 'a detection rule in ignore', text: 'ignore:\n  - rule: KM-DT-001\n    reason: r\n', at: 'KM-DT', message: /is a detection rule: allow-list it under detect\.allow/ },
  { name: 'a scan rule in detect.allow', text: 'detect:\n  allow:\n    - rules: [KM-DT-001, KM-WL-001]\n      users: [a]\n      reason: r\n', at: 'KM-WL', message: /detect\.allow\[0\]\.rules\[1\]: `KM-WL-001` is not a detection rule/ },
  { name: 'a detection rule that does not exist', text: 'detect:\n  allow:\n    - rule: KM-DT-999\n      users: [a]\n      reason: r\n', at: 'KM-DT-999', message: /no rule `KM-DT-999`/ },
];

const GOOD: { name: string; text: string }[] = [
  { name: 'examples/kubemoat.yaml', text: readFileSync(`${REPO_ROOT}examples/kubemoat.yaml`, 'utf8') },
  ...readmeConfigs().map((text, i) => ({ name: `README config block ${i + 1}`, text })),
  { name: 'an empty file', text: '# nothing yet\n' },
  { name: 'declared purposes', text: 'purposes:\n  - purpose: cni-agent\n    resource: {kind: DaemonSet, namespace: kube-flannel, name: "kube-flannel*"}\n    reason: flannel is our CNI\n' },
  { name: 'a group glob and lower-case ids', text: 'ignore:\n  - rule: KM-WL-*\n    reason: r\n  - rules: [km-rb-001]\n    reason: r\n' },
  { name: 'every rule, narrowed by namespace', text: 'ignore:\n  - rule: "*"\n    resource: {namespace: sandbox}\n    reason: throwaway namespace\n' },
  { name: 'every rule, narrowed by paths', text: 'ignore:\n  - rule: "*"\n    paths: [k8s/dev/, "**/kind-*.yaml"]\n    reason: dev manifests\n    expires: 2028-02-29\n' },
  { name: 'single values where older configs used them', text: 'imageSignatures:\n  - images: registry.example.com/team/*\n    key: keys/cosign.pub\ndetect:\n  allow:\n    - rule: "*"\n      users: kubemoat-lab\n      reason: the lab admin\n' },
];

test('the published schema is the one generated from the validator\'s spec (run `npm run schema` after changing it)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), configSchemaText());
});

test('README config blocks are found, so the good examples include them', () => {
  const blocks = readmeConfigs();
  assert.ok(blocks.some((b) => /^ignore:/m.test(b)), 'the suppression example');
  assert.ok(blocks.some((b) => /^detect:/m.test(b)), 'the detect allow-list example');
  assert.ok(blocks.some((b) => /^imageSignatures:/m.test(b)), 'the signature policy example');
});

for (const good of GOOD) {
  test(`accepted by both: ${good.name}`, () => {
    assert.doesNotThrow(() => parseWithIds(good.text));
    assert.ok(schemaAccepts(good.text), JSON.stringify(validateSchema.errors));
  });
}

for (const bad of SHAPE_MISTAKES) {
  test(`refused by both, at its line: ${bad.name}`, () => {
    const message = configError(bad.text);
    assert.ok(message.startsWith(`${FILE}:${positionOf(bad.text, bad.at)}: `), message);
    assert.match(message, bad.message);
    assert.ok(!message.includes('\n'), 'one line');
    assert.equal(schemaAccepts(bad.text), false, 'the schema refuses it too');
  });
}

for (const bad of MEANING_MISTAKES) {
  test(`refused by the validator (the schema cannot know), at its line: ${bad.name}`, () => {
    const message = configError(bad.text);
    assert.ok(message.startsWith(`${FILE}:${positionOf(bad.text, bad.at)}: `), message);
    assert.match(message, bad.message);
    assert.equal(schemaAccepts(bad.text), true, 'a well-shaped config: only the catalogue or the calendar refuses it');
  });
}

test('YAML mistakes are errors at their line too: a duplicate key, an unclosed list', () => {
  const dup = 'ignore:\n  - rule: KM-WL-001\n    reason: a\n    reason: b\n';
  assert.match(configError(dup), new RegExp(`^${FILE}:${positionOf(dup, 'reason: b')}: not valid YAML: .*unique`));
  assert.match(configError('ignore: [\n'), new RegExp(`^${FILE}:\\d+:\\d+: not valid YAML`));
});

test('an alias is checked as what it stands for', () => {
  const text = 'x: &m {rule: KM-WL-001, namespace: a, reason: r}\n';
  assert.match(configError(text), /unknown setting `x`/);
  const aliased = 'trustedRegistries: &r [ghcr.io]\nignore:\n  - {rule: KM-WL-001, reason: r, resource: *r}\n';
  assert.match(configError(aliased), /ignore\[0\]\.resource must be a mapping \(found a list\)/);
});

test('what a valid config becomes: ids upper-cased, matchers kept, paths and keys relative to its directory', () => {
  const c = parseWithIds('ignore:\n  - rules: [km-wl-*, KM-RB-001]\n    resource: {apiVersion: apps/v1, kind: Deployment, namespace: "team-*"}\n    paths: [k8s/]\n    reason: r\n    expires: 2027-01-31\n');
  assert.deepEqual(c.ignore, [{ rules: ['KM-WL-*', 'KM-RB-001'], resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-*' }, paths: ['k8s/'], reason: 'r', expires: '2027-01-31' }]);
  assert.equal(c.dir, '/srv/conf');
});

test('declared purposes keep their matcher and reason', () => {
  const c = parseWithIds('purposes:\n  - purpose: metrics-exporter\n    resource: {apiVersion: apps/v1, kind: DaemonSet, namespace: monitoring, name: node-exporter}\n    reason: node metrics\n');
  assert.deepEqual(c.purposes, [{ purpose: 'metrics-exporter', resource: { kind: 'DaemonSet', apiVersion: 'apps/v1', namespace: 'monitoring', name: 'node-exporter' }, reason: 'node metrics' }]);
  assert.equal(parseWithIds('trustedRegistries: []\n').purposes, undefined);
});

test('a rule glob matches exactly the rules of its pattern', () => {
  const [s] = parseWithIds('ignore:\n  - rule: KM-WL-*\n    reason: r\n').ignore;
  const matched = IDS.scan.filter((id) => ruleMatches(s, id));
  assert.deepEqual(matched, IDS.scan.filter((id) => id.startsWith('KM-WL-')));
  assert.ok(matched.length > 1 && matched.length < IDS.scan.length);
});

test('path globs: * stays in a directory, ** crosses them, a trailing / is everything below', () => {
  assert.ok(pathGlob('k8s/*.yaml').test('k8s/a.yaml'));
  assert.ok(!pathGlob('k8s/*.yaml').test('k8s/dev/a.yaml'));
  assert.ok(pathGlob('k8s/**/*.yaml').test('k8s/a.yaml'));
  assert.ok(pathGlob('k8s/**/*.yaml').test('k8s/dev/x/a.yaml'));
  assert.ok(pathGlob('k8s/dev/').test('k8s/dev/x/a.yaml'));
  assert.ok(!pathGlob('k8s/dev/').test('k8s/development/a.yaml'));
  assert.ok(!pathGlob('k8s/a.yaml').test('k8s/a-yaml'), 'a dot is a dot');
  assert.ok(pathGlob('./k8s/*.yaml').test('k8s/a.yaml'), 'a leading ./ is the same directory');
});

test('a finding\'s file is taken relative to the config\'s directory; stdin and cluster findings have none', () => {
  const at = (file: string | undefined): Finding => ({ location: file === undefined ? undefined : { file, line: 1, column: 1 } }) as Finding;
  assert.equal(fileRelativeTo('/srv/conf', at('k8s/a.yaml'), '/srv/conf'), 'k8s/a.yaml');
  assert.equal(fileRelativeTo('/srv/conf', at('conf/k8s/a.yaml'), '/srv'), 'k8s/a.yaml');
  assert.equal(fileRelativeTo('/srv/conf', at('/srv/other/a.yaml'), '/'), '../other/a.yaml');
  assert.equal(fileRelativeTo('/srv/conf', at('<stdin>'), '/srv'), undefined);
  assert.equal(fileRelativeTo('/srv/conf', at(undefined), '/srv'), undefined);
});
