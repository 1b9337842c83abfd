// Fingerprints of the services the lab does not run (Docker Engine API, Kubernetes Dashboard,
// kube-proxy, cAdvisor, a TLS server that demands a client certificate), from fixtures that answer
// with the shapes those services answer with, on loopback in this process. The lab e2e test covers
// the API server, kubelet, etcd and kubectl proxy with the real components.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identify } from '../../src/probe/fingerprint.js';
import { runChecks } from '../../src/probe/checks.js';
import { runProbeRules } from '../../src/probe/rule.js';
import { probeRules } from '../../src/probe/rules/index.js';
import type { ProbedEndpoint } from '../../src/probe/model.js';

const HOST = '127.0.0.1';
const servers: net.Server[] = [];
const ports: Record<string, number> = {};

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function routes(table: Record<string, Route>): Route {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = table[path];
    if (route) route(req, res);
    else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
    }
  };
}

async function serve(name: string, server: net.Server): Promise<void> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, HOST, () => r()));
  ports[name] = (server.address() as net.AddressInfo).port;
}

before(async () => {
  await serve('docker', http.createServer(routes({
    '/version': (_q, s) => json(s, 200, { Platform: { Name: 'Docker Engine - Community' }, Components: [], Version: '24.0.7', ApiVersion: '1.43', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64' }, { Server: 'Docker/24.0.7 (linux)', 'Api-Version': '1.43' }),
    '/info': (_q, s) => json(s, 200, { Containers: 4, Images: 9, Name: 'node-1' }),
  })));
  await serve('dashboard', http.createServer(routes({
    '/': (_q, s) => {
      s.writeHead(200, { 'Content-Type': 'text/html' });
      s.end('<!doctype html><html><head><title>Kubernetes Dashboard</title></head><body><kd-root></kd-root></body></html>');
    },
    '/api/v1/login/skippable': (_q, s) => json(s, 200, { skippable: true }),
    '/api/v1/namespace': (_q, s) => json(s, 200, { listMeta: { totalItems: 3 }, namespaces: [{}, {}, {}] }),
  })));
  await serve('kubeProxyMetrics', http.createServer(routes({
    '/proxyMode': (_q, s) => s.end('iptables'),
    '/metrics': (_q, s) => s.end('# HELP kubeproxy_sync_proxy_rules_duration_seconds\n'),
    '/configz': (_q, s) => json(s, 200, { kubeproxy: { mode: 'iptables' } }),
  })));
  await serve('kubeProxyHealth', http.createServer(routes({
    '/healthz': (_q, s) => json(s, 200, { lastUpdated: '2026-11-23 10:00:00 +0000 UTC', currentTime: '2026-11-23 10:00:01 +0000 UTC', nodeEligible: true }),
  })));
  await serve('cadvisor', http.createServer(routes({
    '/': (_q, s) => {
      s.writeHead(307, { Location: '/containers/' });
      s.end();
    },
    '/containers/': (_q, s) => s.end('<html><head><title>cAdvisor - /</title></head></html>'),
    '/metrics': (_q, s) => s.end('cadvisor_version_info{cadvisorVersion="v0.47.0"} 1\n'),
  })));
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-fp-'));
  const cert = (cn: string): { key: Buffer; cert: Buffer } => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', join(dir, `${cn}.key`), '-out', join(dir, `${cn}.crt`)], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, `${cn}.key`)), cert: readFileSync(join(dir, `${cn}.crt`)) };
  };
  const etcd = cert('etcd-node-1');
  await serve('etcdMtls', https.createServer({ ...etcd, ca: etcd.cert, requestCert: true, rejectUnauthorized: true }, (_q, s) => s.end('{"etcdserver":"3.5.9"}')));
  // a kubelet with anonymous authentication on and Webhook authorization refusing system:anonymous
  const kubelet = cert('node-1');
  await serve('kubeletDenied', https.createServer(kubelet, (req, s) => {
    if ((req.url ?? '').startsWith('/version')) {
      s.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      s.end('404 page not found\n');
      return;
    }
    const verb = req.method === 'POST' ? 'create' : 'get';
    s.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    s.end(`Forbidden (user=system:anonymous, verb=${verb}, resource=nodes, subresource=proxy)`);
  }));
  const other = cert('internal-service');
  await serve('otherMtls', https.createServer({ ...other, ca: other.cert, requestCert: true, rejectUnauthorized: true }, (_q, s) => s.end('ok')));
});

after(() => {
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    s.close();
  }
});

