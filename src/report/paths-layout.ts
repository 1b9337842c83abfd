// Where each vertex and edge of the attack-path graph goes on the page, computed once in Node with
// dagre's layered layout, so the HTML report carries an SVG already laid out (small, printable, no
// layout code in the browser). Entry points are held in the leftmost layer and assets in the
// rightmost, so every chain reads left to right.

import dagre from '@dagrejs/dagre';
import type { AttackPath, PathStep, Technique, Vertex } from '../paths/model.js';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedVertex {
  vertex: Vertex;
  /** centre */
  x: number;
  y: number;
  width: number;
  height: number;
  caption: string;
  /** the name, wrapped */
  lines: string[];
  /** indexes into report.paths of the drawn paths through it */
  paths: number[];
}

export interface PlacedEdge {
  key: string;
  from: string;
  to: string;
  technique: Technique;
  points: Point[];
  /** centre of the technique label */
  label: Point;
  labelWidth: number;
  /** indexes into report.paths of the drawn paths taking this step */
  paths: number[];
  /** one step drawn by this edge, for its action and findings: [path index, step index] */
  step: [number, number];
  observed: boolean;
}

export interface GraphLayout {
  width: number;
  height: number;
  vertices: PlacedVertex[];
  edges: PlacedEdge[];
}

const VERTEX_HEIGHT = 44;
const LINE_HEIGHT = 15;
const LINE_CHARS = 20;
const MAX_LINES = 2;
const MAX_CAPTION = 32;
// DejaVu Sans (what Debian's chromium falls back to) is wide: these keep text inside its box.
const TEXT_EM = 0.62;
const TEXT_PX = 12.5;
const CAPTION_PX = 10;
const LABEL_PX = 11;
const LABEL_HEIGHT = 18;
// the rails that pin entries left and assets right; invisible, weighted far above real edges
const SOURCE = '\u0000source';
const SINK = '\u0000sink';
const RAIL_WEIGHT = 100;

