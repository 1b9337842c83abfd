// `kubemoat detect` as a user runs it: a file read once, stdin, malformed lines named by file and
// line, exit codes, allow-lists from .kubemoat.yaml, and every sink against a real receiver:
// rsyslog (UDP and TCP) on loopback, an HTTP server for the webhook sink, the metrics endpoint.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { run } from '../helpers/lab.js';
import { startDetector } from '../helpers/detect.js';
import { startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';
import { findDetectionRule } from '../../src/detect/rules/index.js';
import type { AuditAlert as Alert } from '../../src/detect/alert.js';
import type { JsonObject } from '../../src/core/json.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemoat-detect-cli-'));
const first = (id: string): JsonObject => {
  const c = findDetectionRule(id)!.examples.trigger[0];
  return (Array.isArray(c) ? c[c.length - 1] : c) as JsonObject;
};
const EXEC = first('KM-DT-001');
const PRIV = first('KM-DT-006');
const ANON = first('KM-DT-005');
const quiet = findDetectionRule('KM-DT-001')!.examples.ignore[1] as JsonObject;
const LOG = [JSON.stringify(EXEC), '{"kind":"Event", broken', JSON.stringify(quiet), JSON.stringify(PRIV), '', JSON.stringify(ANON)].join('\n') + '\n';
const file = join(dir, 'audit.log');
writeFileSync(file, LOG);

// the exec, the privileged hostPID pod (privileged + host namespaces), the anonymous secrets list by curl
const ALL = ['KM-DT-001', 'KM-DT-005', 'KM-DT-006', 'KM-DT-008', 'KM-DT-016', 'KM-DT-024'];
const alertsOf = (stdout: string): Alert[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert);

after(() => rmSync(dir, { recursive: true, force: true }));

