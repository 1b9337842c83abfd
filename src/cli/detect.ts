// `kubemoat detect`: real-time detection on the Kubernetes audit log. Inputs: a file (read once,
// or followed like `tail -F`), stdin, or the API server's audit webhook. Alerts go to stdout as
// JSON lines and, if asked, to syslog, a webhook, and a Prometheus metrics endpoint.

import { Command, Option } from 'commander';
import { accessSync, constants, readFileSync } from 'node:fs';
import { SEVERITIES, severityRank, type Severity } from '../core/finding.js';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { Detector, type Suppression } from '../detect/engine.js';
import { TrustPolicy } from '../detect/trust.js';
import { NetworkSet } from '../detect/networks.js';
import { AllowList } from '../detect/allow.js';
import { detectionRules, findDetectionRule } from '../detect/rules/index.js';
import { DEFAULT_DETECTION_SETTINGS, type DetectionRule, type DetectionSettings } from '../detect/rule.js';
import type { Alert } from '../detect/alert.js';
import type { AlertSink } from '../detect/sinks/sink.js';
import { JsonLinesSink } from '../detect/sinks/stdout.js';
import { SyslogSink, parseSyslogTarget } from '../detect/sinks/syslog.js';
import { WebhookSink } from '../detect/sinks/webhook.js';
import { startMetrics } from '../detect/sinks/metrics.js';
import { durationMs } from './flag-values.js';
import { follow, readOnce, readStream } from '../sources/audit/file.js';
import { eventListItems } from '../detect/header.js';
import { parseListen, startWebhook } from '../sources/audit/webhook.js';
import { renderDetectionRulesMarkdown } from '../detect/rules-doc.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { commaList } from './rule-selection.js';
import { runtimeRules, findRuntimeRule } from '../detect/runtime/rules/index.js';
import { BaselineStore } from '../detect/runtime/baseline.js';
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { RuntimeRule } from '../detect/runtime/rule.js';
import { DEFAULT_RUNTIME_SETTINGS } from '../detect/runtime/rule.js';
import { RuntimeDetector } from '../detect/runtime/engine.js';
import { RuntimeAllowList } from '../detect/runtime/allow.js';
import { SensorError, startSensor, type RunningSensor, type SensorMode } from '../sources/runtime/sensor.js';
import { succeeded, type AuditEvent } from '../sources/audit/event.js';
import { execCommand, execArgv } from '../detect/rules/uri.js';
import { TOOL_VERSION } from '../core/report.js';
import { CommittedAlerts } from '../store/alerts.js';
import type { HistoryStore, RunWriter } from '../store/store.js';
import { StoreError } from '../store/errors.js';
import { addStoreOption, openStoreFor, storeNamed, type StoreFlags } from './store-options.js';

interface DetectFlags extends StoreFlags {
  follow?: boolean;
  fromStart?: boolean;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  path: string;
  queueSize: string;
  maxEventBytes: string;
  maxBodyBytes: string;
  stdout: boolean;
  syslog: string[];
  syslogFacility: string;
  webhook: string[];
  metrics?: string;
  severity: Severity;
  failOn: Severity | 'never';
  rules?: string[];
  skipRules?: string[];
  /** the old name of --skip-rules, still accepted */
  disable?: string[];
  correlationWindow: string;
  config?: string;
  listRules?: boolean;
  headerFastPath: boolean;
  explainAllow?: boolean;
  format: 'table' | 'json' | 'markdown';
  node?: boolean;
  sensor: SensorMode;
  bpftrace?: string;
  auditGrace: string;
  learn?: string;
  stateDir: string;
}

/** KM-DT-041 needs detect.internalNetworks to judge anything. */
const CREDENTIAL_OUTSIDE_RULE = 'KM-DT-041';

/** How many malformed-input messages are printed before they are only counted. */
const MAX_PRINTED_PROBLEMS = 20;

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}

