// Audit inputs: the line splitter (chunk boundaries, multi-byte characters, oversized lines), the
// tail -F follower (appends, rotation, truncation, a file that appears late), the webhook receiver
// (EventList, single Event, garbage, oversized bodies, a full queue), and the detector's handling of
// stages, malformed events and repeats.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { LineSplitter } from '../../src/sources/audit/lines.js';
import { follow } from '../../src/sources/audit/file.js';
import { eventsOfBody, parseListen, startWebhook } from '../../src/sources/audit/webhook.js';
import { toAuditEvent } from '../../src/sources/audit/event.js';
import { Detector } from '../../src/detect/engine.js';
import { detectionRules } from '../../src/detect/rules/index.js';
import { DEFAULT_DETECTION_SETTINGS } from '../../src/detect/rule.js';
import type { AuditAlert as Alert } from '../../src/detect/alert.js';
import { auditEvent, ADMIN, ANONYMOUS } from '../../src/detect/rules/examples.js';
import type { JsonObject } from '../../src/core/json.js';

function collect(max = 1000): { lines: string[]; oversized: number[]; splitter: LineSplitter } {
  const lines: string[] = [];
  const oversized: number[] = [];
  const splitter = new LineSplitter({ line: (l) => lines.push(l), oversized: (n) => oversized.push(n) }, max);
  return { lines, oversized, splitter };
}

describe('line splitter', () => {
  test('lines cut across chunks at every byte, with multi-byte characters, CRLF and no final newline', () => {
    const text = '{"a":"é€😀"}\n{"b":2}\r\n\n{"c":"ü"}';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { lines, splitter } = collect();
      splitter.push(bytes.subarray(0, cut));
      splitter.push(bytes.subarray(cut));
      splitter.end();
      assert.deepEqual(lines.map((l) => l.replace(/\r$/, '')), ['{"a":"é€😀"}', '{"b":2}', '{"c":"ü"}'], `cut at ${cut}`);
    }
  });

  test('an oversized line is skipped and counted, inside one chunk and spread over many', () => {
    const { lines, oversized, splitter } = collect(10);
    splitter.push(Buffer.from('short\n' + 'x'.repeat(25) + '\nafter\n'));
    splitter.push(Buffer.from('y'.repeat(8)));
    splitter.push(Buffer.from('y'.repeat(8)));
    splitter.push(Buffer.from('y'.repeat(8) + '\nlast\n'));
    splitter.end();
    assert.deepEqual(lines, ['short', 'after', 'last']);
    assert.deepEqual(oversized, [25, 24]);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn() && Date.now() < end) await sleep(20);
}

describe('follow (tail -F)', () => {
  test('appends, rotation (rest of the old file first), truncation, and a file that appears late', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemoat-follow-'));
    const path = join(dir, 'audit.log');
    writeFileSync(path, 'old-1\nold-2\n');
    const lines: string[] = [];
    const notes: string[] = [];
    const stop = new AbortController();
    // a failed assertion must not leave the follower polling (the test process would never end)
    t.after(() => stop.abort());
    let idle = 0;
    const done = follow(path, { line: (l) => lines.push(l), oversized: () => undefined }, { fromStart: false, pollMs: 20, maxLineChars: 1000, signal: stop.signal, note: (m) => notes.push(m), idle: () => idle++ });
    // write only once the follower has found the file's end (a fixed sleep loses the race on a loaded machine)
    await until(() => idle > 0);
    appendFileSync(path, 'a1\na2');
    await until(() => lines.includes('a1'));
    appendFileSync(path, '-end\n');
    await until(() => lines.includes('a2-end'));
    assert.deepEqual(lines, ['a1', 'a2-end'], 'starts at the end, a line split over two writes is whole');
    // rotation: a last line lands in the old file after the rename, then the new file starts
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'late-in-old\n');
    writeFileSync(path, 'new-1\n');
    await until(() => lines.includes('new-1'));
    assert.deepEqual(lines.slice(2), ['late-in-old', 'new-1']);
    // truncation
    await sleep(50);
    truncateSync(path, 0);
    await sleep(100);
    appendFileSync(path, 't1\n');
    await until(() => lines.includes('t1'));
    // gone, then back
    rmSync(path);
    rmSync(`${path}.1`);
    await sleep(100);
    writeFileSync(path, 'back\n');
    await until(() => lines.includes('back'));
    stop.abort();
    await done;
    assert.deepEqual(lines, ['a1', 'a2-end', 'late-in-old', 'new-1', 't1', 'back']);
    assert.ok(notes.some((n) => /rotated/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /truncated/.test(n)), notes.join('\n'));
    rmSync(dir, { recursive: true, force: true });
  });
});

