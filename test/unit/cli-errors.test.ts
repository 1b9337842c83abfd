// Every command given bad input says what is wrong in one line on stderr and exits 2, with no
// stack trace: no kubeconfig, bad numbers, an output file in a missing directory, unknown
// choices, a node with nothing to audit. Each case runs the built CLI as a user would, with a HOME
// that has no kubeconfig.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const home = mkdtempSync(join(tmpdir(), 'km-cli-errors-'));
const emptyRoot = join(home, 'root');
mkdirSync(join(emptyRoot, 'proc'), { recursive: true });
const badKubeconfig = join(home, 'bad-kubeconfig');
writeFileSync(badKubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [}\n');
const noContext = join(home, 'no-context');
writeFileSync(noContext, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');

interface Case {
  args: string[];
  /** what the one line must say */
  says: RegExp;
  env?: NodeJS.ProcessEnv;
}

const NO_KUBECONFIG = /no kubeconfig: .*\.kube\/config does not exist.*pass --kubeconfig/;

const CASES: Case[] = [
  { args: ['frobnicate'], says: /unknown command 'frobnicate'/ },
  { args: ['scan'], says: /missing required argument 'paths'/ },
  { args: ['scan', 'examples/insecure-cluster', '-f', 'bogus'], says: /argument 'bogus' is invalid/ },
  { args: ['scan', 'examples/insecure-cluster', '-o', join(home, 'missing', 'dir', 'x.json')], says: /-o .*missing\/dir\/x\.json: cannot write the report: its directory does not exist/ },
  { args: ['scan', 'examples/insecure-cluster', '-f', 'json', '-o', home], says: /cannot write the report: it is a directory/ },
  { args: ['scan', 'examples/insecure-cluster', '-c', join(home, 'none.yaml')], says: /none\.yaml: cannot read config/ },
  { args: ['scan', 'examples/insecure-cluster', '--threads', 'many'], says: /--threads <n>' argument 'many' is invalid/ },
  { args: ['cluster'], says: NO_KUBECONFIG },
  { args: ['cluster', '--timeout', '5x'], says: /--timeout <duration>' argument '5x' is invalid/ },
  { args: ['cluster', '--concurrency', 'abc'], says: /--concurrency <n>' argument 'abc' is invalid. expected a whole number from 1 to 64/ },
  { args: ['cluster', '--kubeconfig', join(home, 'nope')], says: /cannot load kubeconfig .*nope: no such file/ },
  { args: ['cluster', '--kubeconfig', badKubeconfig], says: /cannot load kubeconfig .*bad-kubeconfig: / },
  { args: ['cluster', '--kubeconfig', noContext], says: /the kubeconfig sets no current-context/ },
  { args: ['cluster'], says: /none of the files in \$KUBECONFIG exists \(.*gone-a, .*gone-b\)/, env: { KUBECONFIG: `${join(home, 'gone-a')}:${join(home, 'gone-b')}` } },
  { args: ['cluster', '--every', 'often'], says: /--every needs a duration/ },
  { args: ['netpol'], says: NO_KUBECONFIG },
  { args: ['netpol', '--concurrency', 'abc'], says: /--concurrency <n>' argument 'abc' is invalid/ },
  { args: ['netpol', '--timeout', '5 seconds'], says: /--timeout <duration>' argument '5 seconds' is invalid/ },
  { args: ['netpol', '--limit', '-1'], says: /--limit <n>' argument '-1' is invalid/ },
  { args: ['who-can', 'get', 'pods'], says: NO_KUBECONFIG },
  { args: ['who-can', 'get', 'pods', '--concurrency', '0'], says: /--concurrency <n>' argument '0' is invalid/ },
  { args: ['can', 'sa:default/x', 'get'], says: /give both VERB and RESOURCE/ },
  { args: ['probe'], says: /give at least one target/ },
  { args: ['probe', '127.0.0.1', '--timeout', 'soon'], says: /--timeout <duration>' argument 'soon' is invalid/ },
  { args: ['probe', '127.0.0.1', '--ports', '70000'], says: /"70000" is outside 1-65535/ },
  { args: ['node', '--root', join(home, 'no-such-root')], says: /cannot list processes in/ },
  { args: ['images', '--db', join(home, 'no-db'), 'oci:/nope'], says: /no vulnerability database in/ },
  { args: ['images', '--concurrency', 'lots'], says: /--concurrency <n>' argument 'lots' is invalid/ },
  { args: ['images', 'sbom'], says: /missing required argument 'ref'/ },
  { args: ['images', 'sbom', `oci:${join(home, 'nope')}`], says: /nope: no such file or directory/ },
  { args: ['images', 'db', 'status', '--db', join(home, 'no-db')], says: /no vulnerability database in/ },
  { args: ['images', 'db', 'update', '--timeout', 'x'], says: /--timeout <duration>' argument 'x' is invalid/ },
  { args: ['detect', join(home, 'no.log')], says: /cannot read .*no\.log: no such file/ },
  { args: ['detect', '--severity', 'bogus', '-'], says: /argument 'bogus' is invalid/ },
  { args: ['rules', 'KM-XX-999'], says: /no rule KM-XX-999/ },
  { args: ['paths'], says: NO_KUBECONFIG },
  { args: ['paths', '--manifests', join(home, 'gone')], says: /not seen: .*gone: cannot read: no such file/ },
  { args: ['paths', '--kubeconfig', join(home, 'nope')], says: /cannot load kubeconfig .*nope: no such file/ },
  { args: ['paths', '--asset', 'gold'], says: /--asset gold: not one of cluster-admin, node-root/ },
  { args: ['completion', 'tcsh'], says: /'tcsh' is invalid for argument 'shell'/ },
];

for (const c of CASES) {
  test(`kubemoat ${c.args.join(' ')}${c.env ? ` (${Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}: one line, exit 2`, () => {
    const r = runCli(c.args, { env: { HOME: home, KUBECONFIG: '', ...c.env } });
    assert.equal(r.status, 2, `exit 2, not ${r.status}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(r.stderr, /internal error/);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
    assert.match(lines[0], c.says);
  });
}

test('kubemoat node on a root with no component: exit 2, saying nothing was audited', () => {
  const r = runCli(['node', '--root', emptyRoot, '-f', 'json']);
  assert.equal(r.status, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(r.stderr, /no Kubernetes component or container runtime process .*nothing was audited/);
  const report = JSON.parse(r.stdout) as { coverage: { severity: string; reason: string }[] };
  assert.ok(report.coverage.some((c) => c.severity === 'error' && /nothing was audited/.test(c.reason)));
});

test('-o json writes the file it names and warns that -f chooses the format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'km-o-json-'));
  const r = runCli(['scan', join(REPO_ROOT, 'examples/insecure-cluster'), '-o', 'json', '--fail-on', 'never'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: writing the report to a file named "json"; -o names the file, -f \(--format\) the format/);
  assert.match(readFileSync(join(dir, 'json'), 'utf8'), /finding/, 'the table went into the file');
});