function pickRules(flags: DetectFlags): { audit: DetectionRule[]; runtime: RuntimeRule[] } {
  const ids = (list: readonly string[] | undefined): string[] => (list ?? []).map((x) => x.toUpperCase());
  const skipped = [...ids(flags.skipRules), ...ids(flags.disable)];
  for (const id of [...ids(flags.rules), ...skipped]) if (!findDetectionRule(id) && !findRuntimeRule(id)) throw new UsageError(`no detection rule ${id}; see \`kubemoat detect --list-rules\``);
  const only = new Set(ids(flags.rules));
  const off = new Set(skipped);
  const wanted = (id: string): boolean => (only.size === 0 || only.has(id)) && !off.has(id);
  return { audit: detectionRules.filter((r) => wanted(r.meta.id)), runtime: runtimeRules.filter((r) => wanted(r.meta.id)) };
}

function listRules(format: DetectFlags['format']): void {
  const all = [...detectionRules, ...runtimeRules];
  if (format === 'json') process.stdout.write(JSON.stringify(all.map((r) => r.meta), null, 2) + '\n');
  else if (format === 'markdown') process.stdout.write(renderDetectionRulesMarkdown(detectionRules, runtimeRules));
  else for (const r of all) process.stdout.write(`${r.meta.id.padEnd(11)} ${r.meta.severity.padEnd(9)} ${r.meta.mitre.join(',').padEnd(24)} ${r.meta.title}\n`);
}

/** An API pods/exec as the runtime detector matches it to the exec it sees on the node. */
function auditExecOf(e: AuditEvent): Parameters<RuntimeDetector['auditExec']>[0] | undefined {
  const ref = e.objectRef;
  if (ref?.resource !== 'pods' || ref.subresource !== 'exec' || !succeeded(e) || !ref.namespace || !ref.name) return undefined;
  const { container } = execCommand(e.requestURI);
  return { namespace: ref.namespace, pod: ref.name, container: container ?? '', command: execArgv(e.requestURI), auditID: e.auditID, user: e.user.username, time: e.time || Date.now(), timestamp: e.timestamp };
}

function runtimeSummary(r: RuntimeDetector, sensor: RunningSensor): string {
  const s = r.stats;
  const events = [...s.events.values()].reduce((a, b) => a + b, 0);
  const alerts = [...s.alerts].sort().map(([id, n]) => `${id}×${n}`).join(' ');
  const total = [...s.alerts.values()].reduce((a, b) => a + b, 0);
  const d = sensor.decoder?.stats;
  return `${events} runtime events (${sensor.mode}), ${total} alerts${alerts ? ` (${alerts})` : ''}, ${s.unattributed} outside this node's containers${d ? `, ${d.lost} lost, ${d.garbled} garbled` : ''}, ${s.auditMatched} execs matched to pods/exec`;
}

function summary(d: Detector): string {
  const s = d.stats;
  const alerts = [...s.alerts].sort().map(([id, n]) => `${id}×${n}`).join(' ');
  const total = [...s.alerts.values()].reduce((a, b) => a + b, 0);
  const allowed = [...s.allowed.values()].reduce((a, b) => a + b, 0);
  const repeats = [...s.repeats.values()].reduce((a, b) => a + b, 0);
  const trusted = [...s.trusted.values()].reduce((a, b) => a + b, 0);
  return `${s.events} events, ${total} alerts${alerts ? ` (${alerts})` : ''}, ${allowed} allow-listed, ${trusted} trusted, ${repeats} repeats folded, ${s.malformed} malformed, ${s.oversized} oversized, ${s.dropped} dropped`;
}

