// Prometheus metrics (text format 0.0.4) on /metrics: events read, malformed and dropped input,
// alerts by rule, allow-listed and folded repeats, queue depth, lag behind the API
// server, undelivered alerts per sink.

import { TOOL_VERSION } from '../../core/report.js';
import { MetricsText, samplesBy, serveMetrics, type MetricsServer, type Sample } from '../../report/prometheus.js';
import type { Detector } from '../engine.js';
import type { AlertSink } from './sink.js';
import type { RuntimeDetector } from '../runtime/engine.js';
import type { DecodeStats } from '../../sources/runtime/decode.js';

/** The runtime sensor's side, when `detect --node` runs. */
export interface RuntimeMetrics {
  detector: RuntimeDetector;
  decoder?: DecodeStats;
}

const one = (value: number): Sample[] => [[{}, value]];

export function renderMetrics(detector: Detector, sinks: readonly AlertSink[], queued: number, runtime?: RuntimeMetrics): string {
  const s = detector.stats;
  const out = new MetricsText();
  const byRule = (m: ReadonlyMap<string, number>): Sample[] => samplesBy('rule', m);
  out.metric('kubemoat_build_info', 'gauge', 'The kubemoat version and the command serving these metrics.', [[{ command: 'detect', version: TOOL_VERSION }, 1]]);
  out.metric('kubemoat_detect_events_total', 'counter', 'Audit events read (every stage).', one(s.events));
  out.metric('kubemoat_detect_header_skipped_total', 'counter', 'Events the header fast path showed no rule could judge (not parsed further).', one(s.headerSkipped));
  out.metric('kubemoat_detect_malformed_total', 'counter', 'Lines or requests that were not audit events; skipped.', one(s.malformed));
  out.metric('kubemoat_detect_oversized_total', 'counter', 'Events over the size limit; skipped.', one(s.oversized));
  out.metric('kubemoat_detect_dropped_total', 'counter', 'Events refused because the queue was full (webhook answered 503).', one(s.dropped));
  out.metric('kubemoat_detect_stage_skipped_total', 'counter', 'Events not judged again: RequestReceived, or the ResponseComplete of a request judged at ResponseStarted.', one(s.stageSkipped));
  out.metric('kubemoat_detect_alerts_total', 'counter', 'Alerts raised, by rule.', byRule(s.alerts));
  out.metric('kubemoat_detect_allowed_total', 'counter', 'Hits silenced by an allow-list, by rule.', byRule(s.allowed));
  out.metric('kubemoat_detect_repeats_total', 'counter', "Repeats of an alert folded within its rule's repeat window, by rule.", byRule(s.repeats));
  out.metric('kubemoat_detect_rule_errors_total', 'counter', 'Rule failures on an event (bugs).', one(s.ruleErrors));
  out.metric('kubemoat_detect_queue_events', 'gauge', 'Events received and not yet processed.', one(queued));
  out.metric('kubemoat_detect_lag_seconds', 'gauge', "How long after the API server's stage timestamp the newest event was processed.", one(s.lagMs / 1000));
  out.metric('kubemoat_detect_last_event_timestamp_seconds', 'gauge', 'Stage timestamp of the newest event.', one(s.lastEventTime / 1000));
  out.metric('kubemoat_detect_sink_failed_total', 'counter', 'Alerts a sink could not deliver.', sinks.map((k): Sample => [{ sink: k.name }, k.failed]));
  if (runtime) {
    const r = runtime.detector.stats;
    out.metric('kubemoat_detect_runtime_events_total', 'counter', 'Runtime sensor events judged, by kind.', samplesBy('kind', r.events));
    out.metric('kubemoat_detect_runtime_unattributed_total', 'counter', 'Runtime events in no container of this node (skipped).', one(r.unattributed));
    out.metric('kubemoat_detect_runtime_alerts_total', 'counter', 'Runtime alerts raised, by rule.', byRule(r.alerts));
    out.metric('kubemoat_detect_runtime_allowed_total', 'counter', 'Runtime hits silenced by an allow-list, by rule.', byRule(r.allowed));
    out.metric('kubemoat_detect_runtime_pending_execs', 'gauge', 'Runtime execs waiting for their pods/exec in the audit stream.', one(runtime.detector.pending));
    if (runtime.decoder) {
      out.metric('kubemoat_detect_runtime_lost_total', 'counter', 'Events the kernel dropped before the sensor read them.', one(runtime.decoder.lost));
      out.metric('kubemoat_detect_runtime_garbled_total', 'counter', 'Sensor lines that could not be read (skipped).', one(runtime.decoder.garbled));
    }
  }
  return out.text();
}

export function startMetrics(host: string, port: number, detector: Detector, sinks: readonly AlertSink[], queued: () => number, runtime?: () => RuntimeMetrics | undefined): Promise<MetricsServer> {
  return serveMetrics(host, port, () => renderMetrics(detector, sinks, queued(), runtime?.()));
}
