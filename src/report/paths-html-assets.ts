// The style sheet and the script that the HTML attack-path report inlines. The script only filters,
// highlights and fills the details panel: the graph arrives laid out, and every text it shows is
// either cloned from the escaped page or set with textContent, never parsed as HTML.
// (Plain strings, not template literals with ${}, so that the browser code stays browser code.)

export const PATHS_HTML_STYLE = String.raw`
:root { --entry:#c2410c; --workload:#1d4ed8; --identity:#7e22ce; --node:#0f766e; --asset:#b91c1c;
  --edge:#94a3b8; --top1:#dc2626; --top:#f59e0b; --seen:#be185d; --sel:#2563eb; --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; font: 13px/1.4 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: #fff; }
header { padding: 8px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 17px; margin: 0; }
h1 .target { font-weight: normal; color: var(--muted); font-size: 14px; margin-left: 8px; }
h2 { font-size: 14px; margin: 14px 0 6px; }
.summary { margin: 2px 0 0; color: var(--muted); }
.happening-text { color: var(--seen); }
main { flex: 1; display: grid; grid-template-columns: 340px 1fr; min-height: 0; }
#side { overflow: auto; padding: 4px 12px 24px; border-right: 1px solid var(--line); }
#view { display: flex; flex-direction: column; min-width: 0; min-height: 0; }
#graph-pane { flex: 0 1 auto; max-height: 72%; display: flex; flex-direction: column; min-height: 0; padding: 6px 0 0 12px; }
#graph-scroll { overflow: auto; min-height: 0; padding-right: 12px; }
#details { flex: 1 1 32%; overflow: auto; border-top: 2px solid var(--line); padding: 0 16px 12px; background: #fafafa; }
.note { color: var(--muted); margin: 4px 0; }
.controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 8px 0; border-bottom: 1px solid var(--line); }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls select { font: inherit; color: var(--ink); padding: 2px; max-width: 180px; }
.controls .note { flex-basis: 100%; }
ol, ul { margin: 0; padding: 0; }
ol.doors, ol.paths { list-style: none; }
button { font: inherit; color: inherit; text-align: left; background: none; border: 0; padding: 0; cursor: pointer; width: 100%; }
button:focus-visible, [role=button]:focus-visible { outline: 2px solid var(--sel); outline-offset: 1px; }
.door button { display: grid; grid-template-columns: 22px auto 1fr; align-items: start; gap: 1px 6px; padding: 6px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 6px; }
.door .rank { grid-row: span 5; font-weight: bold; font-size: 16px; color: var(--muted); }
.door .title { font-weight: bold; }
.door .where, .door .also, .door .cuts, .door .remediation { grid-column: 2 / 4; }
.door .where { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; color: var(--muted); overflow-wrap: anywhere; }
.door .cuts { font-size: 12px; }
.door .remediation { font-size: 12px; }
.door.selected button, .path.selected > button { border-color: var(--sel); background: #eff6ff; }
.path { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 8px; }
.path > button { display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: baseline; padding: 6px 8px; border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
.path .rank { font-weight: bold; }
.path .ends { font-weight: bold; flex: 1 1 60%; }
.path .meta { color: var(--muted); font-size: 12px; }
.path.observed-happening { border-color: var(--seen); border-left: 5px solid var(--seen); }
.path.observed-partly { border-left: 5px solid #f9a8d4; }
.badge { font-size: 11px; padding: 0 6px; border-radius: 8px; border: 1px solid var(--muted); color: var(--muted); }
.badge.happening { background: var(--seen); border-color: var(--seen); color: #fff; font-weight: bold; text-transform: uppercase; }
.badge.partly { border-color: var(--seen); color: var(--seen); }
.steps { list-style: none; padding: 4px 8px 6px; counter-reset: step; }
.steps li { counter-increment: step; }
.step { display: block; padding: 4px 4px 4px 26px; position: relative; border-radius: 4px; }
.step::before { content: counter(step); position: absolute; left: 4px; top: 4px; width: 16px; height: 16px; border-radius: 8px; background: var(--line); text-align: center; font-size: 11px; line-height: 16px; }
.step.seen::before { background: var(--seen); color: #fff; }
.step:hover, .step.selected { background: #eff6ff; }
.step .tech { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; background: #f1f5f9; padding: 0 4px; border-radius: 3px; }
.step .to { font-weight: bold; }
.step .action, .step .rules { display: block; font-size: 12px; }
.step .action { color: var(--muted); }
.rule { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; padding: 0 4px; border-radius: 3px; color: #fff; background: var(--muted); white-space: nowrap; }
.sev-critical { background: #991b1b; } .sev-high { background: #c2410c; } .sev-medium { background: #a16207; } .sev-low { background: #4b5563; } .sev-info { background: #6b7280; }
.finding { border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; margin: 6px 0; background: #fff; }
.finding h4 { margin: 2px 0 4px; font-size: 13px; }
.finding .sev-word { color: var(--muted); font-weight: normal; font-size: 12px; }
.finding dl { display: grid; grid-template-columns: 72px 1fr; gap: 2px 8px; margin: 0; font-size: 12px; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; overflow-wrap: anywhere; }
.finding dd.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; }
.finding dd.remediation { font-weight: bold; }
.finding.accepted { border-style: dashed; }
#details h3 { font-size: 14px; margin: 8px 0 2px; }
#details .alerts { margin: 4px 0 4px 18px; color: var(--seen); }
#sources li { margin-left: 18px; }
#sources li.error { color: var(--asset); }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; align-items: center; font-size: 12px; color: var(--muted); }
.legend .key { display: inline-flex; align-items: center; gap: 3px; }
#graph { display: block; max-width: 100%; height: auto; margin-top: 4px; }
.vertex { cursor: pointer; }
.vertex .shape { stroke-width: 1.6; }
.vertex .inner { fill: none; stroke-width: 1; }
.vertex text { text-anchor: middle; pointer-events: none; }
.vertex .caption { font-size: 10px; fill: var(--muted); }
.vertex .name { font-size: 12.5px; font-weight: bold; fill: var(--ink); }
.v-entry .shape { fill: #fff7ed; stroke: var(--entry); }
.v-workload .shape { fill: #eff6ff; stroke: var(--workload); }
.v-identity .shape { fill: #faf5ff; stroke: var(--identity); }
.v-node .shape { fill: #f0fdfa; stroke: var(--node); }
.v-asset .shape { fill: #fef2f2; stroke: var(--asset); stroke-width: 2; }
.v-asset .inner { stroke: var(--asset); }
.vertex.top .shape { stroke-width: 2.6; }
.edge { cursor: pointer; }
.edge .line { fill: none; stroke: var(--edge); stroke-width: 1.6; }
.edge .hit { fill: none; stroke: transparent; stroke-width: 14; }
.edge .head { fill: var(--edge); }
.edge .label-box { fill: #fff; stroke: var(--edge); stroke-width: .8; }
.edge .label { font: 11px "DejaVu Sans Mono", monospace; text-anchor: middle; fill: var(--ink); }
.edge.top .line { stroke: var(--top); stroke-width: 2.6; } .edge.top .head { fill: var(--top); } .edge.top .label-box { stroke: var(--top); }
.edge.top1 .line { stroke: var(--top1); stroke-width: 3.4; } .edge.top1 .head { fill: var(--top1); } .edge.top1 .label-box { stroke: var(--top1); stroke-width: 1.4; }
.edge.observed .line { stroke-dasharray: 7 3; }
.edge.observed .label-box { fill: #fce7f3; stroke: var(--seen); }
.edge.observed .label { fill: var(--seen); font-weight: bold; }
svg.has-selection .vertex:not(.selected), svg.has-selection .edge:not(.selected) { opacity: .22; }
.edge.selected .line { stroke: var(--sel); stroke-width: 3.6; } .edge.selected .head { fill: var(--sel); } .edge.selected .label-box { stroke: var(--sel); stroke-width: 1.6; }
.edge.current .line { stroke-width: 5; }
.vertex.selected .shape { stroke: var(--sel); }
.filtered { display: none; }
@media print {
  html, body { height: auto; display: block; }
  main { display: flex; flex-direction: column; }
  #view { order: -1; }
  #side, #view, #graph-pane, #graph-scroll { overflow: visible; border: 0; padding: 0; max-height: none; }
  .controls, #details, .graph-head .note { display: none; }
  #graph { max-width: 100%; min-width: 0 !important; page-break-inside: avoid; }
  .path, .door button, .finding { page-break-inside: avoid; }
  #graph.has-selection .vertex, #graph.has-selection .edge { opacity: 1; }
  @page { margin: 12mm; }
}
`;