function post(port: number, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('webhook receiver', () => {
  test('EventList batches and single events are queued; garbage, oversized bodies and a full queue are refused and counted', async () => {
    const accepted: unknown[] = [];
    const drops: [number, string][] = [];
    const bad: string[] = [];
    let queued = 0;
    const server = await startWebhook({
      host: '127.0.0.1', port: 0, path: '/audit', maxBodyBytes: 4096, queueLimit: 5,
      accept: (items) => { accepted.push(...items); queued += items.length; },
      queued: () => queued,
      onDrop: (n, why) => drops.push([n, why]),
      onBadRequest: (why) => bad.push(why),
    });
    const port = Number(server.address.split(':').pop());
    const ev = (i: number) => auditEvent({ verb: 'get', uri: `/api/v1/pods/${i}`, resource: 'pods', user: ADMIN, auditID: `00000000-0000-0000-0000-00000000000${i}` });
    assert.equal((await post(port, '/audit', JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [ev(1), ev(2)] }))).status, 200);
    assert.equal((await post(port, '/audit', JSON.stringify(ev(3)))).status, 200);
    assert.equal(accepted.length, 3);
    assert.equal((await post(port, '/audit', '{"kind":"EventList","items":[')).status, 400);
    assert.equal((await post(port, '/audit', '{"kind":"Pod"}')).status, 400);
    assert.equal((await post(port, '/other', '{}')).status, 404);
    assert.equal((await post(port, '/audit', JSON.stringify({ kind: 'EventList', items: [ev(1)], pad: 'x'.repeat(5000) }))).status, 413);
    // 3 queued, limit 5: a batch of 3 is refused whole, not half-taken
    const full = await post(port, '/audit', JSON.stringify({ kind: 'EventList', items: [ev(4), ev(5), ev(6)] }));
    assert.equal(full.status, 503);
    assert.equal(accepted.length, 3);
    assert.deepEqual(drops.map((d) => d[0]), [0, 3]);
    assert.match(drops[1][1], /queue full/);
    assert.equal(bad.length, 2);
    assert.match(bad[0], /not JSON/);
    await server.close();
  });

  test('body shapes and listen addresses', () => {
    assert.equal((eventsOfBody({ kind: 'EventList', items: [1, 2] }) as unknown[]).length, 2);
    assert.equal((eventsOfBody({ kind: 'Event', auditID: 'x' }) as unknown[]).length, 1);
    assert.match(eventsOfBody([]) as string, /not a JSON object/);
    assert.deepEqual(parseListen('10.77.1.10:9443'), { host: '10.77.1.10', port: 9443 });
    assert.deepEqual(parseListen('[::1]:9443'), { host: '::1', port: 9443 });
    assert.deepEqual(parseListen(':9443'), { host: '0.0.0.0', port: 9443 });
    assert.equal(parseListen('9443'), undefined);
    assert.equal(parseListen('h:99999'), undefined);
  });
});