async function probeOne(name: string): Promise<{ ep: ProbedEndpoint; rules: string[]; evidence: string[] }> {
  const io = { host: HOST, port: ports[name], timeoutMs: 2000 };
  const ep = await identify(io);
  ep.observations = await runChecks(io, ep, { active: false });
  const run = runProbeRules([ep], probeRules);
  assert.deepEqual(run.errors, []);
  // KM-EX-016 (info) lists every Kubernetes service reached; the exposures are the rest
  const exposures = run.findings.filter((f) => f.ruleId !== 'KM-EX-016');
  return { ep, rules: exposures.map((f) => f.ruleId).sort(), evidence: exposures.map((f) => f.evidence ?? '') };
}

test('Docker Engine API without TLS: recognised by /version, KM-EX-012 with container counts', async () => {
  const { ep, rules, evidence } = await probeOne('docker');
  assert.equal(ep.service, 'docker');
  assert.equal(ep.version, 'docker 24.0.7');
  assert.deepEqual(rules, ['KM-EX-012']);
  assert.match(evidence[0], /4 containers, 9 images/);
});

test('Kubernetes Dashboard with skippable login: KM-EX-011', async () => {
  const { ep, rules, evidence } = await probeOne('dashboard');
  assert.equal(ep.service, 'kubernetes-dashboard');
  assert.deepEqual(rules, ['KM-EX-011']);
  assert.match(evidence[0], /skippable: true; GET \/api\/v1\/namespace → 200 \(3 namespaces\)/);
});

test('kube-proxy: the metrics port by /proxyMode (KM-EX-014 for /metrics and /configz), the health port by its JSON', async () => {
  const metrics = await probeOne('kubeProxyMetrics');
  assert.equal(metrics.ep.service, 'kube-proxy');
  assert.deepEqual(metrics.rules, ['KM-EX-014']);
  assert.match(metrics.evidence[0], /\/metrics, \/configz/);
  const health = await probeOne('kubeProxyHealth');
  assert.equal(health.ep.service, 'kube-proxy');
  assert.deepEqual(health.rules, [], 'a health port alone is no exposure');
});

test('cAdvisor: recognised through its redirect to /containers/, KM-EX-013', async () => {
  const { ep, rules } = await probeOne('cadvisor');
  assert.equal(ep.service, 'cadvisor');
  assert.deepEqual(rules, ['KM-EX-013']);
});

test('a kubelet that authenticates anonymous requests and denies them: KM-EX-017 (low), no access finding', async () => {
  const { ep, rules, evidence } = await probeOne('kubeletDenied');
  assert.equal(ep.service, 'kubelet');
  // KM-EX-015: the fixture's certificate signs itself and lasts two days
  assert.deepEqual(rules.filter((r) => r !== 'KM-EX-015'), ['KM-EX-017']);
  assert.match(evidence.find((e) => e.includes('403')) ?? '', /GET \/pods → 403 "Forbidden \(user=system:anonymous/);
  assert.equal(ep.observations['kubelet.run']?.status, 403, 'the /run door answered 403: closed');
});

test('TLS that demands a client certificate: etcd when its certificate says so; no access finding, only its certificate', async () => {
  const etcd = await probeOne('etcdMtls');
  assert.equal(etcd.ep.service, 'etcd');
  assert.equal(etcd.ep.clientCertRequired, true);
  assert.match(etcd.ep.tls?.subject ?? '', /CN=etcd-node-1/);
  // the fixture's certificate signs itself and is valid for two days
  const run = runProbeRules([etcd.ep], probeRules);
  assert.deepEqual(run.findings.map((f) => `${f.ruleId} ${f.severity}`).sort(), ['KM-EX-015 low', 'KM-EX-015 medium', 'KM-EX-016 info']);
  assert.match(run.findings.find((f) => f.ruleId === 'KM-EX-016')?.message ?? '', /etcd reachable at .* \(client certificate required\)/);
  assert.match(run.findings.find((f) => f.severity === 'medium')?.message ?? '', /expires on \d{4}-\d\d-\d\d/);
  const other = await probeOne('otherMtls');
  assert.equal(other.ep.service, 'tls');
  assert.deepEqual(other.rules, [], 'not a Kubernetes service: its certificate is none of our business');
});
