// The HTML attack-path report: self-contained and escaped (checked in Node), then opened in headless
// Chromium, where its graph, its clicks, its filters and its print view are checked on the real page.
// KUBEMOAT_SCREENSHOTS=DIR keeps the page and its screenshots in DIR for a person to look at.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { renderPathsHtml, DEFAULT_GRAPH_PATHS } from '../../src/report/paths-html.js';
import { edgeKey, pathsToDraw, wrapText } from '../../src/report/paths-layout.js';
import type { PathsReport } from '../../src/paths/model.js';
import { launchChromium } from '../helpers/chromium.js';
import { CLOUD, LOG_SHIPPER, manyPathsReport, NETWORK, pathsReportFixture, STOREFRONT } from '../helpers/paths-report.js';

const HOSTILE = `<script>alert("pwned")</script>'"&`;
const BREAKOUT = '</script><img src=x onerror=alert(1)>';

function hostileReport(): PathsReport {
  const report = pathsReportFixture();
  const shipper = report.graph.vertices.find((v) => v.id === LOG_SHIPPER)!;
  shipper.label = HOSTILE;
  if (shipper.type === 'workload') shipper.resource.name = HOSTILE;
  const finding = report.paths[0].steps[0].findings[0];
  finding.evidence = BREAKOUT;
  finding.message = HOSTILE;
  report.doors[0].title = HOSTILE;
  report.target = { type: 'cluster', context: HOSTILE };
  return report;
}