export const PATHS_HTML_SCRIPT = String.raw`
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('paths-data').textContent);
  var labels = {};
  report.graph.vertices.forEach(function (v) { labels[v.id] = v.label; });
  var svg = document.getElementById('graph');
  var details = document.getElementById('details-body');
  var entry = document.getElementById('filter-entry');
  var asset = document.getElementById('filter-asset');
  function all(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  function nums(el, name) { return (el.getAttribute(name) || '').split(' ').filter(Boolean).map(Number); }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  function label(id) { return labels[id] || id; }

  function applyFilters() {
    var shown = 0, visible = {};
    report.paths.forEach(function (p, i) {
      if ((!entry.value || p.from === entry.value) && (!asset.value || p.to === asset.value)) { visible[i] = true; shown++; }
    });
    all('[data-paths]').forEach(function (e) {
      e.classList.toggle('filtered', !nums(e, 'data-paths').some(function (i) { return visible[i]; }));
    });
    document.getElementById('shown').textContent = shown + ' of ' + report.paths.length + ' paths shown';
  }

  // highlight the drawn paths in pathSet; 'current' marks one edge (a step)
  function highlight(pathSet, currentEdge) {
    all('.selected, .current').forEach(function (e) { e.classList.remove('selected', 'current'); });
    if (!svg) return;
    var any = pathSet.length > 0;
    svg.classList.toggle('has-selection', any);
    if (!any) return;
    all('#graph [data-paths]').forEach(function (e) {
      if (nums(e, 'data-paths').some(function (i) { return pathSet.indexOf(i) >= 0; })) e.classList.add('selected');
    });
    if (currentEdge !== null) {
      var edge = svg.querySelector('[data-ei="' + currentEdge + '"]');
      if (edge) edge.classList.add('selected', 'current');
    }
  }

  function clear(title) {
    details.textContent = '';
    details.appendChild(el('h3', title));
  }
  function findingsOf(indexes) {
    indexes.forEach(function (i) {
      var article = document.getElementById('f-' + i);
      if (!article) return;
      var copy = article.cloneNode(true);
      copy.removeAttribute('id');
      details.appendChild(copy);
    });
  }
  function alerts(list) {
    if (!list || !list.length) return;
    details.appendChild(el('p', 'Seen happening:', 'note'));
    var ul = el('ul', '', 'alerts');
    list.forEach(function (a) { ul.appendChild(el('li', a.at + ' ' + a.ruleId + ': ' + a.summary)); });
    details.appendChild(ul);
  }
  function pathNumbers(ps) { return ps.map(function (i) { return '#' + (i + 1); }).join(', '); }

  function showStep(pi, si, findingIndexes, onPaths) {
    var s = report.paths[pi].steps[si];
    clear(label(s.from) + ' → ' + label(s.to));
    details.appendChild(el('p', s.technique + ': ' + s.action));
    if (onPaths) details.appendChild(el('p', 'on path' + (onPaths.length === 1 ? ' ' : 's ') + pathNumbers(onPaths), 'note'));
    else details.appendChild(el('p', 'path #' + (pi + 1) + ', step ' + (si + 1) + ' of ' + report.paths[pi].steps.length, 'note'));
    alerts(s.observed);
    findingsOf(findingIndexes);
  }

  function showPath(pi) {
    var p = report.paths[pi];
    clear('Path #' + (pi + 1) + ': ' + label(p.start) + ' ⇒ ' + label(p.target));
    details.appendChild(el('p', p.from + ' → ' + p.to + ', ' + p.length + ' step' + (p.length === 1 ? '' : 's') + (p.observed !== 'no' ? ', ' + (p.observed === 'happening' ? 'happening' : 'partly seen') : ''), 'note'));
    all('.step[data-pi="' + pi + '"]').forEach(function (b) {
      var s = p.steps[Number(b.getAttribute('data-si'))];
      details.appendChild(el('h3', (Number(b.getAttribute('data-si')) + 1) + '. ' + s.technique + ' → ' + label(s.to)));
      details.appendChild(el('p', s.action));
      alerts(s.observed);
      findingsOf(nums(b, 'data-f'));
    });
  }

  function showVertex(g) {
    var id = g.getAttribute('data-vertex');
    var v = report.graph.vertices.filter(function (x) { return x.id === id; })[0] || { type: g.getAttribute('data-type'), id: id, label: id };
    clear(v.label);
    var facts = [['type', v.type], ['id', v.id]];
    if (v.resource) facts.push(['resource', v.resource.kind + ' ' + (v.resource.namespace ? v.resource.namespace + '/' : '') + v.resource.name]);
    if (v.nodes && v.nodes.length) facts.push(['runs on', v.nodes.join(', ')]);
    if (v.serviceAccount) facts.push(['service account', v.serviceAccount]);
    if (v.subject) facts.push(['subject', v.subject.kind + ' ' + (v.subject.namespace ? v.subject.namespace + '/' : '') + v.subject.name]);
    if (v.entry) facts.push(['entry', v.entry]);
    if (v.asset) facts.push(['asset', v.asset]);
    if (v.node) facts.push(['node', v.node]);
    facts.push(['on paths', pathNumbers(nums(g, 'data-paths'))]);
    var dl = el('dl', '', 'facts');
    facts.forEach(function (f) { dl.appendChild(el('dt', f[0])); dl.appendChild(el('dd', f[1])); });
    details.appendChild(dl);
  }

  function showDoor(li) {
    var d = report.doors[Number(li.getAttribute('data-di'))];
    clear('Door #' + (Number(li.getAttribute('data-di')) + 1) + ': ' + d.ruleId + ' ' + d.title);
    details.appendChild(el('p', 'on ' + d.paths + ' path' + (d.paths === 1 ? '' : 's') + (d.cuts > 0 ? '; fixing it cuts ' + d.cuts + ' of them' : '; each has another way') + '. Paths listed: ' + (pathNumbers(nums(li, 'data-paths')) || 'none'), 'note'));
    if (li.hasAttribute('data-f')) findingsOf(nums(li, 'data-f'));
    else details.appendChild(el('p', 'fix: ' + d.remediation));
  }

  function mark(node) { all('#side .selected').forEach(function (e) { e.classList.remove('selected'); }); if (node) node.classList.add('selected'); }

  document.addEventListener('click', function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var step = t.closest('.step');
    if (step) {
      var pi = Number(step.getAttribute('data-pi'));
      showStep(pi, Number(step.getAttribute('data-si')), nums(step, 'data-f'), null);
      highlight([pi], step.hasAttribute('data-ei') ? step.getAttribute('data-ei') : null);
      mark(step);
      return;
    }
    var path = t.closest('.path-select');
    if (path) {
      var i = Number(path.getAttribute('data-pi'));
      showPath(i); highlight([i], null); mark(path.parentNode);
      return;
    }
    var door = t.closest('.door');
    if (door) { showDoor(door); highlight(nums(door, 'data-paths'), null); mark(door); return; }
    var edge = t.closest('#graph .edge');
    if (edge) {
      var ref = edge.getAttribute('data-step').split(':').map(Number);
      showStep(ref[0], ref[1], nums(edge, 'data-f'), nums(edge, 'data-paths'));
      highlight(nums(edge, 'data-paths'), edge.getAttribute('data-ei'));
      mark(null);
      return;
    }
    var vertex = t.closest('#graph .vertex');
    if (vertex) { showVertex(vertex); highlight(nums(vertex, 'data-paths'), null); mark(null); return; }
    if (t.closest('#graph')) { highlight([], null); mark(null); }
  });
  document.addEventListener('keydown', function (ev) {
    var t = ev.target;
    if ((ev.key === 'Enter' || ev.key === ' ') && t instanceof Element && t.closest('#graph [role=button]')) {
      ev.preventDefault();
      t.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    }
  });
  // shrink a wide graph to the pane, but not below 70%: past that its labels are too small to read
  if (svg) svg.style.minWidth = Math.round(svg.viewBox.baseVal.width * 0.7) + 'px';
  // a big graph opens scrolled to the top path, wherever the layout put it
  function showTopPath() {
    var pane = document.getElementById('graph-scroll');
    var tops = all('#graph .edge.top1, #graph .vertex.top1');
    if (!pane || !tops.length) return;
    var paneBox = pane.getBoundingClientRect();
    var first = Math.min.apply(null, tops.map(function (e) { return e.getBoundingClientRect().top; }));
    var last = Math.max.apply(null, tops.map(function (e) { return e.getBoundingClientRect().bottom; }));
    if (first >= paneBox.top && last <= paneBox.bottom) return;
    var centre = (first + last) / 2 - paneBox.top + pane.scrollTop;
    pane.scrollTop = Math.max(0, Math.min(first - paneBox.top + pane.scrollTop - 24, centre - pane.clientHeight / 2));
  }
  // a selection hidden by a filter would dim what is shown; a printed page shows the ranks' colours
  function unselect() { highlight([], null); mark(null); }
  entry.addEventListener('change', function () { unselect(); applyFilters(); });
  asset.addEventListener('change', function () { unselect(); applyFilters(); });
  window.addEventListener('beforeprint', unselect);
  window.matchMedia('print').addEventListener('change', function (ev) { if (ev.matches) unselect(); });
  applyFilters();
  showTopPath();
  // the details panel opens on the top path: the first thing to read
  if (report.paths.length) showPath(0);
})();
`;
