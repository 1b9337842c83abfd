// The CLI as CI uses it: rules and files chosen on the command line, namespaces of a live cluster,
// JUnit counts a CI system can trust, no escape codes for TERM=dumb, completion scripts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { CLI } from '../helpers/cli.js';
import { namespaceFilter, type ClusterFlags } from '../../src/cli/cluster.js';
import type { Report } from '../../src/core/report.js';

function scanJson(args: string[]): Report {
  const r = runCli(['scan', ...args, '-f', 'json', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

test('--rules and --skip-rules: globs like the config, a word that names no rule is an error', () => {
  const all = scanJson(['examples/insecure-cluster']);
  const workload = scanJson(['examples/insecure-cluster', '--rules', 'KM-WL-*', '--skip-rules', 'KM-WL-001,km-wl-002']);
  const ids = new Set(workload.findings.map((f) => f.ruleId));
  assert.ok(ids.size > 3);
  assert.ok([...ids].every((id) => id.startsWith('KM-WL-') && id !== 'KM-WL-001' && id !== 'KM-WL-002'), [...ids].join(' '));
  assert.equal(workload.findings.length, all.findings.filter((f) => ids.has(f.ruleId)).length, 'the selected rules find what they found before');
  const bad = runCli(['scan', 'examples/insecure-cluster', '--skip-rules', 'KM-WL-9*']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--skip-rules KM-WL-9\*: no rule of this command matches/);
});

test('--exclude and --include: path globs relative to the working directory', () => {
  const all = scanJson(['examples']);
  const noInsecure = scanJson(['examples', '--exclude', 'examples/insecure-cluster/']);
  assert.ok(all.findings.some((f) => f.location?.file.startsWith('examples/insecure-cluster/')));
  assert.ok(noInsecure.findings.every((f) => !f.location?.file.startsWith('examples/insecure-cluster/')));
  const one = scanJson(['examples', '--include', '**/node-agent.yaml']);
  assert.equal(one.summary.files, 1);
  assert.ok(one.findings.length > 0 && one.findings.every((f) => f.location?.file === 'examples/insecure-cluster/node-agent.yaml'));
});

test('cluster namespaces: -n, -A and the include/exclude lists', () => {
  const flags = (f: Partial<ClusterFlags>): ClusterFlags => ({ format: 'table', severity: 'low', failOn: 'high', timeout: 1, concurrency: 1, progress: false, ...f });
  assert.equal(namespaceFilter(flags({ allNamespaces: true })), undefined, 'every namespace');
  const keep = namespaceFilter(flags({ includeNamespaces: ['team-*', 'shop'], excludeNamespaces: ['team-legacy'] }))!;
  assert.deepEqual(['team-a', 'team-legacy', 'shop', 'kube-system'].filter(keep), ['team-a', 'shop']);
  const drop = namespaceFilter(flags({ excludeNamespaces: ['kube-*'] }))!;
  assert.deepEqual(['kube-system', 'default'].filter(drop), ['default']);
  assert.throws(() => namespaceFilter(flags({ namespace: 'x', allNamespaces: true })), /-A .* and -n .* exclude each other/);
  assert.throws(() => namespaceFilter(flags({ namespace: 'x', excludeNamespaces: ['y'] })), /give one or the other/);
});

test('JUnit: the root counts exactly the test cases, failures and skips its suites hold', () => {
  const r = runCli(['scan', 'examples/insecure-cluster', '-c', 'examples/kubemoat.yaml', '-f', 'junit']);
  assert.equal(r.status, 1, r.stderr);
  const root = /<testsuites name="kubemoat" tests="(\d+)" failures="(\d+)" skipped="(\d+)">/.exec(r.stdout);
  assert.ok(root);
  assert.equal(Number(root[1]), (r.stdout.match(/<testcase /g) ?? []).length);
  assert.equal(Number(root[2]), (r.stdout.match(/<failure /g) ?? []).length);
  assert.equal(Number(root[3]), (r.stdout.match(/<skipped /g) ?? []).length);
  assert.ok(Number(root[3]) > 0, 'the example config suppresses findings');
});

/** The CLI on a pseudo-terminal (util-linux `script`), as a user's shell runs it. */
function onTerminal(term: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: term };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI} scan examples/insecure-cluster --fail-on never`, '/dev/null'], { cwd: REPO_ROOT, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('colour on a terminal, none for TERM=dumb', () => {
  assert.match(onTerminal('xterm-256color'), /\x1b\[/);
  assert.doesNotMatch(onTerminal('dumb'), /\x1b\[/);
});

test('completion scripts name every command and its flags, and bash accepts the script', () => {
  const bash = runCli(['completion', 'bash']);
  assert.equal(bash.status, 0, bash.stderr);
  for (const word of ['scan', 'cluster', 'images', '--skip-rules', '--include-namespaces', 'sarif']) assert.ok(bash.stdout.includes(word), word);
  const check = spawnSync('bash', ['-n'], { input: bash.stdout, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const words = spawnSync('bash', ['-c', `${bash.stdout}\nCOMP_WORDS=(kubemoat scan -f ''); COMP_CWORD=3; _kubemoat; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
  assert.equal(words.stdout.trim(), 'table json sarif junit', `the choices of -f after scan (${words.stderr})`);
  const fish = runCli(['completion', 'fish']);
  assert.match(fish.stdout, /complete -c kubemoat -n '__fish_use_subcommand' -a scan/);
  assert.match(runCli(['completion', 'zsh']).stdout, /^#compdef kubemoat\n/);
});
