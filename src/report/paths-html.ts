// The HTML attack-path report: one self-contained file (styles, script and the laid-out SVG inline;
// nothing fetched at view time, which its Content-Security-Policy enforces) that shows how the doors
// chain from entry points (left) to assets (right), which door to fix first, and every finding behind
// every step. Every string of the report came from a cluster or a file and is escaped.
//
// Wire-up: `kubemoat paths -f html -o report.html` builds the PathsReport and writes
//   writeFileSync(output, renderPathsHtml(report));
// (`renderPathsHtml(report, { graphPaths: n })` draws more or fewer paths; the list is always whole).

import { createHash } from 'node:crypto';
import type { Endpoint, ResourceRef, SourceLocation } from '../core/finding.js';
import type { AttackPath, Door, PathsReport, StepFinding, Vertex } from '../paths/model.js';
import { PATHS_HTML_SCRIPT, PATHS_HTML_STYLE } from './paths-html-assets.js';
import { edgeKey, layoutPaths, LAYOUT_SIZES, pathsToDraw, type GraphLayout, type PlacedEdge, type PlacedVertex, type Point } from './paths-layout.js';

export interface PathsHtmlOptions {
  /** how many of the best-ranked paths the graph draws (the list shows them all); default 25 */
  graphPaths?: number;
}

export const DEFAULT_GRAPH_PATHS = 25;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that cannot end its <script> element or open a comment there: every <, > and & as \u escapes. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

export function resourceText(r: ResourceRef): string {
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  return `${r.kind} ${name}${r.container ? `, container ${r.container}` : ''}`;
}

export function locationText(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.column}`;
}

export function endpointText(e: Endpoint): string {
  if ('url' in e) return e.url;
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`; // an IPv6 address in brackets
}

/** Every finding the paths use, once, numbered in the order the ranked paths first meet them. */
export function indexFindings(paths: readonly AttackPath[]): Map<string, { index: number; finding: StepFinding }> {
  const index = new Map<string, { index: number; finding: StepFinding }>();
  for (const p of paths) for (const s of p.steps) for (const f of s.findings) if (!index.has(f.fingerprint)) index.set(f.fingerprint, { index: index.size, finding: f });
  return index;
}

/** For each door, the indexes of the paths with a step through one of its findings. */
function pathsThroughDoors(report: PathsReport): number[][] {
  const byFingerprint = new Map<string, number[]>();
  report.paths.forEach((p, pi) => {
    for (const s of p.steps) {
      for (const f of s.findings) {
        const list = byFingerprint.get(f.fingerprint) ?? [];
        if (list[list.length - 1] !== pi) list.push(pi);
        byFingerprint.set(f.fingerprint, list);
      }
    }
  });
  return report.doors.map((d) => {
    const through = new Set([d.fingerprint, ...(d.also ?? [])].flatMap((fp) => byFingerprint.get(fp) ?? []));
    return [...through].sort((a, b) => a - b);
  });
}

const list = (ns: readonly number[]): string => ns.join(' ');

function sevBadge(ruleId: string, severity: string): string {
  return `<span class="rule sev-${esc(severity)}" title="${esc(severity)}">${esc(ruleId)}</span>`;
}

function fact(name: string, value: string | undefined, cls = ''): string {
  return value === undefined || value === '' ? '' : `<dt>${name}</dt><dd${cls ? ` class="${cls}"` : ''}>${esc(value)}</dd>`;
}

function findingArticle(f: StepFinding, index: number): string {
  return [
    `<article class="finding${f.suppressed ? ' accepted' : ''}" id="f-${index}" data-rule="${esc(f.ruleId)}">`,
    `<h4>${sevBadge(f.ruleId, f.severity)} <span class="sev-word">${esc(f.severity)}</span> ${esc(f.title)}</h4>`,
    '<dl>',
    fact('message', f.message),
    fact('resource', f.resource && resourceText(f.resource)),
    fact('location', f.location && locationText(f.location), 'mono'),
    fact('endpoint', f.endpoint && endpointText(f.endpoint), 'mono'),
    fact('evidence', f.evidence, 'mono'),
    fact('fix', f.remediation, 'remediation'),
    // accepted (suppressed) findings still open their step: say so, with the reason given
    fact('accepted', f.suppressed),
    '</dl></article>',
  ].join('');
}