export function detectCommand(): Command {
  return addStoreOption(new Command('detect'), 'record the alerts (each committed before any other output shows it) in')
    .description('detect attacks in the Kubernetes audit log (a file, stdin, or the API server\'s audit webhook); alerts as JSON lines')
    .argument('[file]', 'audit log (JSON lines); `-` for stdin')
    .option('-F, --follow', 'follow the file like `tail -F` (rotation and truncation handled)')
    .option('--from-start', 'with --follow: read what the file already holds first')
    .option('--listen <addr>', 'receive the audit webhook on host:port (POST EventList or Event)')
    .option('--tls-cert <file>', 'certificate (PEM) for --listen')
    .option('--tls-key <file>', 'private key (PEM) for --listen')
    .option('--path <path>', 'URL path of the webhook', '/audit')
    .option('--queue-size <events>', 'events the webhook may queue before it refuses batches (503)', '100000')
    .option('--max-event-bytes <n>', 'longer log lines are skipped and counted', String(4 << 20))
    .option('--max-body-bytes <n>', 'larger webhook requests are refused (413) and counted', String(64 << 20))
    .option('--no-stdout', 'do not write alerts to stdout')
    .option('--syslog <url>', 'send alerts to syslog (RFC 5424): udp://host:port or tcp://host:port; repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--syslog-facility <name>', 'syslog facility', 'authpriv')
    .option('--webhook <url>', 'POST each alert as JSON to this URL; repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--metrics <addr>', 'serve Prometheus metrics on host:port (/metrics)')
    .addOption(new Option('-s, --severity <level>', 'lowest severity to alert on').choices(SEVERITIES).default('low'))
    .addOption(new Option('--fail-on <level>', 'reading a file once: exit 1 when an alert is at or above this severity').choices([...SEVERITIES, 'never']).default('never'))
    .option('--rules <ids>', 'only these rules (comma-separated ids, repeatable)', commaList)
    .option('--skip-rules <ids>', 'turn these rules off (comma-separated ids, repeatable)', commaList)
    // the name detect had before every command said --skip-rules: kept working, out of the help
    .addOption(new Option('--disable <ids>', 'the old name of --skip-rules').argParser(commaList).hideHelp())
    .option('--correlation-window <seconds>', 'correlation rules join events at most this far apart', String(DEFAULT_DETECTION_SETTINGS.correlationWindowSec))
    .option('-c, --config <file>', 'config file with detect.allow lists (default: ./.kubemoat.yaml if present)')
    .option('--no-header-fast-path', 'parse every event fully (the fast path skips control-plane events no rule judges; for comparison)')
    .option('--node', 'also watch this node\'s containers at run time (eBPF through bpftrace, else /proc polling): processes, connections, file opens, escapes')
    .addOption(new Option('--sensor <mode>', 'with --node: auto (eBPF, else /proc), ebpf (fail without it), proc').choices(['auto', 'ebpf', 'proc']).default('auto'))
    .option('--bpftrace <path>', 'with --node: the bpftrace binary', 'bpftrace')
    .option('--audit-grace <seconds>', 'with --node and an audit input: how long a runtime exec waits for its pods/exec before it is called a kubelet bypass (the API server batches webhook events: --audit-webhook-batch-max-wait)', '35')
    .option('--explain-allow', 'reading a file or stdin: instead of alerts, print each hit that control-plane trust or a detect.allow entry silenced, and the entry that did')
    .option('--learn <duration>', 'with --node: learn each workload\'s programs and destinations for this long (30s, 10m, 2h), then alert on new ones (KM-RT-016/017); baselines are kept in --state-dir')
    .option('--state-dir <dir>', 'with --learn: where baselines are kept (one YAML file per workload container, editable)', join(homedir(), '.cache', 'kubemoat', 'runtime'))
    .option('--list-rules', 'list the detection rules and exit')
    .addOption(new Option('-f, --format <format>', 'with --list-rules or --explain-allow (table or json)').choices(['table', 'json', 'markdown']).default('table'))
    .action(async (file: string | undefined, flags: DetectFlags) => {
      if (flags.listRules) return listRules(flags.format);
      await runDetect(file, flags);
    });
}

