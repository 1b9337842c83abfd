// `kubemoat who-can` and `kubemoat can` on manifests, run in-process (the commands are plain
// commander Commands; main.ts only adds them).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT } from '../helpers/cli.js';
import { whoCanCommand } from '../../src/cli/who-can.js';
import { canCommand } from '../../src/cli/can.js';
import { UsageError } from '../../src/cli/exit.js';

const LAB = join(REPO_ROOT, 'lab', 'manifests', 'insecure');
const ESCALATION = join(REPO_ROOT, 'test', 'fixtures', 'rbac', 'escalation.yaml');
const SCOPING = join(REPO_ROOT, 'test', 'fixtures', 'rbac', 'scoping.yaml');

interface Run {
  out: string;
  err: string;
  code: number;
}

/** Run one command in-process, capturing what it writes and the exit code it sets. */
async function run(make: () => Command, args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await make().exitOverride().parseAsync(args, { from: 'user' });
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
  }
}

describe('who-can', () => {
  test('lists subjects with scope, binding and rule', async () => {
    const r = await run(whoCanCommand, ['get', 'secrets', '--manifests', LAB]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^Who can get secrets in any namespace or cluster-wide \(manifests .*insecure\):$/);
    assert.match(lines[1], /^SUBJECT\s+SCOPE\s+BINDING\s+ROLE RULE\s+ONLY NAMES$/);
    assert.equal(lines.length, 5);
    assert.match(r.out, /ServiceAccount lab-apps\/ci-deployer\s+cluster-wide\s+ClusterRoleBinding ci-deployer-cluster-admin\s+ClusterRole cluster-admin rules\[0\]: \* on \*\.\*/);
    assert.match(r.out, /User system:anonymous\s+cluster-wide\s+ClusterRoleBinding kubemoat-lab-anonymous-reader\s+ClusterRole kubemoat-lab-anonymous-reader rules\[1\]: get, list on secrets/);
    assert.match(r.out, /ServiceAccount lab-apps\/default\s+ns\/lab-apps\s+RoleBinding lab-apps\/wildcard-all/);
  });

  test('-n narrows to one namespace (cluster-wide grants included); JSON has locations', async () => {
    const r = await run(whoCanCommand, ['list', 'pods', '-n', 'other', '-f', 'json', '--manifests', LAB]);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as { answers: { subject: { name: string }; scope: string | null; binding: { location?: string }; rule: { location: string } }[] };
    assert.deepEqual(json.answers.map((a) => [a.subject.name, a.scope]), [['ci-deployer', null], ['system:anonymous', null]]);
    assert.match(json.answers[1].binding.location ?? '', /10-rbac\.yaml:\d+$/);
    assert.match(json.answers[1].rule.location, /10-rbac\.yaml:\d+$/);
    assert.equal(json.answers[0].rule.location, 'Kubernetes default');
  });

  test('names a missing role on stderr and still answers', async () => {
    const r = await run(whoCanCommand, ['get', 'pods/log', '--manifests', SCOPING]);
    assert.equal(r.code, 0);
    assert.match(r.out, /Group system:authenticated\s+cluster-wide/);
    assert.match(r.err, /note: RoleBinding shop\/dangling references Role shop\/gone, which does not exist/);
  });

  test('warns when a resource name is not built in', async () => {
    const r = await run(whoCanCommand, ['get', 'widgets', '--manifests', SCOPING]);
    assert.match(r.err, /`widgets` is not a built-in resource; assuming the core API group/);
    assert.match(r.out, /^nobody/m);
  });
});

describe('can', () => {
  test('lists permissions like kubectl auth can-i --list, with the escalation path', async () => {
    const r = await run(canCommand, ['sa:lab-apps/default', '--manifests', LAB]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ServiceAccount lab-apps\/default \(groups: system:serviceaccounts, system:serviceaccounts:lab-apps, system:authenticated\) may, in every namespace and cluster-wide/);
    assert.match(r.out, /ns\/lab-apps\s+\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\s+RoleBinding lab-apps\/wildcard-all → Role lab-apps\/wildcard-all rules\[0\]/);
    assert.match(r.out, /Escalation path to admin-equivalent power: sa:lab-apps\/default → create pods in ns\/lab-apps → sa:lab-apps\/ci-deployer → cluster-admin/);
  });

  test('answers yes or no for one verb and resource (exit 0 / 1), naming the grant', async () => {
    const yes = await run(canCommand, ['system:anonymous', 'list', 'secrets', '-n', 'kube-system', '--manifests', LAB]);
    assert.equal(yes.code, 0);
    assert.match(yes.out, /^yes: User system:anonymous may list secrets in namespace kube-system\n  granted by ClusterRoleBinding kubemoat-lab-anonymous-reader → ClusterRole kubemoat-lab-anonymous-reader rules\[1\]/);
    const no = await run(canCommand, ['user:kubemoat-user', 'get', 'secrets', '-n', 'lab-apps', '--manifests', LAB]);
    assert.equal(no.code, 1);
    assert.match(no.out, /^no: User kubemoat-user may not get secrets in namespace lab-apps/);
    const view = await run(canCommand, ['user:kubemoat-user', 'get', 'pods', '-n', 'lab-apps', '--manifests', LAB]);
    assert.equal(view.code, 0);
    assert.match(view.out, /granted by RoleBinding lab-apps\/kubemoat-user-view → ClusterRole view ← ClusterRole system:aggregate-to-view rules\[0\]/);
  });

  test('admin-equivalent subjects say so; groups through --group count', async () => {
    const r = await run(canCommand, ['user:boss', '--manifests', ESCALATION]);
    assert.match(r.out, /Admin-equivalent: cluster-admin \(ClusterRoleBinding prod-admin\)/);
    const member = await run(canCommand, ['user:zoe', '--group', 'devs', '-f', 'json', '--manifests', ESCALATION]);
    const json = JSON.parse(member.out) as { groups: string[]; escalationPath: { text: string } | null };
    assert.deepEqual(json.groups, ['system:authenticated', 'devs']);
    assert.equal(json.escalationPath?.text, 'user:zoe → create deployments.apps in ns/build → sa:build/deployer → create pods in ns/prod → sa:prod/prod-admin → cluster-admin');
  });

  test('bad subjects and half questions are usage errors', async () => {
    await assert.rejects(run(canCommand, ['sa:nonamespace', '--manifests', LAB]), UsageError);
    await assert.rejects(run(canCommand, ['user:a', 'get', '--manifests', LAB]), UsageError);
  });
});
