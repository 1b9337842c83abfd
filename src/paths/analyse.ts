// From findings to ranked attack paths: build the graph, search from every asset back to every
// entry, turn edge lists into the steps a reader follows, and weigh each door by what fixing it cuts.

import { severityRank, type Finding, type SubjectRef } from '../core/finding.js';
import { createHash } from 'node:crypto';
import { EDGE_RULES, type FindingIndex } from './edges.js';
import { AttackGraph, assetVertexId } from './graph.js';
import { ASSET_KINDS, type AssetKind, type AttackPath, type Door, type Edge, type EntryKind, type ObservedAlert, type PathStep, type StepFinding, type Vertex } from './model.js';
import type { Placement } from './placement.js';
import { distancesTo, pathFrom, type Distances } from './search.js';
import { doorKey } from './doors.js';

export interface PathOptions {
  /** `--from`: a subject to start from as well */
  subjects?: SubjectRef[];
  /** paths kept per entry and asset, from different starts (any pod) */
  perPair?: number;
  /** doors weighed by what fixing each cuts (the most used ones) */
  doorLimit?: number;
  /** only paths from these entry points, and to these assets (doors are weighed on those paths alone) */
  entries?: readonly EntryKind[];
  assets?: readonly AssetKind[];
}

export interface PathAnalysis {
  paths: AttackPath[];
  doors: Door[];
  graph: { vertices: Vertex[]; edges: Edge[] };
  stats: { vertices: number; edges: number; findingsUsed: number };
}

/** A runtime or audit alert placed on the step it shows: the technique and the workload it touched. */
export interface PlacedAlert extends ObservedAlert {
  technique: 'kubelet-exec' | 'rbac' | 'metadata' | 'container-escape';
  /** vertex id of the workload: the step's target (exec) or source (metadata, escape) */
  workload: string;
}

export function buildGraph(findings: readonly Finding[], placement: Placement, subjects: readonly SubjectRef[] = []): AttackGraph {
  const graph = new AttackGraph(placement);
  // Only the findings an edge rule is handed or asks the index for can prove a step; those are the
  // ones kept. Keying every finding (316,712 on the 100,000-resource corpus, 36,189 of them on
  // edges) was a third of buildGraph (bench/paths.ts). Lists keep the findings' order, so a
  // repeated fingerprint still resolves to its last finding.
  const byRule = new Map<string, Finding[]>();
  const index: FindingIndex = {
    byRule: (id) => {
      let list = byRule.get(id);
      if (list === undefined) {
        byRule.set(id, (list = findings.filter((f) => f.ruleId === id)));
        for (const f of list) graph.findings.set(f.fingerprint, f);
      }
      return list;
    },
  };
  for (const s of subjects) graph.entry('subject', s);
  for (const f of findings) {
    const rule = EDGE_RULES[f.ruleId];
    if (rule === undefined) continue;
    graph.findings.set(f.fingerprint, f);
    rule(f, graph, index);
  }
  graph.linkGroups();
  return graph;
}

function startsOf(graph: AttackGraph): { entry: EntryKind; starts: number[] }[] {
  // a loop, not flatMap: flatMap made an array per vertex to find the two or three entries
  const fixed = (kind: EntryKind): number[] => {
    const out: number[] = [];
    graph.vertices.forEach((v, i) => {
      if (v.type === 'entry' && v.entry === kind) out.push(i);
    });
    return out;
  };
  return [
    { entry: 'network', starts: fixed('network') },
    { entry: 'any-pod', starts: graph.workloadVertices() },
    { entry: 'authenticated', starts: fixed('authenticated') },
    { entry: 'subject', starts: fixed('subject') },
  ];
}

/** The proved edges of a path, each with the real vertices on either side (groups and hubs skipped). */
function stepsOf(graph: AttackGraph, edges: readonly number[], start: number): { from: number; to: number; edge: number }[] {
  const steps: { from: number; to: number; edge: number }[] = [];
  let lastReal = start;
  for (const e of edges) {
    const edge = graph.edges[e];
    if (edge.proof) steps.push({ from: lastReal, to: edge.to, edge: e });
    else if (steps.length > 0 && graph.isInternal(steps[steps.length - 1].to)) steps[steps.length - 1].to = edge.to;
    if (!graph.isInternal(edge.to)) lastReal = edge.to;
  }
  return steps;
}

/** Where a finding is, as much as it says: what a reader opens to fix it. */
function placeOf(f: Finding): Pick<Finding, 'resource' | 'location' | 'endpoint'> {
  return { ...(f.resource ? { resource: f.resource } : {}), ...(f.location ? { location: f.location } : {}), ...(f.endpoint ? { endpoint: f.endpoint } : {}) };
}

function stepFinding(f: Finding): StepFinding {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    fingerprint: f.fingerprint,
    message: f.message,
    remediation: f.remediation,
    ...placeOf(f),
    ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
    ...(f.suppressed ? { suppressed: f.suppressed.reason } : {}),
  };
}

/** Techniques that land in a workload: an alert of a command started in it shows the step. */
const INTO_WORKLOAD = new Set<string>(['kubelet-exec', 'rbac']);