/** An audit log to read once must be there before any sink starts (a --follow file may appear later). */
function readableFile(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

async function runDetect(file: string | undefined, flags: DetectFlags): Promise<void> {
  const inputs = [file !== undefined, flags.listen !== undefined].filter(Boolean).length;
  if (inputs > 1 || (inputs === 0 && !flags.node)) throw new UsageError('detect needs one audit input (a FILE, `-` for stdin, or --listen ADDR), --node, or --node with one audit input');
  if (flags.follow && (file === undefined || file === '-')) throw new UsageError('--follow needs a file');
  if (flags.fromStart && !flags.follow) throw new UsageError('--from-start goes with --follow');
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (flags.explainAllow) {
    if (flags.listen !== undefined || flags.follow) throw new UsageError('--explain-allow reads a file or stdin once (not --listen or --follow)');
    if (flags.syslog.length + flags.webhook.length > 0 || flags.metrics !== undefined) throw new UsageError('--explain-allow only explains: it sends nothing (drop --syslog, --webhook, --metrics)');
    if (flags.format === 'markdown') throw new UsageError('--explain-allow prints table or json');
    if (flags.store !== undefined) throw new UsageError('--explain-allow only explains: it records nothing (drop --store)');
  }
  // every number is checked before anything starts, whichever input it belongs to
  const maxEventChars = positiveInt(flags.maxEventBytes, '--max-event-bytes');
  const queueLimit = positiveInt(flags.queueSize, '--queue-size');
  const maxBodyBytes = positiveInt(flags.maxBodyBytes, '--max-body-bytes');
  const correlationWindowSec = positiveInt(flags.correlationWindow, '--correlation-window');
  if (file !== undefined && file !== '-' && !flags.follow) readableFile(file);
  const config = loadConfig(flags.config, knownRuleIds());
  const internalNetworks = config.detect?.internalNetworks ?? [];
  for (const [key, list] of [['detect.trust.controlPlaneAddresses', config.detect?.trust?.controlPlaneAddresses ?? []], ['detect.internalNetworks', internalNetworks]] as const) {
    try {
      new NetworkSet(list);
    } catch (e) {
      throw new UsageError(`${config.file ?? 'config'}: ${key}: ${(e as Error).message}`);
    }
  }
  const trust = new TrustPolicy({ ...config.detect?.trust, internalNetworks });
  const settings: DetectionSettings = {
    ...DEFAULT_DETECTION_SETTINGS,
    correlationWindowSec,
    internalNetworks,
    ...(config.detect?.deniedBurst ? { deniedBurstCount: config.detect.deniedBurst.count, deniedBurstWindowSec: config.detect.deniedBurst.windowSeconds } : {}),
  };
  const { audit: rules, runtime: runtimeRuleSet } = pickRules(flags);
  // once, not per event: a rule that cannot judge without configuration says so at start
  if (inputs === 1 && internalNetworks.length === 0 && rules.some((r) => r.meta.id === CREDENTIAL_OUTSIDE_RULE)) {
    process.stderr.write(`kubemoat: ${CREDENTIAL_OUTSIDE_RULE} (the cluster's own credentials used from outside its networks) judges nothing: list the cluster's networks in detect.internalNetworks (.kubemoat.yaml)\n`);
  }
  const auditGraceMs = positiveInt(flags.auditGrace, '--audit-grace') * 1000;
  if (flags.learn !== undefined && !flags.node) throw new UsageError('--learn goes with --node');
  const learnMs = flags.learn === undefined ? undefined : durationMs(flags.learn, '--learn');
  const baseline = learnMs === undefined ? undefined : new BaselineStore(join(flags.stateDir, 'baseline'), learnMs);
  for (const p of baseline?.loadProblems ?? []) process.stderr.write(`kubemoat: ${p}\n`);
  const minimum = severityRank(flags.severity);

  const sinks: AlertSink[] = [];
  const stdoutSink = flags.stdout && !flags.explainAllow ? new JsonLinesSink(process.stdout) : undefined;
  if (stdoutSink) sinks.push(stdoutSink);
  for (const url of flags.syslog) {
    const target = parseSyslogTarget(url);
    if (typeof target === 'string') throw new UsageError(`--syslog ${url}: ${target}`);
    sinks.push(new SyslogSink(target, flags.syslogFacility, (m) => process.stderr.write(`kubemoat: ${m}\n`)));
  }
  for (const url of flags.webhook) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--webhook ${url}: needs an http:// or https:// URL`);
    sinks.push(new WebhookSink(url, (m) => process.stderr.write(`kubemoat: ${m}\n`)));
  }

  // alerts raised before the store is open (by the node sensor) wait in the recorder
  const recorder = !flags.explainAllow && storeNamed(flags) ? new CommittedAlerts((a) => sinks.forEach((s) => s.send(a)), (m) => process.stderr.write(`kubemoat: ${m}\n`)) : undefined;
  let history: HistoryStore | undefined;
  let run: RunWriter | undefined;

  let worst = -1;
  let printed = 0;
  const problem = (reason: string, where: string | undefined): void => {
    if (printed < MAX_PRINTED_PROBLEMS) process.stderr.write(`kubemoat: ${where ? `${where}: ` : ''}${reason}; skipped\n`);
    else if (printed === MAX_PRINTED_PROBLEMS) process.stderr.write('kubemoat: more malformed input; only counted from now on (see the summary and metrics)\n');
    printed++;
  };
  const emit = (alert: Alert): void => {
    const rank = severityRank(alert.severity);
    if (rank < minimum) return;
    if (rank > worst) worst = rank;
    if (recorder) recorder.send(alert);
    else for (const s of sinks) s.send(alert);
  };
  const runtime = flags.node
    ? new RuntimeDetector({
        rules: runtimeRuleSet,
        settings: DEFAULT_RUNTIME_SETTINGS,
        node: '',
        allow: new RuntimeAllowList(config.detect?.allow ?? []),
        emit,
        auditAttached: inputs === 1,
        auditGraceMs,
        ...(baseline ? { baseline } : {}),
        ownTokenDevice: (e) => sensor?.ownTokenDevice(e),
        onRuleError: (id, e) => process.stderr.write(`kubemoat: rule ${id} failed on an event (a bug, please report): ${e instanceof Error ? e.message : String(e)}\n`),
      })
    : undefined;
  let sensor: RunningSensor | undefined;
  const detector = new Detector({
    rules,
    settings,
    allow: new AllowList(config.detect?.allow ?? []),
    trust,
    ...(flags.explainAllow ? { onSuppressed: (x: Suppression) => process.stdout.write(explainLine(x, flags.format === 'json')) } : {}),
    emit,
    ...(runtime
      ? {
          observe: (e: AuditEvent) => {
            const x = auditExecOf(e);
            if (x) runtime.auditExec(x);
          },
        }
      : {}),
    onMalformed: problem,
    headerFastPath: flags.headerFastPath,
    onRuleError: (id, e) => process.stderr.write(`kubemoat: rule ${id} failed on an event (a bug, please report): ${e instanceof Error ? e.message : String(e)}\n`),
  });

  const metrics = flags.metrics === undefined ? undefined : parseListen(flags.metrics);
  if (flags.metrics !== undefined && !metrics) throw new UsageError(`--metrics ${flags.metrics}: expected host:port`);
  let queue: unknown[] = [];
  let queueHead = 0;
  const metricsServer = metrics ? await startMetrics(metrics.host, metrics.port, detector, sinks, () => queue.length - queueHead, () => (runtime ? { detector: runtime, ...(sensor?.decoder ? { decoder: sensor.decoder.stats } : {}) } : undefined)) : undefined;
  if (metricsServer) process.stderr.write(`kubemoat: metrics on http://${metricsServer.address}/metrics\n`);

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let ticker: NodeJS.Timeout | undefined;
  if (runtime) {
    try {
      sensor = await startSensor({
        mode: flags.sensor,
        bpftrace: flags.bpftrace,
        onEvent: (e) => runtime.event(e),
        onFork: (ppid, pid) => runtime.fork(ppid, pid),
        onUnattributed: () => runtime.unattributed(),
        note: (m) => process.stderr.write(`kubemoat: runtime sensor: ${m}\n`),
      });
    } catch (e) {
      await metricsServer?.close();
      if (e instanceof SensorError) throw new UsageError(e.message);
      throw e;
    }
    runtime.node = sensor.facts.node;
    ticker = setInterval(() => runtime.tick(), 250);
    process.stderr.write(`kubemoat: runtime sensor watching node ${sensor.facts.node}: ${sensor.mode === 'ebpf' ? 'eBPF (bpftrace)' : '/proc polling'}, ${sensor.containers.size} containers, ${runtimeRuleSet.length} rules\n`);
    void sensor.ended.then((why) => {
      if (!stop.signal.aborted) {
        process.stderr.write(`kubemoat: runtime sensor stopped: ${why}\n`);
        stop.abort();
      }
    });
  }

  let storeFailure: Error | undefined;
  const finish = async (): Promise<void> => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (ticker) clearInterval(ticker);
    await sensor?.stop();
    runtime?.flush();
    await recorder?.close();
    storeFailure = recorder?.storeError;
    if (run !== undefined && storeFailure === undefined) {
      await run.finish('complete').then(
        (r) => process.stderr.write(`kubemoat: recorded run ${r.id} (detect ${r.scope}) in ${history?.name}: ${Object.values(r.bySeverity).reduce((a, b) => a + b, 0)} alerts\n`),
        (e: Error) => (storeFailure = e),
      );
    }
    await history?.close();
    try {
      baseline?.saveAll();
    } catch (e) {
      process.stderr.write(`kubemoat: cannot save baselines under ${flags.stateDir}: ${(e as Error).message}\n`);
    }
    await Promise.all(sinks.map((s) => s.close()));
    await metricsServer?.close();
    if (inputs === 1) process.stderr.write(`kubemoat: detect: ${summary(detector)}\n`);
    if (runtime && sensor) process.stderr.write(`kubemoat: detect --node: ${runtimeSummary(runtime, sensor)}\n`);
    for (const s of sinks) if (s.failed > 0) process.stderr.write(`kubemoat: ${s.name}: ${s.failed} alerts could not be delivered\n`);
  };

  try {
    if (recorder) {
      const watched = [file === '-' ? 'stdin' : file !== undefined ? `file ${file}` : undefined, flags.listen !== undefined ? `listen ${flags.listen}` : undefined, sensor ? `node ${sensor.facts.node}` : undefined].filter((x) => x !== undefined);
      try {
        history = await openStoreFor(flags);
        run = await history!.beginRun({ kind: 'detect', scope: watched.join(', '), target: { type: 'detect', inputs: watched }, toolVersion: TOOL_VERSION, startedAt: new Date().toISOString() });
      } catch (e) {
        recorder.abandon(e as Error);
        throw e;
      }
      recorder.start(run);
    }
    if (flags.listen !== undefined) {
      const at = parseListen(flags.listen);
      if (!at) throw new UsageError(`--listen ${flags.listen}: expected host:port`);
      let tls;
      if (flags.tlsCert && flags.tlsKey) {
        try {
          tls = { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey) };
        } catch (e) {
          throw new UsageError(`cannot read the TLS certificate or key: ${(e as Error).message}`);
        }
      } else process.stderr.write('kubemoat: no --tls-cert/--tls-key: the webhook listens on plain HTTP (audit events carry credentials\' metadata; use TLS outside a test)\n');
      let draining = false;
      const drain = (): void => {
        // slices keep the server answering while a big backlog is worked off
        const end = Math.min(queue.length, queueHead + 5_000);
        for (; queueHead < end; queueHead++) {
          const item = queue[queueHead];
          // raw strings are events the header fast path skips (see eventListItems)
          if (typeof item === 'string') detector.line(item);
          else detector.value(item);
        }
        if (queueHead >= queue.length) {
          queue = [];
          queueHead = 0;
          draining = false;
          stdoutSink?.flush();
        } else setImmediate(drain);
      };
      const server = await startWebhook({
        host: at.host,
        port: at.port,
        path: flags.path,
        tls,
        maxBodyBytes,
        queueLimit,
        queued: () => queue.length - queueHead,
        items: flags.headerFastPath ? (body: string) => eventListItems(body, trust) : undefined,
        accept: (items) => {
          for (const item of items) queue.push(item);
          if (!draining) {
            draining = true;
            setImmediate(drain);
          }
        },
        onDrop: (n, why) => {
          detector.stats.dropped += n;
          problem(`${why}; ${n} events refused`, undefined);
        },
        onBadRequest: (why) => {
          detector.stats.malformed++;
          problem(why, undefined);
        },
      }).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot listen on ${flags.listen}: ${e.message}`);
      });
      process.stderr.write(`kubemoat: receiving audit events on ${tls ? 'https' : 'http'}://${server.address}${flags.path} (${rules.length} rules)\n`);
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
      while (queue.length - queueHead > 0) await new Promise((r) => setImmediate(r));
    } else if (file === '-') {
      await readStream(process.stdin, lineSinkFor(detector, '<stdin>'), maxEventChars);
    } else if (flags.follow) {
      await follow(file!, lineSinkFor(detector, file!), {
        fromStart: flags.fromStart === true,
        pollMs: 200,
        maxLineChars: maxEventChars,
        signal: stop.signal,
        note: (m) => process.stderr.write(`kubemoat: ${m}\n`),
        idle: () => stdoutSink?.flush(),
      });
    } else if (file !== undefined) {
      await readOnce(file, lineSinkFor(detector, file), maxEventChars).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${file}: ${e.message}`);
      });
    }
    // the node sensor runs until it is stopped, whatever the audit input did
    if (runtime && !stop.signal.aborted) await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await finish();
  }
  const failOn = flags.failOn === 'never' ? Infinity : severityRank(flags.failOn);
  process.exitCode = detector.stats.malformed + detector.stats.oversized > 0 && detector.stats.events === 0 ? EXIT_USAGE : worst >= failOn ? EXIT_FINDINGS : EXIT_OK;
  // the store's errors name it already (RunWriter's); the count says what is missing from it
  if (storeFailure !== undefined) throw new StoreError(`${storeFailure.message}${recorder?.failed ? ` (${recorder.failed} alerts not recorded)` : ''}`);
}

/** One silenced hit and what silenced it: a line of text, or a JSON line. */
function explainLine(x: Suppression, json: boolean): string {
  const by = x.by.kind === 'trust'
    ? { kind: 'trust', entry: x.by.entry.id, why: x.by.entry.why }
    : { kind: 'allow', entry: `detect.allow[${x.by.index}]`, why: x.by.entry.reason, rules: x.by.entry.rules, users: x.by.entry.users, namespaces: x.by.entry.namespaces, images: x.by.entry.images };
  if (json) return JSON.stringify({ ruleId: x.ruleId, auditID: x.auditID, time: x.time, user: x.user, message: x.message, suppressedBy: by }) + '\n';
  return `${x.ruleId} ${x.auditID} ${x.message}\n  silenced by ${by.kind === 'trust' ? `trust entry ${by.entry}` : by.entry}: ${by.why}\n`;
}

/** Lines to the detector, with the line number for messages about bad input. */
function lineSinkFor(detector: Detector, name: string): { line(text: string): void; oversized(length: number): void } {
  let n = 0;
  return {
    line: (text) => {
      n++;
      detector.line(text, name, n);
    },
    oversized: (length) => {
      n++;
      detector.oversized(length, `${name}:${n}`);
    },
  };
}
