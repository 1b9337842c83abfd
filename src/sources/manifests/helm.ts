// Helm charts: a chart directory is rendered with `helm template` (the user's helm, on PATH or
// $KUBEMOAT_HELM), and a rendered stream (the chart's, or `helm template … | kubemoat scan -`) is
// split at its `# Source: CHART/templates/FILE` comments so that each object is placed in the
// template it came from instead of in one anonymous stream.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** One template's part of a rendered stream: its lines start the line after its `# Source:` comment. */
export interface RenderedTemplate {
  file: string;
  text: string;
}

const SOURCE_COMMENT = /^# Source: (\S.*?)\s*$/;

/**
 * The stream split at its `# Source:` comments, or undefined when it has none. Line 1 of each part
 * is the line after the comment, so a finding's line is its line in the rendered template (the
 * same as in the template file wherever no directive above it renders to more or fewer lines).
 * `mapPath` turns helm's `CHART/templates/x.yaml` into a path to the file.
 */
export function splitRenderedSources(text: string, mapPath: (source: string) => string = (s) => s): RenderedTemplate[] | undefined {
  const lines = text.split('\n');
  const parts: { file: string; start: number; end: number }[] = [];
  let head = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const m = SOURCE_COMMENT.exec(lines[i]);
    if (!m) continue;
    if (parts.length === 0) head = i;
    else parts[parts.length - 1].end = i;
    parts.push({ file: mapPath(m[1]), start: i + 1, end: lines.length });
  }
  if (parts.length === 0) return undefined;
  const out: RenderedTemplate[] = [];
  // whatever precedes the first comment (separators, a NOTES-less preamble) keeps the stream's name
  const preamble = lines.slice(0, head).join('\n');
  if (preamble.split('\n').some((l) => l.trim() !== '' && l.trim() !== '---')) out.push({ file: '', text: preamble });
  for (const p of parts) out.push({ file: p.file, text: lines.slice(p.start, p.end).join('\n') });
  return out;
}

export function isChartDirectory(dir: string): boolean {
  return existsSync(join(dir, 'Chart.yaml'));
}

export type ChartRendering = { ok: true; templates: RenderedTemplate[]; helm: string } | { ok: false; reason: string };

/** The helm binary: $KUBEMOAT_HELM, else `helm` on PATH. */
export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEMOAT_HELM !== undefined && env.KUBEMOAT_HELM !== '' ? env.KUBEMOAT_HELM : 'helm';
}

const RENDER_TIMEOUT_MS = 120_000;
const MAX_RENDERED_BYTES = 256 * 1024 * 1024;

/** The chart's name from Chart.yaml: the first part of every `# Source:` path helm writes. */
function chartName(dir: string): string | undefined {
  try {
    const meta = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { name?: unknown } | null;
    return typeof meta?.name === 'string' ? meta.name : undefined;
  } catch {
    return undefined;
  }
}

/** `helm template` of a chart directory with its default values, split per template and placed under `dir`. */
export function renderChart(dir: string, env: NodeJS.ProcessEnv = process.env): ChartRendering {
  const helm = helmBinary(env);
  const r = spawnSync(helm, ['template', 'kubemoat', dir], { encoding: 'utf8', timeout: RENDER_TIMEOUT_MS, maxBuffer: MAX_RENDERED_BYTES, env });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: `a Helm chart: rendering it needs helm, and \`${helm}\` was not found (put helm on PATH or set KUBEMOAT_HELM, or scan \`helm template … | kubemoat scan -\`)` };
    return { ok: false, reason: `a Helm chart: \`${helm} template\` failed: ${code === 'ETIMEDOUT' ? `no result within ${RENDER_TIMEOUT_MS / 1000} s` : r.error.message}` };
  }
  if (r.status !== 0) {
    const said = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
    return { ok: false, reason: `a Helm chart: \`${helm} template\` failed (exit ${r.status ?? r.signal}): ${said || 'no message'}` };
  }
  const name = chartName(dir);
  const prefix = name === undefined ? undefined : `${name}/`;
  const mapPath = (source: string): string => (prefix !== undefined && source.startsWith(prefix) ? join(dir, source.slice(prefix.length)) : join(dir, source));
  const templates = splitRenderedSources(r.stdout, mapPath) ?? [{ file: join(dir, 'templates'), text: r.stdout }];
  return { ok: true, templates: templates.map((t) => (t.file === '' ? { ...t, file: join(dir, 'templates') } : t)), helm };
}