describe('kubemoat detect FILE / stdin', () => {
  test('a file read once: one JSON alert per line, the malformed line named, exit 0', () => {
    const r = runCli(['detect', file]);
    assert.equal(r.status, 0, r.stderr);
    const alerts = alertsOf(r.stdout);
    assert.deepEqual(alerts.map((a) => a.ruleId).sort(), ALL);
    assert.equal(alerts.find((a) => a.ruleId === 'KM-DT-001')?.auditID, EXEC.auditID);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:2: not JSON`));
    assert.match(r.stderr, /4 events, 6 alerts .*1 malformed/);
  });

  test('stdin gives the same alerts; --fail-on high exits 1; --severity critical keeps only critical', () => {
    const r = runCli(['detect', '-', '--fail-on', 'high'], { input: LOG });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(alertsOf(r.stdout).length, 6);
    const crit = runCli(['detect', file, '--severity', 'critical']);
    assert.deepEqual(alertsOf(crit.stdout).map((a) => a.ruleId), ['KM-DT-006']);
  });

  test('allow-lists in .kubemoat.yaml silence a rule for a user, counted in the summary; a bad config is exit 2 naming the file', () => {
    const cfg = join(dir, 'allow.yaml');
    writeFileSync(cfg, 'detect:\n  allow:\n    - rule: KM-DT-001\n      users: ["kubemoat-*"]\n      reason: the lab admin debugs pods\n');
    const r = runCli(['detect', file, '-c', cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!alertsOf(r.stdout).some((a) => a.ruleId === 'KM-DT-001'));
    assert.ok(alertsOf(r.stdout).some((a) => a.ruleId === 'KM-DT-006'), 'other rules still alert');
    assert.match(r.stderr, /1 allow-listed/);
    writeFileSync(cfg, 'detect:\n  allow:\n    - rule: KM-DT-001\n      users: [x]\n');
    const bad = runCli(['detect', file, '-c', cfg]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /allow\.yaml:3:7: detect\.allow\[0\] needs a `reason`/);
  });

  test('an allow-list rule glob silences exactly the rules it matches, counted', () => {
    const cfg = join(dir, 'allow-glob.yaml');
    writeFileSync(cfg, "detect:\n  allow:\n    - rule: KM-DT-00*\n      users: ['*']\n      reason: the lab replays these\n");
    const r = runCli(['detect', file, '-c', cfg]);
    assert.equal(r.status, 0, r.stderr);
    const expected = ALL.filter((id) => !id.startsWith('KM-DT-00'));
    assert.ok(expected.length > 0 && expected.length < ALL.length);
    assert.deepEqual(alertsOf(r.stdout).map((a) => a.ruleId).sort(), expected);
    assert.match(r.stderr, new RegExp(`${ALL.length - expected.length} allow-listed`));
  });

  test('usage errors and unreadable input are exit 2', () => {
    assert.equal(runCli(['detect']).status, 2);
    assert.equal(runCli(['detect', '-F', '-']).status, 2);
    const missing = runCli(['detect', join(dir, 'nope.log')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope\.log/);
    assert.match(runCli(['detect', file, '--rules', 'KM-DT-999']).stderr, /no detection rule KM-DT-999/);
  });

  test('--list-rules lists every rule with its ATT&CK ids', () => {
    const r = runCli(['detect', '--list-rules', '--format', 'json']);
    const rules = JSON.parse(r.stdout) as { id: string; mitre: string[] }[];
    assert.ok(rules.length >= 28 && rules.every((x) => x.mitre.length > 0));
  });
});

describe('sinks', () => {
  let rsyslog: Rsyslog;
  before(async () => {
    rsyslog = await startRsyslog();
  });
  after(async () => {
    await rsyslog?.stop();
  });

  test('syslog RFC 5424 over UDP and TCP, received and parsed by a real rsyslog', async () => {
    const r = await run(process.execPath, [CLI, 'detect', file, '--no-stdout', '--syslog', `udp://127.0.0.1:${rsyslog.udpPort}`, '--syslog', `tcp://127.0.0.1:${rsyslog.tcpPort}`, '--syslog-facility', 'local3'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length < 12; i++) {
      await new Promise((res) => setTimeout(res, 100));
      lines = rsyslog.lines();
    }
    assert.equal(lines.length, 12, lines.join('\n'));
    for (const input of ['imudp', 'imtcp']) {
      const got = lines.filter((l) => l.startsWith(`${input}|`));
      assert.equal(got.length, 6, `${input}: ${got.join('\n')}`);
      const exec = got.find((l) => l.split('|')[6] === 'KM-DT-001');
      assert.ok(exec, got.join('\n'));
      const [, pri, version, , app, procid, msgid, sd] = exec.split('|');
      assert.equal(Number(pri), 19 * 8 + 3, 'local3.err for a high alert');
      assert.equal(version, '1');
      assert.equal(app, 'kubemoat');
      assert.match(procid, /^\d+$/);
      assert.equal(msgid, 'KM-DT-001');
      assert.match(sd, new RegExp(`^\\[kubemoat@32473 rule="KM-DT-001" severity="high" auditID="${String(EXEC.auditID)}" user="kubemoat-admin" mitre="T1609" sourceIP="10.77.1.10"\\]$`));
      const msg = exec.split('|').slice(8).join('|');
      const alert = JSON.parse(msg) as Alert;
      assert.equal(alert.auditID, EXEC.auditID);
      assert.equal(Number(got.find((l) => l.split('|')[6] === 'KM-DT-006')!.split('|')[1]), 19 * 8 + 2, 'critical maps to crit');
    }
  });

  test('webhook POSTs each alert as JSON', async () => {
    const bodies: Alert[] = [];
    const server: Server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        assert.equal(req.headers['content-type'], 'application/json');
        bodies.push(JSON.parse(b) as Alert);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const r = await run(process.execPath, [CLI, 'detect', file, '--no-stdout', '--webhook', `http://127.0.0.1:${port}/hook`], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    server.close();
    assert.deepEqual(bodies.map((b) => b.ruleId).sort(), ALL);
    const dead = await run(process.execPath, [CLI, 'detect', file, '--no-stdout', '--webhook', `http://127.0.0.1:${port}/hook`], { timeoutMs: 60_000 });
    assert.equal(dead.code, 0);
    assert.match(dead.stderr, /webhook http:\/\/127\.0\.0\.1:\d+\/hook: 6 alerts could not be delivered/);
  });

  test('follow mode with metrics: events, alerts by rule, malformed, lag', async () => {
    const followed = join(dir, 'followed.log');
    writeFileSync(followed, '');
    const d = await startDetector([followed, '-F', '--from-start', '--metrics', '127.0.0.1:0'], { readyText: '/metrics' });
    try {
      const port = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(d.stderr())?.[1]);
      appendFileSync(followed, LOG);
      assert.ok(await d.waitFor((a) => a.ruleId === 'KM-DT-005', 10_000));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /^kubemoat_detect_events_total 4$/m);
      assert.match(text, /^kubemoat_detect_alerts_total\{rule="KM-DT-001"\} 1$/m);
      assert.match(text, /^kubemoat_detect_malformed_total 1$/m);
      assert.match(text, /^kubemoat_detect_dropped_total 0$/m);
      assert.match(text, /^# TYPE kubemoat_detect_lag_seconds gauge$/m);
      assert.match(text, /^kubemoat_detect_sink_failed_total\{sink="stdout"\} 0$/m);
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0);
    }
  });
});