describe('paths HTML, as text', () => {
  test('is one self-contained file: nothing fetched, the report embedded as JSON', () => {
    const report = pathsReportFixture();
    const html = renderPathsHtml(report);
    for (const external of [/\bsrc\s*=\s*["']?(https?:)?\/\//i, /\bhref\s*=\s*["']?(https?:)?\/\//i, /url\(\s*["']?(https?:)?\/\//i, /@import/i, /<link\b/i]) {
      assert.doesNotMatch(html, external);
    }
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:">/);
    const data = /<script type="application\/json" id="paths-data">([^<]*)<\/script>/.exec(html);
    assert.ok(data, 'the report JSON is embedded');
    assert.deepEqual(JSON.parse(data[1]), JSON.parse(JSON.stringify(report)));
    assert.equal(html.match(/<svg id="graph"/g)?.length, 1);
  });

  test('escapes every string that came from the cluster', () => {
    const html = renderPathsHtml(hostileReport());
    assert.equal(html.match(/<script\b/gi)?.length, 2, 'only the JSON block and the page script');
    assert.doesNotMatch(html, /<img\b/i);
    assert.ok(!html.includes(HOSTILE) && !html.includes(BREAKOUT));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&#39;&quot;&amp;'), 'shown as text');
    const data = /<script type="application\/json" id="paths-data">([^<]*)<\/script>/.exec(html);
    assert.ok(data && data[1].includes('\\u003c/script\\u003e\\u003cimg'), 'the JSON block cannot be closed from inside');
    assert.equal(JSON.parse(data[1]).paths[0].steps[0].findings[0].evidence, BREAKOUT);
  });

  test('a large report: the graph draws the top paths, the list holds them all, and the page says so', () => {
    const report = manyPathsReport(400);
    const html = renderPathsHtml(report);
    const total = report.paths.length;
    assert.equal(html.match(/<li class="path[ "]/g)?.length, total);
    const drawnPaths = new Set([...html.matchAll(/<g class="edge[^"]*"[^>]* data-paths="([\d ]+)"/g)].flatMap((m) => m[1].split(' ').map(Number)));
    // the 25 best, and the best of the pairs (here every pair's best is among them)
    assert.deepEqual([...drawnPaths].sort((a, b) => a - b), Array.from({ length: DEFAULT_GRAPH_PATHS }, (_, i) => i));
    assert.ok(html.includes(`The graph draws ${DEFAULT_GRAPH_PATHS} of ${total} paths`));
    assert.equal(html.match(/class="badge undrawn"/g)?.length, total - DEFAULT_GRAPH_PATHS);
  });
});

describe('paths graph layout helpers', () => {
  test('names wrap after separators, long words are cut, and what is left over ends in an ellipsis', () => {
    assert.deepEqual(wrapText('log-shipper', 20, 2), ['log-shipper']);
    assert.deepEqual(wrapText('unauthenticated network caller', 20, 2), ['unauthenticated', 'network caller']);
    assert.deepEqual(wrapText('monitoring/log-shipper-with-a-long-tail', 20, 2), ['monitoring/log-', 'shipper-with-a-long…']);
    assert.deepEqual(wrapText('x'.repeat(45), 20, 2), ['x'.repeat(20), `${'x'.repeat(19)}…`]);
    for (const line of wrapText('a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v', 8, 3)) assert.ok(line.length <= 8, line);
  });

  test('the graph draws the best paths and the best of every entry → asset pair', () => {
    const report = manyPathsReport(30);
    // the any-pod path is third: with a limit of one it is still drawn, as its pair's best
    assert.deepEqual(pathsToDraw(report.paths, 1), [0, 1, 2]);
    assert.deepEqual(pathsToDraw(report.paths, 5), [0, 1, 2, 3, 4]);
    assert.equal(pathsToDraw(report.paths, 1000).length, report.paths.length);
    assert.deepEqual(pathsToDraw([], 25), []);
  });
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('paths HTML, in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const keep = process.env.KUBEMOAT_SCREENSHOTS;
  const requests: string[] = [];
  const errors: string[] = [];
  const report = hostileReport();
  const top = report.paths[0];

  // A browser that cannot start fails each test here (a throwing hook would only cancel them).
  let launchError: unknown;
  const browserTest = (name: string, fn: () => Promise<void>) =>
    test(name, async () => {
      if (launchError) throw launchError;
      await fn();
    });

  before(async () => {
    dir = keep ?? mkdtempSync(join(tmpdir(), 'kubemoat-paths-html-'));
    mkdirSync(dir, { recursive: true });
    try {
      browser = await launchChromium();
    } catch (e) {
      launchError = e;
      return;
    }
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const file = join(dir, 'paths.html');
    writeFileSync(file, renderPathsHtml(report));
    await page.goto(pathToFileURL(file).href);
  });

  after(async () => {
    await browser?.close();
    if (!keep && dir) rmSync(dir, { recursive: true, force: true });
  });

  browserTest('loads nothing but itself, runs its script under its own policy, and the hostile name stays text', async () => {
    assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), []);
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('#shown').textContent(), '3 of 3 paths shown', 'the script ran');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 2);
    assert.ok((await page.locator('#side').textContent())!.includes(HOSTILE));
    assert.ok((await page.locator('#details-body h3').first().textContent())!.startsWith('Path #1: '), 'the details open on the top path');
  });

  browserTest('the graph draws the top path, entries on the left and assets on the right, nothing overlapping', async () => {
    for (const s of top.steps) {
      assert.equal(await page.locator(`#graph .vertex[data-vertex="${s.from}"]`).count(), 1, s.from);
      assert.equal(await page.locator(`#graph .edge.top1[data-edge="${edgeKey(s)}"]`).count(), 1, edgeKey(s));
    }
    const geometry = await page.evaluate(() => {
      const box = (e: Element) => { const b = (e as SVGGraphicsElement).getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; };
      return {
        vertices: [...document.querySelectorAll('#graph .vertex')].map((g) => ({ id: g.getAttribute('data-vertex')!, type: g.getAttribute('data-type')!, shape: box(g.querySelector('.shape')!), texts: [...g.querySelectorAll('text')].map(box) })),
        labels: [...document.querySelectorAll('#graph .edge')].map((g) => ({ edge: g.getAttribute('data-edge')!, box: box(g.querySelector('.label-box')!), text: box(g.querySelector('.label')!) })),
      };
    });
    assert.deepEqual(new Set(geometry.vertices.map((v) => v.type)), new Set(['entry', 'workload', 'identity', 'node', 'asset']));
    const x = (id: string) => geometry.vertices.find((v) => v.id === id)!.shape.x;
    const xs = [top.start, ...top.steps.map((s) => s.to)].map(x);
    assert.deepEqual(xs, [...xs].sort((a, b) => a - b), 'the top path runs left to right');
    const entries = geometry.vertices.filter((v) => v.id === NETWORK || v.id === STOREFRONT).map((v) => v.shape.x + v.shape.width);
    const targets = new Set(report.paths.map((p) => p.target));
    const ends = geometry.vertices.filter((v) => targets.has(v.id)).map((v) => v.shape);
    assert.equal(ends.length, targets.size);
    assert.ok(Math.max(...entries) < Math.min(...ends.map((a) => a.x)), 'every start left of every target');
    assert.equal(new Set(ends.map((a) => a.x + a.width / 2)).size, 1, 'the targets share the rightmost column');
    for (const v of geometry.vertices) {
      for (const t of v.texts) assert.ok(t.x >= v.shape.x && t.x + t.width <= v.shape.x + v.shape.width, `text inside ${v.id}`);
      for (const w of geometry.vertices) if (w !== v) assert.ok(!overlaps(v.shape, w.shape), `${v.id} clear of ${w.id}`);
      for (const l of geometry.labels) assert.ok(!overlaps(v.shape, l.box), `label ${l.edge} clear of ${v.id}`);
    }
    for (const l of geometry.labels) assert.ok(l.text.width <= l.box.width, `label ${l.edge} fits its box`);
  });

  browserTest('a screenshot at 1366x768 shows the page with the top path in its colour', async () => {
    const shot = join(dir, 'paths-1366x768.png');
    const png = await page.screenshot({ path: shot });
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 1366);
    assert.equal(png.readUInt32BE(20), 768);
    assert.ok(png.length > 30_000, `a page of text and graph, not a blank one: ${png.length} bytes`);
    const blank = await browser.newPage();
    const pixels = await blank.evaluate(async (b64: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const colours = new Set<number>();
      let sum = 0;
      let sumSq = 0;
      let topRed = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        colours.add((r << 16) | (g << 8) | b);
        const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        sum += luma;
        sumSq += luma * luma;
        if (Math.abs(r - 0xdc) < 12 && Math.abs(g - 0x26) < 12 && Math.abs(b - 0x26) < 12) topRed++; // --top1
      }
      const n = data.length / 4;
      return { colours: colours.size, lumaDeviation: Math.sqrt(sumSq / n - (sum / n) ** 2), topRed };
    }, png.toString('base64'));
    await blank.close();
    assert.ok(pixels.colours > 50, `${pixels.colours} colours`);
    assert.ok(pixels.lumaDeviation > 20, `brightness varies: deviation ${pixels.lumaDeviation.toFixed(1)}`);
    assert.ok(pixels.topRed > 200, `the top path's red is drawn: ${pixels.topRed} pixels`);
    await page.locator('#graph').screenshot({ path: join(dir, 'paths-graph.png') });
  });

  browserTest('clicking a step shows its finding with the fix; clicking an edge shows the edge\'s', async () => {
    const first = top.steps[0].findings[0];
    await page.locator('.step[data-pi="0"][data-si="0"]').click();
    const panel = page.locator('#details-body');
    assert.ok((await panel.locator('.finding .rule').allTextContents()).includes(first.ruleId));
    assert.ok((await panel.locator('.finding dd.remediation').allTextContents()).includes(first.remediation));
    assert.ok((await panel.textContent())!.includes(first.evidence!), 'the evidence, as text');
    assert.ok((await panel.textContent())!.includes('KM-DT-004'), 'the alert that saw it happen');
    assert.match((await page.locator(`#graph .edge[data-edge="${edgeKey(top.steps[0])}"]`).getAttribute('class'))!, /\bselected\b/);
    assert.equal(await page.locator('#graph.has-selection').count(), 1);
    await page.screenshot({ path: join(dir, 'paths-step-selected.png') });

    const tokenStep = report.paths[1].steps[1];
    await page.locator(`#graph .edge[data-edge="${edgeKey(tokenStep)}"] .label-box`).click();
    assert.deepEqual(await panel.locator('.finding .rule').allTextContents(), [tokenStep.findings[0].ruleId]);
    assert.deepEqual(await panel.locator('.finding dd.remediation').allTextContents(), [tokenStep.findings[0].remediation]);
  });

  browserTest('a door shows every finding of the same door, and an accepted finding says why it was accepted', async () => {
    const door = page.locator('li.door[data-di="0"]');
    assert.deepEqual(await door.locator('.also .rule').allTextContents(), ['KM-KL-001']);
    await door.click();
    const panel = page.locator('#details-body');
    assert.deepEqual(await panel.locator('.finding .rule').allTextContents(), ['KM-EX-002', 'KM-KL-001']);
    assert.match((await panel.textContent())!, /on 2 paths; fixing it cuts 2 of them/);
    await page.locator('.step[data-pi="1"][data-si="1"]').click();
    const accepted = panel.locator('.finding.accepted');
    assert.equal(await accepted.count(), 1);
    assert.ok((await accepted.textContent())!.includes('the shipper lists pods through the API server'));
  });

  browserTest('the entry filter hides the other paths in the list and in the graph', async () => {
    await page.selectOption('#filter-entry', 'any-pod');
    assert.equal(await page.locator('#graph.has-selection').count(), 0, 'the selected step, now hidden, no longer dims the graph');
    assert.equal(await page.locator('#shown').textContent(), '1 of 3 paths shown');
    assert.equal(await page.locator('li.path[data-from="any-pod"]').isVisible(), true);
    assert.equal(await page.locator('li.path[data-from="network"]').first().isVisible(), false);
    assert.equal(await page.locator('li.path[data-from="network"]:visible').count(), 0);
    assert.equal(await page.locator(`#graph .edge[data-to="${CLOUD}"]`).isVisible(), true);
    for (const s of top.steps) assert.equal(await page.locator(`#graph .edge[data-edge="${edgeKey(s)}"]`).isVisible(), false, edgeKey(s));
    assert.equal(await page.locator(`#graph .vertex[data-vertex="${NETWORK}"]`).isVisible(), false);
    assert.equal(await page.locator('li.door:visible').count(), 1, 'only the door on the shown path');
    await page.screenshot({ path: join(dir, 'paths-filtered.png') });
    await page.selectOption('#filter-entry', '');
    await page.selectOption('#filter-asset', 'cluster-admin');
    assert.equal(await page.locator('#shown').textContent(), '1 of 3 paths shown');
    assert.equal(await page.locator('li.path[data-to="cluster-admin"]').isVisible(), true);
    assert.equal(await page.locator('li.path:visible').count(), 1);
    await page.selectOption('#filter-asset', '');
    assert.equal(await page.locator('li.path:visible').count(), 3);
  });

  browserTest('a report of 400 paths opens with its top path in view and a note that the graph is partial', async () => {
    const big = manyPathsReport(400);
    const file = join(dir, 'paths-large.html');
    writeFileSync(file, renderPathsHtml(big));
    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    try {
      await other.goto(pathToFileURL(file).href);
      assert.equal(await other.locator('li.path').count(), big.paths.length);
      assert.ok((await other.locator('.graph-head .note').textContent())!.includes(`draws ${DEFAULT_GRAPH_PATHS} of ${big.paths.length} paths`));
      for (const s of big.paths[0].steps) assert.equal(await other.locator(`#graph .edge.top1[data-edge="${edgeKey(s)}"]`).count(), 1);
      const start = other.locator(`#graph .vertex[data-vertex="${big.paths[0].start}"]`);
      const [pane, box] = [await other.locator('#graph-scroll').boundingBox(), await start.boundingBox()];
      assert.ok(pane && box && box.y >= pane.y && box.y + box.height <= pane.y + pane.height, 'the top path starts inside the graph pane');
      await other.screenshot({ path: join(dir, 'paths-large.png') });
    } finally {
      await other.close();
    }
  });

  browserTest('a report with no path (a hardened cluster) says so and its script runs without a graph', async () => {
    const empty: PathsReport = { ...pathsReportFixture(), doors: [], paths: [], graph: { vertices: [], edges: [] } };
    const file = join(dir, 'paths-empty.html');
    writeFileSync(file, renderPathsHtml(empty));
    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const failures: string[] = [];
    other.on('pageerror', (e) => failures.push(e.message));
    try {
      await other.goto(pathToFileURL(file).href);
      assert.equal(await other.locator('#graph').count(), 0);
      assert.ok((await other.locator('.graph-head .note').textContent())!.includes('No attack path was found'));
      assert.equal(await other.locator('#shown').textContent(), '0 of 0 paths shown');
      assert.deepEqual(failures, []);
    } finally {
      await other.close();
    }
  });

  browserTest('printed: no controls nor details panel, every finding written out, the graph on the page', async () => {
    await page.locator('.step[data-pi="1"][data-si="2"]').click();
    assert.equal(await page.locator('#graph.has-selection').count(), 1);
    await page.emulateMedia({ media: 'print' });
    try {
      assert.equal(await page.locator('.controls').isVisible(), false);
      assert.equal(await page.locator('#details').isVisible(), false);
      assert.equal(await page.locator('#graph').isVisible(), true);
      assert.equal(await page.locator('#graph .selected').count(), 0, 'printed in the ranks\' colours, not the last click\'s');
      assert.equal(await page.locator('#findings .finding:visible').count(), 6);
      assert.equal(await page.locator('#findings dd.remediation:visible').count(), 6);
      const graphWidth = await page.locator('#graph').evaluate((e) => e.getBoundingClientRect().width);
      assert.ok(graphWidth <= 1366, 'the graph fits the page width');
      await page.screenshot({ path: join(dir, 'paths-print.png'), fullPage: true });
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });
});
