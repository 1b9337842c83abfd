// Small readers over an endpoint's observations, and a builder for rule examples.

import type { Observation, ProbedEndpoint, ServiceKind } from '../model.js';

export function obs(ep: ProbedEndpoint, key: string): Observation | undefined {
  return ep.observations[key];
}

export function answered200(ep: ProbedEndpoint, key: string): boolean {
  return ep.observations[key]?.status === 200;
}

/** "GET /pods → 200" (plus the shape when there is one). */
export function line(o: Observation): string {
  const outcome = o.status !== undefined ? String(o.status) : (o.failure ?? 'no answer');
  return `${o.request} → ${outcome}`;
}

export function counted(o: Observation | undefined, name: string): number | undefined {
  return o?.counts?.[name];
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** An endpoint for a rule's examples. */
export function example(service: ServiceKind, scheme: ProbedEndpoint['scheme'], observations: Record<string, Observation>, extra: Partial<ProbedEndpoint> = {}): ProbedEndpoint {
  const port = { 'kube-apiserver': 6443, kubelet: 10250, 'kubelet-read-only': 10255, etcd: 2379, 'kubernetes-dashboard': 8443, docker: 2375, cadvisor: 4194, 'kube-proxy': 10249, 'kube-component': 10257 }[service as string] ?? 8080;
  return { host: '192.0.2.10', port, scheme, service, identifiedBy: 'example', observations, ...extra };
}