function whereText(d: Pick<Door, 'resource' | 'location' | 'endpoint'>): string {
  return [d.resource && resourceText(d.resource), d.location && locationText(d.location), d.endpoint && endpointText(d.endpoint)].filter(Boolean).join(' · ');
}

function doorItem(d: Door, di: number, paths: number[], findings: Map<string, { index: number; finding: StepFinding }>): string {
  // the door's own finding and the others of the same door (one fix closes them all)
  const own = [d.fingerprint, ...(d.also ?? [])].flatMap((fp) => findings.get(fp) ?? []);
  const f = own.length ? ` data-f="${list(own.map((o) => o.index))}"` : '';
  const also = own.filter((o) => o.finding.fingerprint !== d.fingerprint);
  return [
    // a door on no listed path (the builder ranked it from paths it did not report) is never filtered out
    `<li class="door" data-di="${di}"${paths.length ? ` data-paths="${list(paths)}"` : ''}${f}>`,
    `<button type="button" class="door-select" data-di="${di}">`,
    `<span class="rank">${di + 1}</span> ${sevBadge(d.ruleId, d.severity)} <span class="title">${esc(d.title)}</span>`,
    `<span class="where">${esc(whereText(d))}</span>`,
    also.length ? `<span class="also">same door: ${also.map((o) => sevBadge(o.finding.ruleId, o.finding.severity)).join(' ')}</span>` : '',
    `<span class="cuts">on ${d.paths} path${d.paths === 1 ? '' : 's'}; ${d.cuts > 0 ? `fixing it cuts ${d.cuts} of them` : 'each has another way'}</span>`,
    `<span class="remediation">${esc(d.remediation)}</span>`,
    '</button></li>',
  ].join('');
}

const OBSERVED_WORDS: Record<AttackPath['observed'], string> = { no: '', partly: 'partly seen', happening: 'happening' };

function pathItem(p: AttackPath, pi: number, labels: Map<string, string>, findings: Map<string, { index: number }>, drawnEdges: Map<string, number>, drawn: boolean): string {
  const observed = OBSERVED_WORDS[p.observed];
  const steps = p.steps.map((s, si) => {
    const fs = s.findings.map((f) => findings.get(f.fingerprint)!.index);
    const ei = drawnEdges.get(edgeKey(s));
    return [
      `<li><button type="button" class="step${s.observed?.length ? ' seen' : ''}" data-pi="${pi}" data-si="${si}" data-f="${list(fs)}"${ei === undefined ? '' : ` data-ei="${ei}"`}>`,
      `<span class="tech">${esc(s.technique)}</span> → <span class="to">${esc(labels.get(s.to) ?? s.to)}</span>`,
      `<span class="action">${esc(s.action)}</span>`,
      `<span class="rules">${s.findings.map((f) => `${sevBadge(f.ruleId, f.severity)} <span class="rule-title">${esc(f.title)}</span>`).join(' ')}</span>`,
      '</button></li>',
    ].join('');
  });
  return [
    `<li class="path${p.observed === 'no' ? '' : ` observed-${p.observed}`}" data-pi="${pi}" data-paths="${pi}" data-from="${esc(p.from)}" data-to="${esc(p.to)}">`,
    `<button type="button" class="path-select" data-pi="${pi}"><span class="rank">#${pi + 1}</span> `,
    `<span class="ends">${esc(labels.get(p.start) ?? p.start)} ⇒ ${esc(labels.get(p.target) ?? p.target)}</span>`,
    `<span class="meta">${esc(p.from)} → ${esc(p.to)} · ${p.length} step${p.length === 1 ? '' : 's'}</span>`,
    observed ? `<span class="badge ${esc(p.observed)}">${observed}</span>` : '',
    drawn ? '' : '<span class="badge undrawn">not in graph</span>',
    '</button>',
    `<ol class="steps">${steps.join('')}</ol></li>`,
  ].join('');
}

// ---- the SVG ----

function pointsAttr(ps: readonly Point[]): string {
  return ps.map((p) => `${p.x},${p.y}`).join(' ');
}