describe('detector', () => {
  function detector() {
    const alerts: Alert[] = [];
    const problems: string[] = [];
    const d = new Detector({ rules: detectionRules, settings: DEFAULT_DETECTION_SETTINGS, emit: (a) => alerts.push(a), onMalformed: (r, w) => problems.push(`${w}: ${r}`) });
    return { d, alerts, problems };
  }

  test('an exec is judged once: at ResponseStarted, not again at ResponseComplete; RequestReceived is skipped', () => {
    const { d, alerts } = detector();
    const base = { verb: 'get', code: 101, level: 'Request' as const, uri: '/api/v1/namespaces/a/pods/p/exec?command=sh', resource: 'pods', subresource: 'exec', namespace: 'a', name: 'p', auditID: '11111111-2222-3333-4444-555555555555' };
    d.line(JSON.stringify({ ...auditEvent(base), stage: 'RequestReceived' }));
    d.line(JSON.stringify(auditEvent({ ...base, stage: 'ResponseStarted' })));
    d.line(JSON.stringify(auditEvent({ ...base, stage: 'ResponseComplete' })));
    assert.deepEqual(alerts.map((a) => [a.ruleId, a.stage]), [['KM-DT-001', 'ResponseStarted']]);
    assert.equal(d.stats.stageSkipped, 2);
    assert.equal(d.stats.events, 3);
  });

  test('malformed lines are counted and named, never fatal; the next good line still alerts', () => {
    const { d, alerts, problems } = detector();
    d.line('{"kind":"Event",', 'audit.log', 7);
    d.line('[1,2]', 'audit.log', 8);
    d.line('{"kind":"Event","auditID":"x"}', 'audit.log', 9);
    d.line(JSON.stringify({ kind: 'Pod', metadata: {} }), 'audit.log', 10);
    d.line(JSON.stringify(auditEvent({ verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: ANONYMOUS })), 'audit.log', 11);
    assert.equal(d.stats.malformed, 4);
    assert.match(problems[0], /^audit\.log:7: not JSON/);
    assert.match(problems[2], /^audit\.log:9: no verb/);
    assert.match(problems[3], /kind "Pod" is not Event/);
    assert.ok(alerts.some((a) => a.ruleId === 'KM-DT-005'));
  });

  test('repeats within a rule\'s window are folded and counted; after the window they alert again', () => {
    const { d, alerts } = detector();
    const read = (at: number) => JSON.stringify(auditEvent({ verb: 'list', uri: '/api/v1/namespaces/x/secrets', resource: 'secrets', namespace: 'x', user: ANONYMOUS, at }));
    for (const at of [0, 10, 59, 61]) d.line(read(at));
    assert.equal(alerts.filter((a) => a.ruleId === 'KM-DT-005').length, 2);
    assert.equal(d.stats.repeats.get('KM-DT-005'), 2);
  });

  test('toAuditEvent reads the fields rules use', () => {
    const e = toAuditEvent(auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/secrets/x', resource: 'secrets', namespace: 'lab-apps', name: 'x', code: 403, user: ADMIN }));
    assert.ok(typeof e !== 'string');
    assert.equal(e.code, 403);
    assert.equal(e.decision, 'forbid');
    assert.equal(e.objectRef?.name, 'x');
    assert.ok(e.time > Date.UTC(2026, 0, 1));
  });
});

describe('header fast path', () => {
  test('skips only what the full parse would not alert on: same alerts and counts, on a generated cluster log and on every rule example', async () => {
    const { auditCorpus } = await import('../../bench/audit-corpus.js');
    const lines = [...auditCorpus({ events: 40_000, seed: 7 })];
    for (const rule of detectionRules) for (const c of [...rule.examples.trigger, ...rule.examples.ignore]) for (const e of Array.isArray(c) ? c : [c]) lines.push(JSON.stringify(e));
    const run = (fast: boolean) => {
      const alerts: Alert[] = [];
      const d = new Detector({ rules: detectionRules, settings: DEFAULT_DETECTION_SETTINGS, emit: (a) => alerts.push(a), headerFastPath: fast, now: () => 0 });
      for (const l of lines) d.line(l);
      return { alerts: alerts.map((a) => JSON.stringify(a)), stats: d.stats };
    };
    const full = run(false);
    const fast = run(true);
    assert.ok(full.alerts.length > 20, `${full.alerts.length} alerts`);
    assert.deepEqual(fast.alerts, full.alerts);
    assert.equal(fast.stats.events, full.stats.events);
    assert.ok(fast.stats.headerSkipped > lines.length / 2, `only ${fast.stats.headerSkipped} of ${lines.length} skipped`);
    assert.equal(full.stats.headerSkipped, 0);
  });

  test('never skips a denied request, an impersonation, a scripted client, an exec or an unusual authorizer reason, even by the control plane', async () => {
    const { skippableAuditID } = await import('../../src/detect/header.js');
    const { KUBELET, CONTROLLER_MANAGER } = await import('../../src/detect/rules/examples.js');
    const base = { verb: 'get', uri: '/api/v1/namespaces/a/pods/p', resource: 'pods', namespace: 'a', name: 'p', user: CONTROLLER_MANAGER };
    const line = (p: object) => JSON.stringify(auditEvent({ ...base, ...p }));
    assert.ok(skippableAuditID(line({})), 'the plain case is skipped');
    assert.ok(skippableAuditID(line({ user: KUBELET, reason: 'RBAC: allowed by ClusterRoleBinding "system:node" of ClusterRole "system:node" to Group "system:nodes"' })));
    assert.equal(skippableAuditID(line({ code: 403 })), undefined);
    assert.equal(skippableAuditID(line({ userAgent: 'curl/8.5.0' })), undefined);
    assert.equal(skippableAuditID(line({ subresource: 'exec', code: 101 })), undefined);
    assert.equal(skippableAuditID(line({ stage: 'ResponseStarted' })), undefined);
    assert.equal(skippableAuditID(line({ reason: 'RBAC: allowed by ClusterRoleBinding "evil" of ClusterRole "cluster-admin" to User "system:kube-controller-manager"' })), undefined);
    assert.equal(skippableAuditID(line({ user: ADMIN })), undefined);
    assert.equal(skippableAuditID(line({ user: { ...KUBELET, groups: ['system:authenticated'] } })), undefined, 'a system:node: name without the nodes group');
    const imp = JSON.parse(line({})) as Record<string, unknown>;
    const withImp = JSON.stringify({ ...imp, user: imp.user, impersonatedUser: { username: 'bob' } }).replace(/"impersonatedUser":\{[^}]*\},?/, '');
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(imp).flatMap(([k, v]) => (k === 'sourceIPs' ? [['impersonatedUser', { username: 'bob' }], [k, v]] : [[k, v]]))));
    assert.ok(skippableAuditID(withImp));
    assert.equal(skippableAuditID(reordered), undefined, 'impersonation');
    assert.equal(skippableAuditID(line({ verb: 'create', code: 201, requestObject: { kind: 'Pod' } })), undefined, 'pod creations teach KM-DT-032');
  });
});