function observedOn(step: { from: string; to: string; technique: string }, alerts: readonly PlacedAlert[]): ObservedAlert[] {
  return alerts
    .filter((a) => (INTO_WORKLOAD.has(step.technique) ? INTO_WORKLOAD.has(a.technique) && a.workload === step.to : a.technique === step.technique && a.workload === step.from))
    .map(({ ruleId, at, summary }) => ({ ruleId, at, summary }));
}

const ASSET_ORDER = (a: AssetKind): number => ASSET_KINDS.indexOf(a);

export function findPaths(graph: AttackGraph, options: PathOptions = {}, alerts: readonly PlacedAlert[] = []): PathAnalysis {
  const perPair = options.perPair ?? 5;
  const assets = ASSET_KINDS.filter((a) => options.assets?.includes(a) ?? true).map((kind) => ({ kind, target: graph.lookup(assetVertexId(kind)) }));
  const entries = startsOf(graph).filter((e) => options.entries?.includes(e.entry) ?? true);
  /** `walked`: kept for going through a workload alerts were seen on, so only if a step of it was seen */
  const found: { entry: EntryKind; start: number; asset: AssetKind; edges: number[]; walked?: true }[] = [];
  const doorsOf = (edges: readonly number[], start: number): string => stepsOf(graph, edges, start).map((st) => graph.edges[st.edge].proof?.findings.join('+')).join('>');
  // the workloads alerts were seen on: a path through one of them is kept even when it is not the shortest
  const walked = [...new Set(alerts.map((a) => graph.lookup(a.workload)).filter((v): v is number => v !== undefined))];
  const toWalked = new Map(walked.map((w) => [w, distancesTo(graph, w)]));
  for (const { kind, target } of assets) {
    if (target === undefined) continue;
    const d = distancesTo(graph, target);
    for (const { entry, starts } of entries) {
      const reached = starts.filter((s) => Number.isFinite(d.dist[s])).sort((a, b) => d.dist[a] - d.dist[b] || a - b);
      const seen = new Set<string>();
      const keep = (start: number, edges: number[], walked?: true): void => {
        // one path per sequence of proofs: a hundred pods behind the same doors are one path
        const doors = doorsOf(edges, start);
        if (edges.length === 0 || seen.has(doors)) return;
        seen.add(doors);
        found.push({ entry, start, asset: kind, edges, ...(walked ? { walked } : {}) });
      };
      for (const s of reached) {
        if (seen.size >= (entry === 'any-pod' ? perPair : 1)) break;
        keep(s, pathFrom(graph, d, s) ?? []);
      }
      for (const w of walked) {
        const onward = pathFrom(graph, d, w);
        if (onward === undefined) continue;
        if (entry === 'any-pod') keep(w, onward, true);
        else for (const s of starts) {
          const before = pathFrom(graph, toWalked.get(w)!, s);
          if (before !== undefined) keep(s, [...before, ...onward], true);
        }
      }
    }
  }
  const converted = found.map((p) => ({ p, path: toPath(graph, p, alerts) })).filter(({ p, path }) => !p.walked || path.observed !== 'no');
  const paths = converted.map((c) => c.path);
  const doors = weighDoors(graph, paths, converted.map((c) => c.p), options.doorLimit ?? 40);
  const cutOf = new Map(doors.map((d) => [d.fingerprint, d.cuts]));
  for (const d of doors) for (const fp of d.also ?? []) cutOf.set(fp, d.cuts);
  const bestCut = (p: AttackPath): number => Math.max(0, ...p.steps.flatMap((s) => s.findings.map((f) => cutOf.get(f.fingerprint) ?? 0)));
  const observedRank = { happening: 0, partly: 1, no: 2 } as const;
  const order = paths.map((p, i) => ({ p, i })).sort((a, b) => observedRank[a.p.observed] - observedRank[b.p.observed] || a.p.length - b.p.length || ASSET_ORDER(a.p.to) - ASSET_ORDER(b.p.to) || bestCut(b.p) - bestCut(a.p) || a.i - b.i);
  const ranked = order.map((o) => o.p);
  return { paths: ranked, doors, graph: drawnGraph(graph, ranked), stats: { vertices: graph.vertices.length, edges: graph.edges.length, findingsUsed: usedFindings(graph) } };
}

function usedFindings(graph: AttackGraph): number {
  const used = new Set<string>();
  for (const e of graph.edges) for (const f of e.proof?.findings ?? []) used.add(f);
  return used.size;
}

