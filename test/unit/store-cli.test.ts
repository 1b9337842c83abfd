// The history store from the command line, with the built CLI, on SQLite and on a real PostgreSQL:
// scans recorded twice with a change between, `history`, `diff`, `--baseline` from the store and
// from a JSON report, detect alerts recorded before they are printed (and kept when kubemoat is
// killed), and the errors a user sees.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { freeTcpPort } from '../helpers/net.js';
import { fakeKubeletNode, HARDENED_KUBELET } from '../helpers/fake-node.js';
import { HistoryStore } from '../../src/store/store.js';
import { findDetectionRule } from '../../src/detect/rules/index.js';
import type { Report } from '../../src/core/report.js';
import type { JsonObject } from '../../src/core/json.js';
import type { RunDiff, RunRecord } from '../../src/store/store.js';
import type { HistoryView } from '../../src/store/history.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemoat-store-cli-'));
let pg: Postgres | undefined;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let made = 0;
const backends = [
  { name: 'sqlite', fresh: async () => join(dir, `history-${++made}.db`) },
  { name: 'postgres', fresh: async () => pg!.createDatabase(`cli_${++made}`) },
];

const pod = (name: string, spec: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop}
spec:
${spec}
`;
const PRIVILEGED = pod('web', '  containers:\n    - name: c\n      image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000\n      securityContext: {privileged: true}');
const PLAIN = pod('web', '  containers:\n    - name: c\n      image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000');
const HOST_NETWORK = pod('api', '  hostNetwork: true\n  containers:\n    - name: c\n      image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000');

const json = <T>(text: string): T => JSON.parse(text) as T;
/** The report without what differs from one run to the next. */
const comparable = (r: Report): Omit<Report, 'startedAt'> => {
  const { startedAt: _startedAt, ...rest } = r;
  return rest;
};
const rules = (list: { ruleId: string }[]): string[] => [...new Set(list.map((f) => f.ruleId))].sort();

for (const backend of backends) {
  describe(`kubemoat scan --store, history, diff, --baseline on ${backend.name}`, () => {
    test('two scans with a change between: output and exit code as without a store; history and diff tell what changed', async () => {
      const store = await backend.fresh();
      const manifests = join(dir, `manifests-${backend.name}`);
      mkdirSync(manifests);
      writeFileSync(join(manifests, 'web.yaml'), PRIVILEGED);
      const plain = runCli(['scan', manifests, '-f', 'json']);
      const first = runCli(['scan', manifests, '-f', 'json', '--store', store]);
      assert.equal(first.status, plain.status, first.stderr);
      assert.equal(first.status, 1, 'the privileged pod fails the scan');
      assert.deepEqual(comparable(json<Report>(first.stdout)), comparable(json<Report>(plain.stdout)));
      assert.match(first.stderr, /kubemoat: recorded run 1 \(scan .*manifests-\w+, complete\): \d+ findings; the first of its kind and scope in /);
      assert.ok(!first.stderr.includes(pg!.password), 'the password is never printed');
      const firstReport = json<Report>(first.stdout);
      writeFileSync(join(dir, `first-${backend.name}.json`), first.stdout);

      // fix the privileged container, add a pod on the host's network
      writeFileSync(join(manifests, 'web.yaml'), PLAIN);
      writeFileSync(join(manifests, 'api.yaml'), HOST_NETWORK);
      const second = runCli(['scan', manifests, '-f', 'json', '--store', store]);
      const secondReport = json<Report>(second.stdout);
      assert.match(second.stderr, /recorded run 2 .*against run 1: \d+ new, \d+ fixed/);

      const history = runCli(['history', '--store', store, '-f', 'json']);
      assert.equal(history.status, 0, history.stderr);
      const view = json<HistoryView & { store: string }>(history.stdout);
      assert.deepEqual(view.runs.map((r) => [r.id, r.kind, r.status]), [[2, 'scan', 'complete'], [1, 'scan', 'complete']]);
      const fixedRules = rules(firstReport.findings.filter((f) => !secondReport.findings.some((g) => g.fingerprint === f.fingerprint)));
      const newRules = rules(secondReport.findings.filter((f) => !firstReport.findings.some((g) => g.fingerprint === f.fingerprint)));
      assert.ok(fixedRules.includes('KM-WL-001'), `privileged is fixed: ${fixedRules}`);
      assert.ok(newRules.includes('KM-WL-004'), `host network is new: ${newRules}`);
      assert.equal(view.runs[0].newCount, secondReport.findings.filter((f) => !firstReport.findings.some((g) => g.fingerprint === f.fingerprint)).length);
      assert.equal(view.runs[0].fixedCount, firstReport.findings.filter((f) => !secondReport.findings.some((g) => g.fingerprint === f.fingerprint)).length);
      assert.equal(view.runs[0].bySeverity.high + view.runs[0].bySeverity.critical, secondReport.summary.bySeverity.high + secondReport.summary.bySeverity.critical);

      const table = runCli(['history', '--store', store, '--by', 'namespace']);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /^RUN +STARTED \(UTC\) +KIND +STATUS +CRIT +HIGH +MED +LOW +INFO +SUPP +NEW +FIXED +SCOPE$/m);
      assert.match(table.stdout, new RegExp(`^ +2 +\\S+ \\S+ +scan +complete( +\\d+){6} +${view.runs[0].newCount} +${view.runs[0].fixedCount} +.*manifests-`, 'm'));
      assert.match(table.stdout, /^shop +\d+ +\d+ +[+-]?\d+$/m);

      const diff = runCli(['diff', 'latest~1', 'latest', '--store', store, '-f', 'json']);
      assert.equal(diff.status, 0, diff.stderr);
      const d = json<RunDiff>(diff.stdout);
      assert.deepEqual([d.from.id, d.to.id], [1, 2]);
      assert.deepEqual(rules(d.fixed), fixedRules);
      assert.deepEqual(rules(d.new), newRules);
      assert.equal(d.open.length + d.new.length, secondReport.findings.length);
      const diffTable = runCli(['diff', '1', '2', '--store', store]);
      assert.match(diffTable.stdout, /^Fixed: \d+$/m);
      assert.match(diffTable.stdout, /^  (critical|high) +KM-WL-001 +shop\/Pod\/web \[c\]/m);

      // a baseline: the newest run of the store, then last release's JSON report as a file
      writeFileSync(join(manifests, 'db.yaml'), pod('db', '  hostPID: true\n  containers:\n    - name: c\n      image: postgres@sha256:0000000000000000000000000000000000000000000000000000000000000000'));
      const third = json<Report>(runCli(['scan', manifests, '-f', 'json']).stdout);
      const inSecond = (f: { fingerprint: string }): boolean => secondReport.findings.some((g) => g.fingerprint === f.fingerprint);
      const againstStore = runCli(['scan', manifests, '-f', 'json', '--store', store, '--baseline', 'latest']);
      const onlyNew = json<Report>(againstStore.stdout);
      assert.deepEqual(onlyNew.findings.map((f) => f.fingerprint), third.findings.filter((f) => !inSecond(f)).map((f) => f.fingerprint));
      assert.ok(onlyNew.findings.some((f) => f.resource?.name === 'db'), 'the hostPID pod is new');
      assert.equal(onlyNew.summary.inBaseline, third.findings.filter(inSecond).length);
      assert.match(againstStore.stderr, /--baseline run 2 \(latest\): \d+ finding\(s\) already in it not reported/);
      assert.equal(againstStore.status, onlyNew.findings.some((f) => f.severity === 'high' || f.severity === 'critical') ? 1 : 0);
      const againstFile = runCli(['scan', manifests, '-f', 'json', '--baseline', join(dir, `first-${backend.name}.json`)]);
      const sinceFirst = json<Report>(againstFile.stdout);
      assert.deepEqual(sinceFirst.findings.map((f) => f.fingerprint), third.findings.filter((f) => !firstReport.findings.some((g) => g.fingerprint === f.fingerprint)).map((f) => f.fingerprint));
      // run 3 was recorded whole, whatever the baseline hid
      const runs = json<{ runs: RunRecord[] }>(runCli(['history', '--store', store, '-f', 'json', '--limit', '1']).stdout).runs;
      assert.equal(runs[0].id, 3);
      assert.equal(Object.values(runs[0].bySeverity).reduce((a, b) => a + b, 0), third.findings.length);
    });

    test('KUBEMOAT_STORE names the store when --store is not given', async () => {
      const store = await backend.fresh();
      const r = runCli(['scan', '-', '-f', 'json'], { input: PRIVILEGED, env: { KUBEMOAT_STORE: backend.name === 'sqlite' ? `sqlite:${store}` : store } });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /recorded run 1 \(scan stdin, complete\)/);
      const h = runCli(['history', '-f', 'json', '--kind', 'scan'], { env: { KUBEMOAT_STORE: store } });
      assert.equal(json<{ runs: RunRecord[] }>(h.stdout).runs[0].scope, 'stdin');
    });

    test('detect --store: each alert is in the store before it is printed; killed, it keeps every alert it printed', async () => {
      const store = await backend.fresh();
      const log = join(dir, `audit-${backend.name}.log`);
      writeFileSync(log, '');
      const trigger = findDetectionRule('KM-DT-001')!.examples.trigger[0];
      const exec = (Array.isArray(trigger) ? trigger[trigger.length - 1] : trigger) as JsonObject;
      const child = spawn(process.execPath, [CLI, 'detect', log, '--follow', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
      const printed: string[] = [];
      let rest = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (c: string) => {
        const parts = (rest + c).split('\n');
        rest = parts.pop() ?? '';
        printed.push(...parts.filter(Boolean).map((l) => String((JSON.parse(l) as { auditID: string }).auditID)));
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let n = 0;
      const deadline = Date.now() + 30_000;
      while (printed.length < 15) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `detect printed ${printed.length} alerts: ${stderr}`);
        appendFileSync(log, Array.from({ length: 5 }, () => JSON.stringify({ ...exec, auditID: `exec-${++n}` })).join('\n') + '\n');
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      assert.equal(await exited, null);
      const history = await HistoryStore.open(backend.name === 'sqlite' ? `sqlite:${store}` : store, { create: false });
      try {
        const [run] = await history.runs({ kind: 'detect' });
        assert.equal(run.status, 'running');
        assert.equal(run.scope, `file ${log}`);
        const recorded = new Set((await history.alerts(run.id)).map((a) => (a.source === 'audit' ? a.auditID : '')));
        for (const id of printed) assert.ok(recorded.has(id), `printed alert ${id} is in the store`);
      } finally {
        await history.close();
      }
    });
  });
}

describe('node --every --store: one recorded run per round', () => {
  test('fixing the node between rounds shows the finding fixed in the next recorded run', async () => {
    const node = fakeKubeletNode();
    const store = join(dir, 'every.db');
    const child = spawn(process.execPath, [CLI, 'node', '--root', node.root, '--all-netns', '-f', 'json', '--every', '1s', '--store', store], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const recorded = (): number => (stderr.match(/kubemoat: recorded run \d+ \(node /g) ?? []).length;
    const waitFor = async (n: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (recorded() < n) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `${recorded()} runs recorded: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(1);
      node.file('etc/kubernetes/kubelet.yaml', HARDENED_KUBELET);
      await waitFor(3);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    rmSync(node.root, { recursive: true, force: true });
    const runs = json<{ runs: RunRecord[] }>(runCli(['history', '--store', store, '-f', 'json', '--kind', 'node']).stdout).runs.reverse();
    assert.ok(runs.length >= 3);
    assert.ok(runs.every((r) => r.status === 'complete' && r.scope === runs[0].scope));
    // the run that first saw the hardened kubelet calls the anonymous kubelet (KM-KL-001) fixed
    const fixedRun = runs.find((r) => r.fixedCount > 0);
    assert.ok(fixedRun, JSON.stringify(runs.map((r) => [r.id, r.newCount, r.fixedCount])));
    const diff = json<RunDiff>(runCli(['diff', String(fixedRun.previousRunId), String(fixedRun.id), '--store', store, '-f', 'json']).stdout);
    assert.ok(diff.fixed.some((f) => f.ruleId === 'KM-KL-001'), JSON.stringify(diff.fixed.map((f) => f.ruleId)));
    assert.ok(!diff.new.some((f) => f.ruleId === 'KM-KL-001'));
    // and runs after it have nothing new or fixed
    for (const later of runs.filter((r) => r.id > fixedRun.id)) assert.deepEqual([later.newCount, later.fixedCount], [0, 0]);
  });
});

