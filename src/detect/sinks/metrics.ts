// Prometheus metrics (text format 0.0.4) on /metrics: events read, malformed and dropped input,
// alerts by rule and severity, allow-listed and folded repeats, queue depth, lag behind the API
// server, undelivered alerts per sink.

import { createServer, type Server } from 'node:http';
import type { Detector } from '../engine.js';
import type { AlertSink } from './sink.js';
import type { RuntimeDetector } from '../runtime/engine.js';
import type { DecodeStats } from '../../sources/runtime/decode.js';

/** The runtime sensor's side, when `detect --node` runs. */
export interface RuntimeMetrics {
  detector: RuntimeDetector;
  decoder?: DecodeStats;
}

function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function renderMetrics(detector: Detector, sinks: readonly AlertSink[], queued: number, runtime?: RuntimeMetrics): string {
  const s = detector.stats;
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  const byRule = (m: Map<string, number>): [string, number][] => [...m].sort().map(([id, n]) => [`{rule="${labelValue(id)}"}`, n]);
  metric('kubemoat_detect_events_total', 'counter', 'Audit events read (every stage).', [['', s.events]]);
  metric('kubemoat_detect_header_skipped_total', 'counter', 'Events the header fast path showed no rule could judge (not parsed further).', [['', s.headerSkipped]]);
  metric('kubemoat_detect_malformed_total', 'counter', 'Lines or requests that were not audit events; skipped.', [['', s.malformed]]);
  metric('kubemoat_detect_oversized_total', 'counter', 'Events over the size limit; skipped.', [['', s.oversized]]);
  metric('kubemoat_detect_dropped_total', 'counter', 'Events refused because the queue was full (webhook answered 503).', [['', s.dropped]]);
  metric('kubemoat_detect_stage_skipped_total', 'counter', 'Events not judged again: RequestReceived, or the ResponseComplete of a request judged at ResponseStarted.', [['', s.stageSkipped]]);
  metric('kubemoat_detect_alerts_total', 'counter', 'Alerts raised, by rule.', byRule(s.alerts));
  metric('kubemoat_detect_allowed_total', 'counter', 'Hits silenced by an allow-list, by rule.', byRule(s.allowed));
  metric('kubemoat_detect_repeats_total', 'counter', 'Repeats of an alert folded within its rule\'s repeat window, by rule.', byRule(s.repeats));
  metric('kubemoat_detect_rule_errors_total', 'counter', 'Rule failures on an event (bugs).', [['', s.ruleErrors]]);
  metric('kubemoat_detect_queue_events', 'gauge', 'Events received and not yet processed.', [['', queued]]);
  metric('kubemoat_detect_lag_seconds', 'gauge', 'How long after the API server\'s stage timestamp the newest event was processed.', [['', s.lagMs / 1000]]);
  metric('kubemoat_detect_last_event_timestamp_seconds', 'gauge', 'Stage timestamp of the newest event.', [['', s.lastEventTime / 1000]]);
  metric('kubemoat_detect_sink_failed_total', 'counter', 'Alerts a sink could not deliver.', sinks.map((k) => [`{sink="${labelValue(k.name)}"}`, k.failed]));
  if (runtime) {
    const r = runtime.detector.stats;
    metric('kubemoat_detect_runtime_events_total', 'counter', 'Runtime sensor events judged, by kind.', [...r.events].sort().map(([k, n]) => [`{kind="${labelValue(k)}"}`, n]));
    metric('kubemoat_detect_runtime_unattributed_total', 'counter', 'Runtime events in no container of this node (skipped).', [['', r.unattributed]]);
    metric('kubemoat_detect_runtime_alerts_total', 'counter', 'Runtime alerts raised, by rule.', byRule(r.alerts));
    metric('kubemoat_detect_runtime_allowed_total', 'counter', 'Runtime hits silenced by an allow-list, by rule.', byRule(r.allowed));
    metric('kubemoat_detect_runtime_pending_execs', 'gauge', 'Runtime execs waiting for their pods/exec in the audit stream.', [['', runtime.detector.pending]]);
    if (runtime.decoder) {
      metric('kubemoat_detect_runtime_lost_total', 'counter', 'Events the kernel dropped before the sensor read them.', [['', runtime.decoder.lost]]);
      metric('kubemoat_detect_runtime_garbled_total', 'counter', 'Sensor lines that could not be read (skipped).', [['', runtime.decoder.garbled]]);
    }
  }
  return out.join('\n') + '\n';
}

export interface MetricsServer {
  address: string;
  close(): Promise<void>;
}

export function startMetrics(host: string, port: number, detector: Detector, sinks: readonly AlertSink[], queued: () => number, runtime?: () => RuntimeMetrics | undefined): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      const body = renderMetrics(detector, sinks, queued(), runtime?.());
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('metrics are on /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({
        address: a && typeof a === 'object' ? `${a.address}:${a.port}` : `${host}:${port}`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
