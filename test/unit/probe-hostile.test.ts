// Hostile and foreign services on loopback, started in this process: a port that accepts and never
// answers, one that drips a byte at a time, one that closes at once, one that sends without end
// (HTTP and binary), an SSH banner, plain HTTP servers, a TLS server that says nothing. The probe
// must finish, read a bounded number of bytes from each, and take none of them for Kubernetes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identify } from '../../src/probe/fingerprint.js';
import { httpRequest } from '../../src/probe/net.js';
import { KUBERNETES_SERVICES, type ServiceKind } from '../../src/probe/model.js';
import { CLI } from '../helpers/cli.js';

const HOST = '127.0.0.1';
const servers: (net.Server | http.Server)[] = [];
const sockets = new Set<net.Socket>();
/** bytes each flooding server managed to hand to the kernel, per connection */
const floodWritten: number[] = [];
const ports: Record<string, number> = {};

function listen(name: string, server: net.Server | http.Server): Promise<void> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => server.listen(0, HOST, () => {
    ports[name] = (server.address() as net.AddressInfo).port;
    resolve();
  }));
}

function flood(head: string) {
  return (s: net.Socket): void => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    const index = floodWritten.push(0) - 1;
    const pump = (): void => {
      if (head && written === 0) {
        s.write(head);
        written += head.length;
      }
      while (!s.destroyed && written < 2 ** 31) {
        written += chunk.length;
        floodWritten[index] = written;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };
}

before(async () => {
  await listen('silent', net.createServer(() => {}));
  await listen('drip', net.createServer((s) => {
    const text = 'HTTP/1.1 200 OK\r\nX-Slow: ';
    let i = 0;
    const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write(text[i++ % text.length])), 100);
    s.on('close', () => clearInterval(t));
  }));
  await listen('closer', net.createServer((s) => s.destroy()));
  await listen('httpFlood', net.createServer(flood('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n')));
  await listen('binaryFlood', net.createServer(flood('')));
  await listen('ssh', net.createServer((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')));
  await listen('http200', http.createServer((_req, res) => res.end('<html>hello</html>')));
  await listen('http404', http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end('404 page not found\n');
  }));
  // answers everything with a 401 JSON body that is *not* a Kubernetes Status
  await listen('http401', http.createServer((_req, res) => {
    res.statusCode = 401;
    res.setHeader('Content-Type', 'application/json');
    res.end('{"error":"login required"}');
  }));
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-hostile-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=hostile', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
  await listen('tlsSilent', tls.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, () => {}));
});

after(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

const EXPECTED: Record<string, ServiceKind[]> = {
  silent: ['silent'],
  drip: ['unknown'],
  closer: ['closes'],
  httpFlood: ['http'],
  binaryFlood: ['unknown'],
  ssh: ['ssh'],
  http200: ['http'],
  http404: ['http'],
  http401: ['http'],
  tlsSilent: ['tls'],
};

test('each hostile service is recognised for what it is, never as Kubernetes', { timeout: 60_000 }, async () => {
  const seen: Record<string, string> = {};
  await Promise.all(
    Object.keys(EXPECTED).map(async (name) => {
      const ep = await identify({ host: HOST, port: ports[name], timeoutMs: 1000 });
      seen[name] = ep.service;
      assert.ok(!KUBERNETES_SERVICES.has(ep.service), `${name} was taken for ${ep.service} (${ep.identifiedBy})`);
    }),
  );
  for (const [name, kinds] of Object.entries(EXPECTED)) assert.ok(kinds.includes(seen[name] as ServiceKind), `${name}: expected ${kinds.join('|')}, got ${seen[name]}`);
});

test('reads are bounded in bytes: a server sending without end is cut at maxBytes', { timeout: 30_000 }, async () => {
  const r = await httpRequest({ host: HOST, port: ports.httpFlood, tls: false, method: 'GET', path: '/', timeoutMs: 5000, maxBytes: 1 << 20 });
  assert.equal(r.type, 'http');
  if (r.type === 'http') {
    assert.equal(r.truncated, true);
    assert.ok(r.body.length <= 1 << 20);
  }
  const g = await httpRequest({ host: HOST, port: ports.binaryFlood, tls: false, method: 'GET', path: '/', timeoutMs: 5000, maxBytes: 1 << 20 });
  assert.equal(g.type, 'not-http');
});

test('reads are bounded in time: a dripping server costs the timeout, not more', { timeout: 30_000 }, async () => {
  const r = await httpRequest({ host: HOST, port: ports.drip, tls: false, method: 'GET', path: '/', timeoutMs: 700, maxBytes: 1 << 20 });
  assert.equal(r.type, 'timeout');
  if (r.type === 'timeout') assert.ok(r.bytes > 0 && r.bytes < 20, `dripped ${r.bytes} bytes`);
});

test('the CLI probes all of them, finishes, and reports nothing', { timeout: 120_000 }, () => {
  floodWritten.length = 0;
  const targets = Object.values(ports).map((p) => `${HOST}:${p}`);
  // the servers live in this process, so the CLI must run asynchronously to let them answer
  return new Promise<void>((resolve, reject) => {
    setImmediate(() => {
      import('node:child_process').then(({ execFile }) => {
        execFile(process.execPath, [CLI, 'probe', ...targets, '--timeout', '2000', '-f', 'json', '--no-progress'], { maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
          try {
            const code = err ? (err as NodeJS.ErrnoException & { code?: number }).code : 0;
            assert.equal(code, 0, `exit ${String(code)}: ${stderr}`);
            const report = JSON.parse(stdout) as { findings: unknown[]; coverage: unknown[]; endpoints: { port: number; service: string }[] };
            assert.deepEqual(report.findings, []);
            assert.deepEqual(report.coverage, []);
            assert.equal(report.endpoints.length, targets.length, 'every open port is listed with what it was recognised as');
            for (const e of report.endpoints) assert.ok(!KUBERNETES_SERVICES.has(e.service as ServiceKind), `${e.port} taken for ${e.service}`);
            // Each flooded connection was cut: at most the largest read limit plus socket buffers.
            assert.ok(floodWritten.length >= 2, 'the flooding servers were probed');
            for (const w of floodWritten) assert.ok(w < 64 * 1024 * 1024, `a flooding server wrote ${w} bytes on one connection`);
            resolve();
          } catch (e) {
            reject(e as Error);
          }
        });
      }, reject);
    });
  });
});


test('IPv6 loopback: the connect, the fingerprint and the endpoint URL work on ::1', { timeout: 30_000 }, async () => {
  const { tcpConnect } = await import('../../src/probe/net.js');
  const { endpointUrl } = await import('../../src/probe/model.js');
  const server = http.createServer((_req, res) => res.end('hello'));
  await new Promise<void>((r) => server.listen(0, '::1', () => r()));
  try {
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(await tcpConnect('::1', port, 2000), 'open');
    const ep = await identify({ host: '::1', port, timeoutMs: 2000 });
    assert.equal(ep.service, 'http');
    assert.equal(endpointUrl(ep), `http://[::1]:${port}`);
    server.close();
    assert.equal(await tcpConnect('::1', port, 2000), 'closed');
  } finally {
    server.close();
  }
});