/** Each type its own outline, so types read apart in print and without colour too. */
export function vertexShape(v: PlacedVertex): string {
  const l = v.x - v.width / 2;
  const r = v.x + v.width / 2;
  const t = v.y - v.height / 2;
  const b = v.y + v.height / 2;
  const tip = 12;
  switch (v.vertex.type) {
    case 'entry': // an arrow pointing into the cluster
      return `<polygon class="shape" points="${pointsAttr([{ x: l, y: t }, { x: r - tip, y: t }, { x: r, y: v.y }, { x: r - tip, y: b }, { x: l, y: b }])}"/>`;
    case 'workload':
      return `<rect class="shape" x="${l}" y="${t}" width="${v.width}" height="${v.height}" rx="3"/>`;
    case 'identity': // a badge
      return `<rect class="shape" x="${l}" y="${t}" width="${v.width}" height="${v.height}" rx="${v.height / 2}"/>`;
    case 'node': // a hexagon, a machine
      return `<polygon class="shape" points="${pointsAttr([{ x: l + tip, y: t }, { x: r - tip, y: t }, { x: r, y: v.y }, { x: r - tip, y: b }, { x: l + tip, y: b }, { x: l, y: v.y }])}"/>`;
    case 'asset': // a double border: what the attacker wants
      return `<rect class="shape" x="${l}" y="${t}" width="${v.width}" height="${v.height}" rx="7"/><rect class="inner" x="${l + 3.5}" y="${t + 3.5}" width="${v.width - 7}" height="${v.height - 7}" rx="4"/>`;
  }
}

function vertexSvg(v: PlacedVertex, vi: number, topPaths: ReadonlySet<number>): string {
  const classes = ['vertex', `v-${v.vertex.type}`, v.paths.includes(0) ? 'top1' : '', v.paths.some((p) => topPaths.has(p)) ? 'top' : ''].filter(Boolean).join(' ');
  const top = v.y - v.height / 2;
  return [
    `<g class="${classes}" data-vi="${vi}" data-vertex="${esc(v.vertex.id)}" data-type="${v.vertex.type}" data-paths="${list(v.paths)}" tabindex="0" role="button">`,
    `<title>${esc(v.vertex.label)}</title>`,
    vertexShape(v),
    `<text class="caption" x="${v.x}" y="${top + 15}">${esc(v.caption)}</text>`,
    ...v.lines.map((line, i) => `<text class="name" x="${v.x}" y="${top + 32 + i * LAYOUT_SIZES.LINE_HEIGHT}">${esc(line)}</text>`),
    '</g>',
  ].join('');
}