test('timestamps read digit by digit agree with Date.parse', async () => {
  const { timestampMs } = await import('../../src/sources/audit/event.js');
  for (const t of ['2026-11-23T16:51:48.727361Z', '2026-11-23T16:51:48Z', '2024-02-29T23:59:59.999Z', '2026-01-01T00:00:00.000000Z', '2026-11-23T16:51:48.7Z', '2026-11-23T16:51:48.72Z', '2026-11-23T16:51:48.720Z', '2026-11-23T17:51:48.727+01:00', 'not a time'])
    assert.equal(timestampMs(t), Date.parse(t) || 0, t);
});

describe('webhook bodies through the fast path', () => {
  test('an EventList is cut into its events; skipped ones stay raw, the rest parse to the same values; same alerts as a full parse', async () => {
    const { eventListItems } = await import('../../src/detect/header.js');
    const { auditCorpus } = await import('../../bench/audit-corpus.js');
    // the API server's webhook leaves kind and apiVersion out of the items
    const lines = [...auditCorpus({ events: 4000, seed: 3 })].map((l) => l.replace('{"kind":"Event","apiVersion":"audit.k8s.io/v1",', '{'));
    assert.ok(lines[0].startsWith('{"level":"'));
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${lines.join(',')}]}\n`;
    const items = eventListItems(body);
    assert.ok(items);
    assert.equal(items.length, lines.length);
    const raw = items.filter((x) => typeof x === 'string');
    assert.ok(raw.length > lines.length / 2);
    items.forEach((x, i) => assert.deepEqual(typeof x === 'string' ? JSON.parse(x) : x, JSON.parse(lines[i])));
    const judge = (feed: (d: Detector) => void) => {
      const alerts: string[] = [];
      const d = new Detector({ rules: detectionRules, settings: DEFAULT_DETECTION_SETTINGS, emit: (a) => alerts.push(JSON.stringify(a)), headerFastPath: true, now: () => 0 });
      feed(d);
      return alerts;
    };
    const viaItems = judge((d) => { for (const x of items) if (typeof x === 'string') d.line(x); else d.value(x); });
    const full = judge((d) => { for (const x of (JSON.parse(body) as { items: unknown[] }).items) d.value(x); });
    assert.ok(full.length > 0);
    assert.deepEqual(viaItems, full);
    assert.deepEqual(eventListItems('{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[]}'), []);
    assert.equal(eventListItems('{"kind":"EventList","items":[]}'), undefined, 'another shape: parse it all');
  });

  test('a body holding the separator inside a request body is not cut there: the caller parses the whole body', async () => {
    const { eventListItems } = await import('../../src/detect/header.js');
    const { CONTROLLER_MANAGER } = await import('../../src/detect/rules/examples.js');
    const inner = [auditEvent({ verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: ANONYMOUS }), auditEvent({ verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: ANONYMOUS })];
    const tricky = auditEvent({ verb: 'update', uri: '/api/v1/namespaces/a/configmaps/c', resource: 'configmaps', namespace: 'a', name: 'c', user: CONTROLLER_MANAGER, requestObject: { kind: 'ConfigMap', items: inner } });
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [tricky, inner[0]] });
    assert.ok(body.includes('},{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"'));
    assert.equal(eventListItems(body), undefined);
    // the same in the API server's item shape
    const strip = (o: JsonObject): JsonObject => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'kind' && k !== 'apiVersion'));
    const short = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [strip({ ...tricky, requestObject: { items: inner.map(strip) } }), strip(inner[0])] });
    assert.ok(short.includes('},{"level":"'));
    assert.equal(eventListItems(short), undefined);
  });
});
