// The same thing has the same flag on every command: each command's real commander definition
// parses the common names (its action replaced, so nothing runs), and the old names still work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { scanCommand } from '../../src/cli/scan.js';
import { clusterCommand } from '../../src/cli/cluster.js';
import { nodeCommand } from '../../src/cli/node.js';
import { probeCommand } from '../../src/cli/probe.js';
import { imagesCommand } from '../../src/cli/images.js';
import { detectCommand } from '../../src/cli/detect.js';
import { netpolCommand } from '../../src/cli/netpol.js';
import { whoCanCommand } from '../../src/cli/who-can.js';
import { canCommand } from '../../src/cli/can.js';
import { rulesCommand } from '../../src/cli/rules.js';
import { historyCommand } from '../../src/cli/history.js';
import { diffCommand } from '../../src/cli/diff.js';

interface Subject {
  name: string;
  make: () => Command;
  /** the arguments the command requires */
  args: string[];
}

const REPORTS: Subject[] = [
  { name: 'scan', make: scanCommand, args: ['k8s/'] },
  { name: 'cluster', make: clusterCommand, args: [] },
  { name: 'node', make: nodeCommand, args: [] },
  { name: 'probe', make: probeCommand, args: ['127.0.0.1'] },
  { name: 'images', make: imagesCommand, args: [] },
];
const DETECT: Subject = { name: 'detect', make: detectCommand, args: ['audit.log'] };
const ANSWERS: Subject[] = [
  { name: 'netpol', make: netpolCommand, args: [] },
  { name: 'who-can', make: whoCanCommand, args: ['get', 'pods'] },
  { name: 'can', make: canCommand, args: ['sa:ci/deployer'] },
  { name: 'rules', make: rulesCommand, args: [] },
  { name: 'history', make: historyCommand, args: [] },
  { name: 'diff', make: diffCommand, args: ['latest~1', 'latest'] },
];
const ALL = [...REPORTS, DETECT, ...ANSWERS];
const byName = (...names: string[]): Subject[] => names.map((n) => ALL.find((s) => s.name === n)!);

/** The options `flags` parse to on the command, as a user typing them would get them. */
async function parsed(subject: Subject, flags: string[]): Promise<Record<string, unknown>> {
  const cmd = subject.make();
  let options: Record<string, unknown> | undefined;
  cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.action((...received: unknown[]) => {
    options = (received.at(-1) as Command).opts();
  });
  await cmd.parseAsync([...subject.args, ...flags], { from: 'user' });
  assert.ok(options, `${subject.name} ${flags.join(' ')}: the action was reached`);
  return options;
}

const COMMON: { flags: string[]; on: Subject[]; expect: Record<string, unknown> }[] = [
  { flags: ['-f', 'table'], on: [...REPORTS, DETECT, ...ANSWERS], expect: { format: 'table' } },
  { flags: ['--format', 'json'], on: [...REPORTS, DETECT, ...ANSWERS], expect: { format: 'json' } },
  { flags: ['-o', 'out.txt'], on: [...REPORTS, ...ANSWERS], expect: { output: 'out.txt' } },
  { flags: ['-s', 'high', '--fail-on', 'never'], on: [...REPORTS, DETECT], expect: { severity: 'high', failOn: 'never' } },
  { flags: ['-c', 'k.yaml'], on: [...REPORTS, DETECT], expect: { config: 'k.yaml' } },
  { flags: ['--rules', 'KM-A-1,KM-B-2', '--rules', 'KM-C-3', '--skip-rules', 'KM-D-4'], on: [...REPORTS, DETECT], expect: { rules: ['KM-A-1', 'KM-B-2', 'KM-C-3'], skipRules: ['KM-D-4'] } },
  { flags: ['--timeout', '5s'], on: byName('cluster', 'probe', 'images', 'netpol', 'who-can', 'can'), expect: { timeout: 5000 } },
  { flags: ['-n', 'shop'], on: byName('cluster', 'images', 'netpol', 'who-can', 'can'), expect: { namespace: 'shop' } },
  { flags: ['-A'], on: byName('cluster', 'images'), expect: { allNamespaces: true } },
  { flags: ['--context', 'prod'], on: byName('cluster', 'probe', 'images', 'netpol', 'who-can', 'can'), expect: { context: 'prod' } },
  { flags: ['--kubeconfig', 'kc'], on: byName('cluster', 'node', 'images', 'netpol', 'who-can', 'can'), expect: { kubeconfig: 'kc' } },
  { flags: ['--no-progress'], on: byName('cluster', 'probe', 'images'), expect: { progress: false } },
  { flags: ['--store', 'sqlite:h.db'], on: [...REPORTS, DETECT, ...byName('history', 'diff')], expect: { store: 'sqlite:h.db' } },
];

for (const { flags, on, expect } of COMMON) {
  test(`${flags.join(' ')} on ${on.map((s) => s.name).join(', ')}`, async () => {
    for (const subject of on) {
      const options = await parsed(subject, flags);
      for (const [key, value] of Object.entries(expect)) assert.deepEqual(options[key], value, `${subject.name} ${flags.join(' ')}: ${key}`);
    }
  });
}

test('--compliance on the commands whose findings come from the rule catalogue', async () => {
  for (const subject of byName('scan', 'cluster', 'node')) assert.equal((await parsed(subject, ['--compliance', 'nsa'])).compliance, 'nsa');
});

test('old names still work, out of the help: detect --disable, netpol -f text, node --cis text, images db status --json', async () => {
  assert.deepEqual((await parsed(DETECT, ['--disable', 'KM-DT-041'])).disable, ['KM-DT-041']);
  assert.doesNotMatch(detectCommand().helpInformation(), /--disable/);
  assert.equal((await parsed(byName('netpol')[0], ['-f', 'text'])).format, 'table');
  assert.equal((await parsed(byName('node')[0], ['--cis', 'text'])).cis, 'table');
  assert.equal((await parsed(byName('node')[0], ['--cis', 'json'])).cis, 'json');
  const status = imagesCommand().commands.find((c) => c.name() === 'db')!.commands.find((c) => c.name() === 'status')!;
  assert.ok(status.options.some((o) => o.long === '--json' && o.hidden), '--json is kept, hidden');
  assert.ok(status.options.some((o) => o.long === '--format' && !o.hidden));
});

test('a value outside the choices is refused, naming the choices', async () => {
  await assert.rejects(parsed(byName('netpol')[0], ['-f', 'yaml']), /Allowed choices are table, json/);
  await assert.rejects(parsed(byName('scan')[0], ['-f', 'yaml']), /Allowed choices are table, json, sarif, junit/);
});