/** A smooth line through dagre's bend points: quadratic curves turning at each one. */
export function curve(ps: readonly Point[]): string {
  if (ps.length === 0) return '';
  const parts = [`M${ps[0].x},${ps[0].y}`];
  for (let i = 1; i < ps.length - 1; i++) {
    const mid = { x: round((ps[i].x + ps[i + 1].x) / 2), y: round((ps[i].y + ps[i + 1].y) / 2) };
    parts.push(`Q${ps[i].x},${ps[i].y} ${mid.x},${mid.y}`);
  }
  const last = ps[ps.length - 1];
  parts.push(`L${last.x},${last.y}`);
  return parts.join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The arrowhead as a shape of the edge (not a <marker>), so it takes the edge's colour when selected. */
export function arrowHead(ps: readonly Point[]): string {
  if (ps.length < 2) return '';
  const tip = ps[ps.length - 1];
  const before = ps[ps.length - 2];
  const len = Math.hypot(tip.x - before.x, tip.y - before.y) || 1;
  const ux = (tip.x - before.x) / len;
  const uy = (tip.y - before.y) / len;
  const back = { x: tip.x - ux * 10, y: tip.y - uy * 10 };
  const left = { x: round(back.x - uy * 5), y: round(back.y + ux * 5) };
  const right = { x: round(back.x + uy * 5), y: round(back.y - ux * 5) };
  return `<polygon class="head" points="${pointsAttr([tip, left, right])}"/>`;
}

function edgeSvg(e: PlacedEdge, ei: number, findings: readonly number[], top: ReadonlySet<number>): string {
  const classes = ['edge', e.paths.includes(0) ? 'top1' : e.paths.some((p) => top.has(p)) ? 'top' : '', e.observed ? 'observed' : ''].filter(Boolean).join(' ');
  const d = curve(e.points);
  const { LABEL_HEIGHT } = LAYOUT_SIZES;
  return [
    `<g class="${classes}" data-ei="${ei}" data-edge="${esc(e.key)}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-technique="${esc(e.technique)}" data-paths="${list(e.paths)}" data-step="${e.step[0]}:${e.step[1]}" data-f="${list(findings)}" tabindex="0" role="button">`,
    `<title>${esc(e.technique)}</title>`,
    `<path class="hit" d="${d}"/><path class="line" d="${d}"/>`,
    arrowHead(e.points),
    `<rect class="label-box" x="${round(e.label.x - e.labelWidth / 2)}" y="${round(e.label.y - LABEL_HEIGHT / 2)}" width="${e.labelWidth}" height="${LABEL_HEIGHT}" rx="4"/>`,
    `<text class="label" x="${e.label.x}" y="${e.label.y + 4}">${esc(e.technique)}</text>`,
    '</g>',
  ].join('');
}

/** How many ranked paths count as "top" in the drawing (the first is drawn strongest). */
const TOP_PATHS = 3;

function graphSvg(layout: GraphLayout, report: PathsReport, findings: Map<string, { index: number }>): string {
  const top = new Set(Array.from({ length: Math.min(TOP_PATHS, report.paths.length) }, (_, i) => i));
  const edges = layout.edges.map((e, ei) => {
    const [pi, si] = e.step;
    return edgeSvg(e, ei, report.paths[pi].steps[si].findings.map((f) => findings.get(f.fingerprint)!.index), top);
  });
  return [
    `<svg id="graph" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="group" aria-label="attack-path graph">`,
    `<g class="edges">${edges.join('')}</g>`,
    `<g class="vertices">${layout.vertices.map((v, vi) => vertexSvg(v, vi, top)).join('')}</g>`,
    '</svg>',
  ].join('');
}

const LEGEND_TYPES: Vertex['type'][] = ['entry', 'workload', 'identity', 'node', 'asset'];

function legend(): string {
  const sample = (type: Vertex['type']): PlacedVertex => ({ vertex: { type, id: type, label: type } as Vertex, x: 30, y: 12, width: 56, height: 20, caption: '', lines: [], paths: [] });
  const shapes = LEGEND_TYPES.map((t) => `<span class="key"><svg width="60" height="24" aria-hidden="true"><g class="vertex v-${t}">${vertexShape(sample(t))}</g></svg>${t}</span>`);
  const line = (cls: string, word: string) => `<span class="key"><svg width="40" height="12" aria-hidden="true"><g class="edge ${cls}"><path class="line" d="M2,6 L38,6"/></g></svg>${word}</span>`;
  return `<div class="legend">${shapes.join('')}${line('top1', 'top path')}${line('top', `paths #2–#${TOP_PATHS}`)}${line('observed', 'seen happening')}${line('', 'other')}</div>`;
}

// ---- the page ----

function options(values: readonly string[], counts: Partial<Record<string, number>>, all: string): string {
  return [`<option value="">${all}</option>`, ...values.map((v) => `<option value="${esc(v)}">${esc(v)} (${counts[v] ?? 0})</option>`)].join('');
}

function countBy<K extends string>(paths: readonly AttackPath[], key: (p: AttackPath) => K): Map<K, number> {
  const m = new Map<K, number>();
  for (const p of paths) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
  return m;
}

function targetText(t: PathsReport['target']): string {
  return t.type === 'cluster' ? `cluster context ${t.context}` : `manifests ${t.paths.join(', ')}`;
}

function graphNote(drawn: number, total: number, limit: number): string {
  if (total === 0) return '<p class="note">No attack path was found: no chain of findings joins an entry point to an asset.</p>';
  if (drawn === total) return `<p class="note">The graph draws all ${total} path${total === 1 ? '' : 's'}. Click an edge or a vertex for its findings.</p>`;
  return `<p class="note">The graph draws ${drawn} of ${total} paths: the ${Math.min(limit, total)} best ranked and the best of each entry → asset pair. The list has every path. Click an edge or a vertex for its findings.</p>`;
}

export function renderPathsHtml(report: PathsReport, opts: PathsHtmlOptions = {}): string {
  const limit = opts.graphPaths ?? DEFAULT_GRAPH_PATHS;
  const drawn = pathsToDraw(report.paths, limit);
  const layout = layoutPaths(report.paths, drawn, report.graph.vertices);
  const findings = indexFindings(report.paths);
  const labels = new Map(report.graph.vertices.map((v) => [v.id, v.label]));
  const drawnEdges = new Map(layout.edges.map((e, ei) => [e.key, ei]));
  const drawnSet = new Set(drawn);
  const doorPaths = pathsThroughDoors(report);
  const froms = [...countBy(report.paths, (p) => p.from)];
  const tos = [...countBy(report.paths, (p) => p.to)];
  const observedCount = report.paths.filter((p) => p.observed !== 'no').length;

  const body = [
    '<header>',
    `<h1>kubemoat attack paths <span class="target">${esc(targetText(report.target))}</span></h1>`,
    `<p class="summary">${report.summary.paths} path${report.summary.paths === 1 ? '' : 's'} joining ${report.summary.pairs} entry → asset pair${report.summary.pairs === 1 ? '' : 's'}, through ${report.summary.findingsUsed} finding${report.summary.findingsUsed === 1 ? '' : 's'}`,
    observedCount ? `; <strong class="happening-text">${observedCount} seen happening</strong>` : '',
    ` · ${esc(report.tool)} ${esc(report.version)}, ${esc(report.startedAt)}</p>`,
    '</header>',
    '<main>',
    '<aside id="side">',
    '<section class="controls" aria-label="filters">',
    `<label>entry point <select id="filter-entry">${options(froms.map(([k]) => k), Object.fromEntries(froms), 'every entry point')}</select></label>`,
    `<label>asset <select id="filter-asset">${options(tos.map(([k]) => k), Object.fromEntries(tos), 'every asset')}</select></label>`,
    `<p id="shown" class="note">${report.paths.length} of ${report.paths.length} paths shown</p>`,
    '</section>',
    '<section id="doors"><h2>Fix this first</h2>',
    report.doors.length ? `<ol class="doors">${report.doors.map((d, di) => doorItem(d, di, doorPaths[di], findings)).join('')}</ol>` : '<p class="note">No door lies on a path.</p>',
    '</section>',
    `<section id="paths"><h2>Paths</h2><ol class="paths">${report.paths.map((p, pi) => pathItem(p, pi, labels, findings, drawnEdges, drawnSet.has(pi))).join('')}</ol></section>`,
    `<section id="findings"><h2>Findings on these paths</h2>${[...findings.values()].map(({ index, finding }) => findingArticle(finding, index)).join('')}</section>`,
    '<section id="sources"><h2>Evidence read</h2><ul>',
    report.evidence.map((e) => `<li>${esc(e.source)}: ${esc(e.what)} (${e.findings} finding${e.findings === 1 ? '' : 's'})</li>`).join(''),
    '</ul>',
    report.coverage.length ? `<h2>Not seen</h2><ul>${report.coverage.map((c) => `<li class="${esc(c.severity)}">${esc(c.target)}: ${esc(c.reason)}</li>`).join('')}</ul>` : '',
    '</section>',
    '</aside>',
    '<section id="view">',
    `<div id="graph-pane"><div class="graph-head">${legend()}${graphNote(drawn.length, report.paths.length, limit)}</div>`,
    `<div id="graph-scroll">${layout.vertices.length ? graphSvg(layout, report, findings) : ''}</div></div>`,
    '<section id="details" aria-live="polite"><h2>Details</h2><div id="details-body"><p class="note">Click a step, an edge, a vertex or a door.</p></div></section>',
    '</section>',
    '</main>',
  ].join('');

  const data = jsonForScript(report);
  const csp = `default-src 'none'; style-src ${cspHash(PATHS_HTML_STYLE)}; script-src ${cspHash(PATHS_HTML_SCRIPT)}; img-src data:`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>kubemoat attack paths: ${esc(targetText(report.target))}</title>`,
    `<style>${PATHS_HTML_STYLE}</style>`,
    '</head><body>',
    body,
    `<script type="application/json" id="paths-data">${data}</script>`,
    `<script>${PATHS_HTML_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