describe('history store errors on the command line', () => {
  test('an unreachable PostgreSQL: exit 2, the store named without its password, nothing scanned', async () => {
    const port = await freeTcpPort();
    const r = runCli(['scan', '-', '--store', `postgres://kubemoat:Sup3r-secret@127.0.0.1:${port}/history`], { input: PRIVILEGED });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^kubemoat: store postgres://kubemoat:\\[redacted\\]@127\\.0\\.0\\.1:${port}/history: cannot connect: .*ECONNREFUSED`));
    assert.ok(!r.stderr.includes('Sup3r-secret'));
  });

  test('a wrong password from the environment: exit 2, redacted', async () => {
    const url = (await pg!.createDatabase('cli_wrong_pw')).replace(encodeURIComponent(pg!.password), 'wr0ng-Passw0rd');
    const r = runCli(['history'], { env: { KUBEMOAT_STORE: url } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /password authentication failed/);
    assert.ok(!r.stderr.includes('wr0ng-Passw0rd'), r.stderr);
  });

  test('history and diff need a store that exists; --baseline latest needs a store; a bad baseline file is named', () => {
    const missing = join(dir, 'no-such.db');
    const none = runCli(['history'], { env: { KUBEMOAT_STORE: '' } });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /history reads the history store: give --store URL or set KUBEMOAT_STORE/);
    const absent = runCli(['diff', '1', '2', '--store', missing]);
    assert.equal(absent.status, 2);
    assert.match(absent.stderr, /no such store file/);
    const noStore = runCli(['scan', '-', '--baseline', 'latest'], { input: PLAIN, env: { KUBEMOAT_STORE: '' } });
    assert.equal(noStore.status, 2);
    assert.match(noStore.stderr, /--baseline latest names a run in the history store/);
    writeFileSync(join(dir, 'not-a-report.json'), '{"tool":"other"}');
    const bad = runCli(['scan', '-', '--baseline', join(dir, 'not-a-report.json')], { input: PLAIN });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not-a-report\.json: not a kubemoat JSON report/);
    const ref = runCli(['diff', 'yesterday', 'latest', '--store', missing]);
    assert.equal(ref.status, 2);
    assert.match(ref.stderr, /"yesterday" is not a run/);
    const unknown = runCli(['scan', '-', '--store', 'redis://127.0.0.1/0'], { input: PLAIN });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown kind of store "redis:"/);
  });

  test('--baseline latest on a store without an earlier run: every finding is new, said on stderr', () => {
    const store = join(dir, 'first-run.db');
    const r = runCli(['scan', '-', '-f', 'json', '--store', store, '--baseline', 'latest'], { input: PRIVILEGED });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--baseline latest: sqlite:.*first-run\.db has no finished scan run of stdin yet; every finding is new/);
    assert.ok(json<Report>(r.stdout).findings.some((f) => f.ruleId === 'KM-WL-001'));
  });
});