function toPath(graph: AttackGraph, p: { entry: EntryKind; start: number; asset: AssetKind; edges: number[] }, alerts: readonly PlacedAlert[]): AttackPath {
  const steps: PathStep[] = stepsOf(graph, p.edges, p.start).map((s) => {
    const proof = graph.edges[s.edge].proof!;
    const step: PathStep = {
      from: graph.id(s.from),
      to: graph.id(s.to),
      technique: proof.technique,
      action: proof.action,
      findings: proof.findings.map((fp) => stepFinding(graph.findings.get(fp)!)),
    };
    const observed = observedOn(step, alerts);
    if (observed.length > 0) step.observed = observed;
    return step;
  });
  const seen = steps.filter((s) => s.observed !== undefined).length;
  const last = steps[steps.length - 1];
  const id = createHash('sha256').update([p.entry, graph.id(p.start), p.asset, ...steps.flatMap((s) => s.findings.map((f) => f.fingerprint))].join('\n')).digest('hex').slice(0, 16);
  return {
    id,
    from: p.entry,
    start: graph.id(p.start),
    to: p.asset,
    target: last.to,
    length: steps.length,
    steps,
    observed: seen === 0 ? 'no' : seen === steps.length ? 'happening' : 'partly',
  };
}

/**
 * Each door (findings that are one fix: the kubelet's settings and its probed endpoint) is weighed
 * by the reported paths through it and by how many of them lose every way from their start to their
 * asset once it is closed, searching again without its edges.
 */
function weighDoors(graph: AttackGraph, paths: readonly AttackPath[], found: readonly { start: number; asset: AssetKind }[], limit: number): Door[] {
  const members = new Map<string, Set<string>>();
  const through = new Map<string, Set<number>>();
  /** steps each finding proves: a door is shown by the finding most of its paths go through */
  const uses = new Map<string, number>();
  paths.forEach((p, i) => {
    for (const s of p.steps) {
      for (const f of s.findings) {
        uses.set(f.fingerprint, (uses.get(f.fingerprint) ?? 0) + 1);
        const key = doorKey(graph.findings.get(f.fingerprint)!, graph.placement);
        let m = members.get(key);
        if (m === undefined) members.set(key, (m = new Set()));
        m.add(f.fingerprint);
        let t = through.get(key);
        if (t === undefined) through.set(key, (t = new Set()));
        t.add(i);
      }
    }
  });
  const candidates = [...through.entries()].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  // The edges each candidate door closes, marked once. Testing every edge's findings against the
  // door in each re-search, and keying every finding of the scan, cost more than the searches
  // themselves (bench/paths.ts: 0.5 of 0.8 s on the 100,000-resource corpus).
  const wanted = new Set(candidates.map(([key]) => key));
  const keyOf = new Map<string, string>();
  const closes = new Map<string, Uint8Array>();
  graph.edges.forEach((edge, e) => {
    for (const fp of edge.proof?.findings ?? []) {
      let key = keyOf.get(fp);
      if (key === undefined) keyOf.set(fp, (key = doorKey(graph.findings.get(fp)!, graph.placement)));
      if (!wanted.has(key)) continue;
      let mask = closes.get(key);
      if (mask === undefined) closes.set(key, (mask = new Uint8Array(graph.edges.length)));
      mask[e] = 1;
    }
  });
  const doors: Door[] = candidates.map(([key, pathSet]) => {
    const mask = closes.get(key);
    const closed = (e: number): boolean => mask !== undefined && mask[e] === 1;
    const byAsset = new Map<AssetKind, Distances>();
    let cuts = 0;
    for (const i of pathSet) {
      const p = found[i];
      let d = byAsset.get(p.asset);
      if (d === undefined) byAsset.set(p.asset, (d = distancesTo(graph, graph.lookup(assetVertexId(p.asset))!, closed)));
      if (!Number.isFinite(d.dist[p.start])) cuts++;
    }
    const fingerprints = [...(members.get(key) ?? [])];
    const list = fingerprints.map((fp) => graph.findings.get(fp)!).sort((a, b) => (uses.get(b.fingerprint) ?? 0) - (uses.get(a.fingerprint) ?? 0) || severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : 1));
    const main = list[0];
    return {
      fingerprint: main.fingerprint,
      ruleId: main.ruleId,
      title: main.title,
      severity: main.severity,
      remediation: main.remediation,
      ...placeOf(main),
      ...(list.length > 1 ? { also: list.slice(1).map((f) => f.fingerprint) } : {}),
      paths: pathSet.size,
      cuts,
    };
  });
  return doors.sort((a, b) => b.cuts - a.cuts || b.paths - a.paths || severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : 1));
}

/** The vertices and edges the reported paths use, as steps: what the HTML report draws. */
function drawnGraph(graph: AttackGraph, paths: readonly AttackPath[]): { vertices: Vertex[]; edges: Edge[] } {
  const vertices = new Map<string, Vertex>();
  const edges = new Map<string, Edge>();
  for (const p of paths) {
    for (const s of p.steps) {
      for (const id of [s.from, s.to]) {
        const v = graph.vertices[graph.lookup(id)!];
        if (v.type !== 'internal') vertices.set(id, v);
      }
      const fps = s.findings.map((f) => f.fingerprint);
      const key = `${s.from}>${s.to}>${fps.join(',')}`;
      if (!edges.has(key)) edges.set(key, { from: s.from, to: s.to, technique: s.technique, action: s.action, findings: fps });
    }
  }
  return { vertices: [...vertices.values()], edges: [...edges.values()] };
}
