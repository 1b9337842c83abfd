// Is a port a workload opens to everyone only its metrics endpoint? Prometheus scrapes from its own
// namespace, so policies commonly open metrics ports to every namespace; that is worth a look, not an
// alarm. A port counts only when the manifests say so for every workload the rule opens (a name, a
// Prometheus annotation, a metrics Service) or it is an exporter's well-known port; a bare number
// such as 9090 (Prometheus' own API and UI) or 9091 (the Pushgateway, which takes writes) is not.

import { asArray, asNumber, asObject, asString } from '../../core/json.js';
import type { Inventory } from '../../inventory/inventory.js';
import type { PodInfo } from '../../inventory/netpol.js';
import type { PolicyPort } from '../../inventory/netpol-ports.js';
import { selectorMatches } from '../../inventory/objects.js';

/** `metrics`, `http-metrics`, `https-metrics`, `metrics-https`, `kube-state-metrics`… */
const METRICS_NAME = /(^|-)metrics($|-)|^prom-?metrics$/i;

/** Ports exporters are known to serve only metrics on (the Prometheus port allocation list and components' defaults). */
const WELL_KNOWN: Record<number, string> = {
  9100: 'node-exporter',
  9104: 'mysqld-exporter',
  9113: 'nginx-prometheus-exporter',
  9121: 'redis-exporter',
  9153: 'CoreDNS metrics',
  9187: 'postgres-exporter',
  9402: 'cert-manager metrics',
  10249: 'kube-proxy metrics',
  10254: 'ingress-nginx metrics',
};

/** A port name, Service name or annotation that says "metrics". */
export function isMetricsName(name: string): boolean {
  return METRICS_NAME.test(name);
}

function metricsServicePort(inventory: Inventory, pod: PodInfo, port: number, containerPortName: string | undefined): string | undefined {
  for (const service of inventory.inNamespace('Service', pod.object.namespace)) {
    const spec = asObject(service.raw.spec);
    if (spec === undefined || !selectorMatches(spec.selector, pod.labels)) continue;
    for (const raw of asArray(spec.ports)) {
      const p = asObject(raw);
      if (p === undefined) continue;
      const target = p.targetPort ?? p.port;
      const hits = asNumber(target) === port || (containerPortName !== undefined && asString(target) === containerPortName);
      const name = asString(p.name) ?? '';
      if (hits && (isMetricsName(name) || isMetricsName(service.name))) return `Service ${service.name} port ${name || port}`;
    }
  }
  return undefined;
}

/** Why this port of this workload is a metrics port, or undefined. */
function metricsReason(inventory: Inventory, pod: PodInfo, p: PolicyPort): string | undefined {
  if (p.port === undefined || (p.endPort !== undefined && p.endPort !== p.port)) return undefined;
  if (typeof p.port === 'string') return isMetricsName(p.port) ? `port named \`${p.port}\`` : undefined;
  const number = p.port;
  const declared = pod.ports.find((c) => c.port === number && c.protocol === p.protocol);
  if (declared?.name !== undefined && isMetricsName(declared.name)) return `container port \`${declared.name}\``;
  if (pod.pod.podAnnotations['prometheus.io/port'] === String(number)) return 'prometheus.io/port';
  return metricsServicePort(inventory, pod, number, declared?.name) ?? WELL_KNOWN[number];
}

/**
 * The reasons, one per port, when every port of the rule is a metrics port of every workload it
 * opens; undefined when any is not (or the rule opens every port).
 */
export function metricsOnly(inventory: Inventory, pods: readonly PodInfo[], ports: 'any' | readonly PolicyPort[]): string[] | undefined {
  if (ports === 'any' || pods.length === 0) return undefined;
  const valid = ports.filter((p) => p.invalid === undefined);
  if (valid.length === 0) return undefined;
  const reasons: string[] = [];
  for (const p of valid) {
    for (const pod of pods) {
      const why = metricsReason(inventory, pod, p);
      if (why === undefined) return undefined;
      if (!reasons.includes(why)) reasons.push(why);
    }
  }
  return reasons;
}
