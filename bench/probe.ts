// Benchmark of `kubemoat probe` (issue 5), with kube-hunter from PyPI on the same targets in the
// same run. Root only (iptables, network namespaces). Run it with:
//
//   npm run build && node dist/bench/probe.js [--skip-peer] [--peer-cap-s 900] [--concurrency 4000]
//
// The stage, all on loopback or inside the lab's own namespaces:
//   - 127.77.0.0/16, every default port (17 of them): 1,114,112 probes;
//   - a quarter of the range silently dropped: every address whose last octet is 192-255
//     (iptables on `lo`, chain KUBEMOAT_BENCH, removed on exit, on signals and before each run), so
//     those connects time out for real; the same quarter of any /24 is dropped, so a sub-range is a
//     fair sample;
//   - real services: the insecure lab at 127.77.1.10 (kubelet 10250 and 10255, API 6443, etcd 2379,
//     kubectl proxy 8080) and the hardened lab at 127.77.1.20 (kubelet, API, etcd), relayed into the
//     lab namespaces through unix sockets (bench/probe-relay.ts); foreign services at 127.77.1.30
//     (accepts and never answers, on 10250), 127.77.1.31 (web server answering 200, on 8080) and
//     127.77.1.32 (SSH banner, on 6443); and a kubelet-shaped fixture at 127.77.1.33:10250 (TLS,
//     403 "Forbidden (user=system:anonymous, …)" on every path: anonymous authentication on, Webhook
//     authorization refusing it), the case kube-hunter reports as "Anonymous Authentication".
// Measured: kubemoat on the /16 (wall, probes/s, peak RSS) and on the /24 127.77.1.0/24; kube-hunter
// on the same /24 (capped), its /16 time extrapolated from it; which findings each tool reported.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, type Measurement } from './measure.js';
import { labUp } from '../test/helpers/lab.js';
import { tcpConnect, CONNECT_PATH } from '../src/probe/net.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const RELAY = join(ROOT, 'dist/bench/probe-relay.js');
const CACHE = process.env.KUBEMOAT_BENCH_CACHE ?? '/var/cache/kubemoat-bench';
const OUT = join(CACHE, 'probe');
const SOCKETS = '/run/kubemoat-bench-probe';
const CHAIN = 'KUBEMOAT_BENCH';
const DROP = ['-i', 'lo', '-d', '127.77.0.192/255.255.0.192', '-j', 'DROP'];
const KUBE_HUNTER = join(CACHE, 'kube-hunter/venv/bin/kube-hunter');

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const skipPeer = args.includes('--skip-peer');
const peerCapS = Number(flag('--peer-cap-s', '900'));
const concurrency = flag('--concurrency', '4000');
const timeout = flag('--timeout', '1000');

const INSECURE = '127.77.1.10';
const HARDENED = '127.77.1.20';
const FOREIGN = { silent: '127.77.1.30', web: '127.77.1.31', ssh: '127.77.1.32' };
/** a kubelet-shaped fixture: anonymous authentication on, Webhook authorization refusing it (403) */
const KUBELET_DENIED = '127.77.1.33';