describe('small defects', () => {
  test('--queue-size abc is exit 2 with one line, whatever the input', () => {
    for (const args of [['detect', file, '--queue-size', 'abc'], ['detect', '--listen', '127.0.0.1:0', '--queue-size', 'abc'], ['detect', file, '--max-body-bytes', '0']]) {
      const r = runCli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^kubemoat: --(queue-size|max-body-bytes) needs a positive whole number/);
    }
  });

  test('KM-DT-030 on events without timestamps names no empty time', () => {
    const c = findDetectionRule('KM-DT-030')!.examples.trigger[0] as readonly JsonObject[];
    const bare = c.map((e) => {
      const { stageTimestamp: _s, requestReceivedTimestamp: _r, ...rest } = e;
      return JSON.stringify(rest);
    });
    const r = runCli(['detect', '-', '--rules', 'KM-DT-030'], { input: bare.join('\n') + '\n' });
    const [a] = alertsOf(r.stdout);
    assert.ok(a, r.stderr);
    assert.match(a.message, /after 10 denied requests$/);
  });
});

describe('syslog over TCP to a server that never closes', () => {
  test('a batch run delivers every alert and exits without waiting for the server', async () => {
    const { createServer: tcpServer } = await import('node:net');
    let received = '';
    const sockets: import('node:net').Socket[] = [];
    // a SIEM: reads everything, never ends the connection
    const server = tcpServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => (received += d.toString()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const started = Date.now();
      const r = await run(process.execPath, [CLI, 'detect', file, '--no-stdout', '--syslog', `tcp://127.0.0.1:${port}`], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
      assert.doesNotMatch(r.stderr, /could not be delivered/);
      for (let i = 0; i < 50 && (received.match(/<\d+>1 /g) ?? []).length < 6; i++) await new Promise((res) => setTimeout(res, 20));
      assert.equal((received.match(/<\d+>1 /g) ?? []).length, 6, received);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('a server that stops reading: close gives up after its bound and counts what it could not deliver', async () => {
    const { createServer: tcpServer } = await import('node:net');
    const { SyslogSink } = await import('../../src/detect/sinks/syslog.js');
    const { toAlert } = await import('../../src/detect/alert.js');
    const { toAuditEvent } = await import('../../src/sources/audit/event.js');
    const sockets: import('node:net').Socket[] = [];
    const server = tcpServer((s) => {
      sockets.push(s);
      s.pause(); // never reads: the kernel buffers fill, then nothing more can be written
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const notes: string[] = [];
      const sink = new SyslogSink({ protocol: 'tcp', host: '127.0.0.1', port }, 'authpriv', (m) => notes.push(m), 300);
      const rule = findDetectionRule('KM-DT-001')!;
      const e = toAuditEvent(EXEC);
      assert.ok(typeof e !== 'string');
      const big = toAlert(rule, { message: 'x'.repeat(16_000) }, e, Date.now());
      await new Promise((r) => setTimeout(r, 100)); // connected
      for (let i = 0; i < 3000; i++) sink.send(big); // ~48 MB, far more than loopback buffers hold
      const t = Date.now();
      await sink.close();
      assert.ok(Date.now() - t < 3000, `close took ${Date.now() - t} ms`);
      assert.ok(sink.failed > 0 && sink.failed < 3000, `failed ${sink.failed}`);
      assert.ok(notes.some((n) => /alerts still queued after 0\.3 s/.test(n)), notes.join('\n'));
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