export function edgeKey(s: Pick<PathStep, 'from' | 'to' | 'technique'>): string {
  return `${s.from}|${s.to}|${s.technique}`;
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * A name broken into at most `maxLines` lines of `width` characters, after spaces, slashes, dashes
 * and dots where it can be; what does not fit ends in an ellipsis.
 */
export function wrapText(s: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of s.split(/(?<=[\s/.:-])/)) {
    if ((line + piece).trimEnd().length <= width) {
      line += piece;
      continue;
    }
    if (line) lines.push(line.trimEnd());
    line = piece;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = truncate(`${kept[maxLines - 1]}${lines[maxLines]}`, width);
  return kept;
}

export function textWidth(s: string, px: number): number {
  return Math.ceil(s.length * px * TEXT_EM);
}

/** The small line above a vertex's name, and the name: a workload reads "DaemonSet · monitoring" over "log-shipper". */
export function vertexText(v: Vertex): { caption: string; text: string } {
  switch (v.type) {
    case 'workload':
      return { caption: [v.resource.kind, v.resource.namespace].filter(Boolean).join(' · '), text: v.resource.name };
    case 'identity':
      return { caption: [v.subject.kind, v.subject.namespace].filter(Boolean).join(' · '), text: v.subject.name };
    case 'entry':
      return { caption: `entry · ${v.entry}`, text: v.label };
    case 'node':
      return { caption: 'node', text: v.label };
    case 'asset':
      return { caption: `asset · ${v.asset}`, text: v.label };
  }
}

/** A vertex a path names that the report's graph does not hold: drawn by its id rather than dropped. */
function standIn(id: string): Vertex {
  return { type: 'node', id, label: id, node: id };
}

/**
 * The paths the graph draws: the `limit` best ranked, and the best of every entry → asset pair so
 * that each filter choice still shows one chain. Indexes into `paths`, ascending.
 */
export function pathsToDraw(paths: readonly AttackPath[], limit: number): number[] {
  const chosen = new Set<number>();
  for (let i = 0; i < Math.min(limit, paths.length); i++) chosen.add(i);
  const pairs = new Set<string>();
  paths.forEach((p, i) => {
    const pair = `${p.from}>${p.to}`;
    if (!pairs.has(pair)) {
      pairs.add(pair);
      chosen.add(i);
    }
  });
  return [...chosen].sort((a, b) => a - b);
}

interface NodeLabel {
  width: number;
  height: number;
  x?: number;
  y?: number;
}

interface EdgeLabel {
  width: number;
  height: number;
  minlen?: number;
  weight?: number;
  labelpos?: 'c';
  points?: Point[];
  x?: number;
  y?: number;
}

export function layoutPaths(paths: readonly AttackPath[], drawn: readonly number[], vertices: readonly Vertex[]): GraphLayout {
  const byId = new Map(vertices.map((v) => [v.id, v]));
  const placed = new Map<string, PlacedVertex>();
  const edges = new Map<string, PlacedEdge>();
  const starts = new Set<string>();
  const targets = new Set<string>();
  const vertexOf = (id: string): PlacedVertex => {
    let p = placed.get(id);
    if (!p) {
      const vertex = byId.get(id) ?? standIn(id);
      const t = vertexText(vertex);
      const caption = truncate(t.caption, MAX_CAPTION);
      const lines = wrapText(t.text, LINE_CHARS, MAX_LINES);
      const width = Math.max(...lines.map((l) => textWidth(l, TEXT_PX)), textWidth(caption, CAPTION_PX)) + 34;
      p = { vertex, x: 0, y: 0, width, height: VERTEX_HEIGHT + LINE_HEIGHT * (lines.length - 1), caption, lines, paths: [] };
      placed.set(id, p);
    }
    return p;
  };
  for (const pi of drawn) {
    const path = paths[pi];
    starts.add(path.start);
    targets.add(path.target);
    path.steps.forEach((s, si) => {
      for (const id of [s.from, s.to]) {
        const v = vertexOf(id);
        if (v.paths[v.paths.length - 1] !== pi) v.paths.push(pi);
      }
      const key = edgeKey(s);
      let e = edges.get(key);
      if (!e) {
        e = { key, from: s.from, to: s.to, technique: s.technique, points: [], label: { x: 0, y: 0 }, labelWidth: textWidth(s.technique, LABEL_PX) + 12, paths: [], step: [pi, si], observed: false };
        edges.set(key, e);
      }
      if (e.paths[e.paths.length - 1] !== pi) e.paths.push(pi);
      if (s.observed?.length) e.observed = true;
    });
  }
  for (const v of placed.values()) {
    if (v.vertex.type === 'entry') starts.add(v.vertex.id);
    if (v.vertex.type === 'asset') targets.add(v.vertex.id);
  }

  const g = new dagre.graphlib.Graph<object, NodeLabel, EdgeLabel>({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 36, edgesep: 14, marginx: 0, marginy: 0 });
  for (const [id, v] of placed) g.setNode(id, { width: v.width, height: v.height });
  for (const e of edges.values()) g.setEdge(e.from, e.to, { width: e.labelWidth, height: LABEL_HEIGHT, labelpos: 'c', weight: 1, minlen: 1 }, e.technique);
  g.setNode(SOURCE, { width: 1, height: 1 });
  g.setNode(SINK, { width: 1, height: 1 });
  for (const id of starts) if (placed.has(id)) g.setEdge(SOURCE, id, { width: 0, height: 0, weight: RAIL_WEIGHT, minlen: 1 }, 'rail');
  for (const id of targets) if (placed.has(id)) g.setEdge(id, SINK, { width: 0, height: 0, weight: RAIL_WEIGHT, minlen: 1 }, 'rail');
  dagre.layout(g);

  for (const [id, v] of placed) {
    const n = g.node(id);
    v.x = n.x ?? 0;
    v.y = n.y ?? 0;
  }
  for (const e of edges.values()) {
    const l = g.edge(e.from, e.to, e.technique);
    e.points = l.points ?? [];
    e.label = { x: l.x ?? 0, y: l.y ?? 0 };
  }
  return withoutRails([...placed.values()], [...edges.values()]);
}

/** Moves the drawing to the origin with a margin, leaving out the space the invisible rails took. */
function withoutRails(vertices: PlacedVertex[], edges: PlacedEdge[]): GraphLayout {
  const margin = 14;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const v of vertices) xs.push(v.x - v.width / 2, v.x + v.width / 2), ys.push(v.y - v.height / 2, v.y + v.height / 2);
  for (const e of edges) {
    for (const p of e.points) xs.push(p.x), ys.push(p.y);
    xs.push(e.label.x - e.labelWidth / 2, e.label.x + e.labelWidth / 2), ys.push(e.label.y - LABEL_HEIGHT / 2, e.label.y + LABEL_HEIGHT / 2);
  }
  if (xs.length === 0) return { width: 0, height: 0, vertices, edges };
  const dx = margin - Math.min(...xs);
  const dy = margin - Math.min(...ys);
  const move = (p: Point): Point => ({ x: round(p.x + dx), y: round(p.y + dy) });
  for (const v of vertices) Object.assign(v, move(v));
  for (const e of edges) {
    e.points = e.points.map(move);
    e.label = move(e.label);
  }
  return { width: Math.ceil(Math.max(...xs) + dx + margin), height: Math.ceil(Math.max(...ys) + dy + margin), vertices, edges };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export const LAYOUT_SIZES = { LABEL_HEIGHT, LINE_HEIGHT };