function iptables(...a: string[]): boolean {
  try {
    execFileSync('iptables', ['-w', ...a], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function dropQuarter(): void {
  removeDrop();
  if (!iptables('-N', CHAIN) || !iptables('-A', CHAIN, ...DROP) || !iptables('-I', 'INPUT', '1', '-j', CHAIN)) {
    removeDrop();
    throw new Error('could not install the iptables DROP rule (root and iptables are needed)');
  }
}

function removeDrop(): void {
  while (iptables('-D', 'INPUT', '-j', CHAIN)) {
    // a rule left by an interrupted run is removed too
  }
  iptables('-F', CHAIN);
  iptables('-X', CHAIN);
}

const relays: ChildProcess[] = [];

function startRelay(netns: string | undefined, specs: string[]): void {
  const cmd = netns ? 'ip' : process.execPath;
  const argv = netns ? ['netns', 'exec', netns, process.execPath, RELAY, ...specs] : [RELAY, ...specs];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  relays.push(child);
}

function stopRelays(): void {
  for (const r of relays) if (r.exitCode === null) r.kill('SIGTERM');
}

let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  stopRelays();
  removeDrop();
  rmSync(SOCKETS, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

async function stage(): Promise<void> {
  const insecure = await labUp('insecure');
  const hardened = await labUp('hardened');
  mkdirSync(SOCKETS, { recursive: true });
  const map = (lab: string, ip: string, ports: number[]) => ({
    inner: ports.map((p) => `unix:${SOCKETS}/${lab}-${p}.sock=tcp:${ip}:${p}`),
    outer: ports.map((p) => `tcp:${lab === 'insecure' ? INSECURE : HARDENED}:${p}=unix:${SOCKETS}/${lab}-${p}.sock`),
  });
  const i = map('insecure', insecure.nodeIP, [10250, 10255, 6443, 2379, 8080]);
  const h = map('hardened', hardened.nodeIP, [10250, 6443, 2379]);
  startRelay(insecure.netns, i.inner);
  startRelay(hardened.netns, h.inner);
  const certDir = join(SOCKETS, 'kubelet403');
  mkdirSync(certDir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', `/CN=${KUBELET_DENIED}@kubelet`, '-keyout', join(certDir, 'tls.key'), '-out', join(certDir, 'tls.crt')], { stdio: 'ignore' });
  startRelay(undefined, [...i.outer, ...h.outer, `silent:${FOREIGN.silent}:10250`, `http200:${FOREIGN.web}:8080`, `ssh:${FOREIGN.ssh}:6443`, `kubelet403:${KUBELET_DENIED}:10250:${certDir}`]);
  const deadline = Date.now() + 15_000;
  for (const [host, port] of [[INSECURE, 10250], [HARDENED, 6443], [FOREIGN.ssh, 6443], [KUBELET_DENIED, 10250]] as const) {
    while ((await tcpConnect(host, port, 500)) !== 'open') {
      if (Date.now() > deadline) throw new Error(`relay ${host}:${port} did not come up`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  dropQuarter();
  if ((await tcpConnect('127.77.0.200', 443, 300)) !== 'filtered') throw new Error('the DROP rule does not hold: 127.77.0.200 answered');
}

interface KubemoatRun {
  m: Measurement;
  report: { findings: { ruleId: string; endpoint?: { url?: string; host?: string; port?: number } }[]; scan: { probes: number; open: number; closed: number; filtered: number; seconds: number } };
}

async function kubemoat(target: string, name: string): Promise<KubemoatRun> {
  const out = join(OUT, `kubemoat-${name}.json`);
  const m = await measure(process.execPath, [CLI, 'probe', target, '-f', 'json', '-o', out, '--fail-on', 'never', '--severity', 'info', '--no-progress', '--concurrency', concurrency, '--timeout', timeout, '--retries', '0'], {});
  return { m, report: JSON.parse(readFileSync(out, 'utf8')) as KubemoatRun['report'] };
}

interface HunterRun {
  m: Measurement;
  vulns: { location: string; vid: string; vulnerability: string; severity: string }[];
  services: { service: string; location: string }[];
}

async function kubeHunter(cidr: string): Promise<HunterRun | undefined> {
  if (!existsSync(KUBE_HUNTER)) return undefined;
  const out = join(OUT, 'kube-hunter.json');
  const m = await measure(KUBE_HUNTER, ['--cidr', cidr, '--report', 'json', '--log', 'none', '--dispatch', 'stdout'], { stdoutFile: out, timeoutS: peerCapS });
  let parsed: { vulnerabilities?: HunterRun['vulns']; services?: HunterRun['services'] } = {};
  try {
    const text = readFileSync(out, 'utf8');
    parsed = JSON.parse(text.slice(text.indexOf('{'))) as typeof parsed;
  } catch {
    // capped before it printed its report
  }
  return { m, vulns: parsed.vulnerabilities ?? [], services: parsed.services ?? [] };
}

function where(f: KubemoatRun['report']['findings'][number]): string {
  const e = f.endpoint ?? {};
  if (e.url) return e.url.replace(/^\w+:\/\//, '');
  return `${e.host}:${e.port}`;
}

function fmt(m: Measurement): string {
  return `${m.wallS.toFixed(1)} s wall${m.timedOut ? ' (capped)' : ''}, ${m.peakRssMiB.toFixed(0)} MiB peak RSS${m.userS !== undefined ? `, ${(m.userS + (m.sysS ?? 0)).toFixed(1)} s CPU` : ''}, load ${m.load1.toFixed(1)}`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (iptables and network namespaces)');
  if (!existsSync(CLI) || !existsSync(RELAY)) throw new Error('run `npm run build` first');
  mkdirSync(OUT, { recursive: true });
  if (!skipPeer && !existsSync(KUBE_HUNTER)) execFileSync('bash', [join(ROOT, 'bench/probe-peers.sh')], { stdio: 'inherit' });
  console.log(`kubemoat probe benchmark — ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, connect path ${CONNECT_PATH}`);
  console.log(`kubemoat flags: --concurrency ${concurrency} --timeout ${timeout} --retries 0`);
  await stage();
  console.log('stage ready: 127.77.0.0/16, last octet 192-255 dropped on lo, lab services relayed at 127.77.1.10 (insecure) and 127.77.1.20 (hardened), foreign services at 127.77.1.30-32, kubelet-shaped 403 fixture at 127.77.1.33\n');

  const full = await kubemoat('127.77.0.0/16', 'slash16');
  const s = full.report.scan;
  console.log(`kubemoat /16: ${s.probes} probes in ${s.seconds} s = ${(s.probes / s.seconds).toFixed(0)} probes/s; ${s.open} open, ${s.closed} closed, ${s.filtered} no answer`);
  console.log(`  process: ${fmt(full.m)}  (target: < 180 s)`);

  const sub = await kubemoat('127.77.1.0/24', 'slash24');
  console.log(`kubemoat /24: ${sub.report.scan.probes} probes, ${fmt(sub.m)}`);

  const summary: Record<string, unknown> = { date: new Date().toISOString(), concurrency, timeout, connectPath: CONNECT_PATH, kubemoat16: { ...s, wallS: full.m.wallS, peakRssMiB: full.m.peakRssMiB, load1: full.m.load1 }, kubemoat24: { ...sub.report.scan, wallS: sub.m.wallS, peakRssMiB: sub.m.peakRssMiB } };
  let hunter: HunterRun | undefined;
  if (!skipPeer) {
    hunter = await kubeHunter('127.77.1.0/24');
    if (hunter === undefined) console.log('kube-hunter: not installed (bench/probe-peers.sh failed); no comparison');
    else {
      console.log(`kube-hunter /24: ${fmt(hunter.m)}; ${hunter.services.length} services, ${hunter.vulns.length} vulnerabilities reported`);
      const ratio = hunter.m.wallS / sub.m.wallS;
      console.log(`  ratio on the /24: kube-hunter took ${ratio.toFixed(1)}× kubemoat's wall time${hunter.m.timedOut ? ' (kube-hunter capped: a lower bound)' : ''}`);
      console.log(`  kube-hunter on the /16, extrapolated ×256 from the /24: ~${((hunter.m.wallS * 256) / 3600).toFixed(1)} h (not run; kubemoat: ${(full.m.wallS / 60).toFixed(1)} min)`);
      summary.kubeHunter24 = { wallS: hunter.m.wallS, timedOut: hunter.m.timedOut, peakRssMiB: hunter.m.peakRssMiB, vulns: hunter.vulns.length, ratio };
    }
  }

  // Findings side by side, per endpoint of the /24.
  const ours = new Map<string, Set<string>>();
  for (const f of sub.report.findings) {
    // KM-EX-016 (info) is the inventory of what answers, not a finding kube-hunter would have
    if (f.ruleId === 'KM-EX-016') continue;
    const k = where(f);
    if (!ours.has(k)) ours.set(k, new Set());
    ours.get(k)!.add(f.ruleId);
  }
  const theirs = new Map<string, Set<string>>();
  for (const v of hunter?.vulns ?? []) {
    if (!theirs.has(v.location)) theirs.set(v.location, new Set());
    theirs.get(v.location)!.add(`${v.vid} ${v.vulnerability}`);
  }
  console.log('\nfindings per endpoint on 127.77.1.0/24 (kubemoat rule ids | kube-hunter vulnerabilities):');
  for (const k of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    console.log(`  ${k.padEnd(20)} kubemoat: ${[...(ours.get(k) ?? [])].sort().join(', ') || '—'}`);
    console.log(`  ${''.padEnd(20)} kube-hunter: ${[...(theirs.get(k) ?? [])].sort().join('; ') || '—'}`);
  }
  summary.findings = { kubemoat: Object.fromEntries([...ours].map(([k, v]) => [k, [...v]])), kubeHunter: Object.fromEntries([...theirs].map(([k, v]) => [k, [...v]])) };
  writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
  console.log(`\nreports: ${OUT}/`);
}

main()
  .catch((e: unknown) => {
    console.error(`bench/probe: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  .finally(cleanup);
