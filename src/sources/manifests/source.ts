// The manifest source: files, directories and stdin in; Kubernetes objects and what could not be
// read out. It gathers facts and never judges them.

import { availableParallelism } from 'node:os';
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CoverageGap } from '../../core/finding.js';
import { asString, isObject, type JsonValue } from '../../core/json.js';
import { Inventory } from '../../inventory/inventory.js';
import { fieldPosition, isListKind, toKubeObject, type Origin } from '../../inventory/objects.js';
import { materialize, parseManifestText, type ParsedFile } from './documents.js';
import { errnoText, transcodeFiles, type BatchResult, type FileResult } from './parse-batch.js';
import { transcodeOnWorkers } from './parse-pool.js';
import type { DocumentPositions } from './positions.js';
import { isChartDirectory, renderChart, splitRenderedSources, type RenderedTemplate } from './helm.js';

export const STDIN = '-';
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
/** Directories that never hold manifests a user means to scan. */
const IGNORED_DIRECTORIES = new Set(['.git', 'node_modules', '.terraform', 'vendor']);
/** Files per batch a parse worker reads and transcodes at once. */
const BATCH_FILES = 16;
/** Fewer files than this are parsed on the main thread: starting a worker costs more. */
const MIN_FILES_FOR_WORKERS = 48;

export interface ManifestStats {
  files: number;
  documents: number;
  objects: number;
  /** files or documents that are not Kubernetes objects (values files, binaries, Helm templates) */
  skipped: number;
}

export interface ManifestLoad {
  inventory: Inventory;
  coverage: CoverageGap[];
  stats: ManifestStats;
  /** a path the user gave could not be read at all, or a document could not be parsed */
  incomplete: boolean;
}

export interface LoadOptions {
  readStdin?: () => Promise<string>;
  /** parse workers: 0 parses on the main thread; default: see defaultThreads */
  threads?: number;
  /** files to read (scan --include/--exclude); the others are left out unread and uncounted */
  fileFilter?: (file: string) => boolean;
}

export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<ManifestLoad> {
  const load: ManifestLoad = {
    inventory: new Inventory(),
    coverage: [],
    stats: { files: 0, documents: 0, objects: 0, skipped: 0 },
    incomplete: false,
  };
  // Inputs in order; runs of files are parsed together (on workers when there are many).
  let files: string[] = [];
  const flush = async (): Promise<void> => {
    await loadFiles(load, files, options.threads);
    files = [];
  };
  for (const p of paths) {
    if (p === STDIN) {
      await flush();
      const text = options.readStdin ? await options.readStdin() : await readAllStdin();
      addRendered(load, '<stdin>', splitRenderedSources(text) ?? [{ file: '', text }]);
      continue;
    }
    if (isChartDirectory(p)) {
      await flush();
      addChart(load, p);
      continue;
    }
    for (const file of expand(p, load)) if (options.fileFilter === undefined || options.fileFilter(file)) files.push(file);
  }
  await flush();
  return load;
}

/**
 * Parse workers by default: none for a few files; otherwise one per CPU but the one the main thread
 * needs (it parses the JSON the workers write and builds the inventory; on 2 CPUs a second worker
 * only slowed it down: 10,000 resources in 0.62 s with one, 0.75 s with two).
 */
function defaultThreads(files: number): number {
  return files >= MIN_FILES_FOR_WORKERS ? Math.max(1, availableParallelism() - 1) : 0;
}

async function loadFiles(load: ManifestLoad, files: readonly string[], threads = defaultThreads(files.length)): Promise<void> {
  if (files.length === 0) return;
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += BATCH_FILES) batches.push(files.slice(i, i + BATCH_FILES));
  let next = 0;
  const use = (batch: BatchResult): void => {
    for (const result of batch.results) addResult(load, files[next++], result, batch);
  };
  if (threads <= 0) {
    for (const b of batches) use(transcodeFiles(b));
    return;
  }
  await transcodeOnWorkers(batches, threads, use);
}

function addResult(load: ManifestLoad, file: string, result: FileResult, batch: Pick<BatchResult, 'json' | 'tape'>): void {
  switch (result.type) {
    case 'unreadable':
      gap(load, file, result.reason);
      return;
    case 'binary':
      load.stats.skipped++;
      load.coverage.push({ target: file, reason: 'binary file, not a manifest; skipped', severity: 'warning' });
      return;
    case 'parsed':
      addParsed(load, file, materialize(result.file, batch.json, batch.tape), result.templated);
  }
}

/** The files a path names: itself (read whatever its extension), or the manifests under a directory. */
function expand(path: string, load: ManifestLoad): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    gap(load, path, `cannot read: ${errnoText(e)}`);
    return [];
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  walk(path, out, load, new Set([directoryId(st)]));
  return out;
}

function directoryId(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/**
 * Collect manifest files under `dir`, sorted by name at each level. Symbolic links are followed
 * (kustomize and GitOps trees use them), each directory once, so a link cycle ends.
 */
function walk(dir: string, out: string[], load: ManifestLoad, seen: Set<string>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    gap(load, dir, `cannot list directory: ${errnoText(e)}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const isHelmChart = entries.some((e) => e.isFile() && e.name === 'Chart.yaml');
  for (const e of entries) {
    const full = join(dir, e.name);
    let isDirectory = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      let target: Stats;
      try {
        target = statSync(full);
      } catch (err) {
        // a dangling link: worth a word only when its name says it is a manifest
        if (MANIFEST_EXTENSIONS.test(e.name)) load.coverage.push({ target: full, reason: `cannot read: ${errnoText(err)}`, severity: 'warning' });
        continue;
      }
      isDirectory = target.isDirectory();
      isFile = target.isFile();
      if (isDirectory) {
        const id = directoryId(target);
        if (seen.has(id)) continue;
        seen.add(id);
      }
    } else if (isDirectory) {
      try {
        seen.add(directoryId(statSync(full)));
      } catch {
        // reported when it is listed
      }
    }
    if (isDirectory) {
      if (IGNORED_DIRECTORIES.has(e.name)) continue;
      if (isHelmChart && e.name === 'templates') {
        // Chart templates are Go templates, not YAML: they are scanned after `helm template`.
        load.stats.skipped++;
        load.coverage.push({
          target: full,
          reason: 'Helm chart templates are not rendered manifests; scan them with `helm template … | kubemoat scan -`',
          severity: 'warning',
        });
        continue;
      }
      walk(full, out, load, seen);
    } else if (isFile && MANIFEST_EXTENSIONS.test(e.name)) {
      out.push(full);
    }
  }
}

/** A rendered stream, each template's part as its own file (`file: ''`: the stream itself). */
function addRendered(load: ManifestLoad, stream: string, templates: readonly RenderedTemplate[]): void {
  for (const t of templates) addText(load, t.file === '' ? stream : t.file, t.text);
}

/** A chart directory: rendered with helm, or a gap saying why it could not be. */
function addChart(load: ManifestLoad, dir: string): void {
  const rendered = renderChart(dir);
  if (!rendered.ok) {
    gap(load, dir, rendered.reason);
    return;
  }
  addRendered(load, dir, rendered.templates);
}

/** Parse and add a text (stdin, a test's manifest) as if it were the file `file`. */
export function addText(load: ManifestLoad, file: string, text: string): void {
  addParsed(load, file, parseManifestText(text), text.includes('{{'));
}

function addParsed(load: ManifestLoad, file: string, parsed: ParsedFile, templated: boolean): void {
  load.stats.files++;
  const templateHint = templated ? ' (this looks like a Go/Helm template: render it first, e.g. `helm template … | kubemoat scan -`)' : '';
  for (const p of parsed.problems) {
    if (p.severity === 'error') load.incomplete = true;
    load.coverage.push({ target: file, line: p.line, column: p.column, reason: `${p.message}${p.severity === 'error' ? templateHint : ''}`, severity: p.severity });
  }
  let documents = 0;
  for (const doc of parsed.documents) {
    if (doc.value === null) continue; // an empty document: nothing in it
    documents++;
    load.stats.documents++;
    // a document that is not a Kubernetes object (a values file, a kustomization) is counted as skipped
    if (addDocument(load, file, doc.value, doc.positions) === 0) load.stats.skipped++;
  }
  // an empty file, or one of only comments
  if (documents === 0 && parsed.problems.length === 0) load.stats.skipped++;
}

function addDocument(load: ManifestLoad, file: string, value: JsonValue, positions: DocumentPositions): number {
  if (!isObject(value)) return 0;
  if (isListKind(value)) {
    let n = 0;
    (value.items as JsonValue[]).forEach((item, i) => {
      n += addObject(load, { type: 'file', file, document: value, positions, pathInDocument: ['items', i] }, item);
    });
    return n;
  }
  return addObject(load, { type: 'file', file, document: value, positions, pathInDocument: [] }, value);
}

function addObject(load: ManifestLoad, origin: Origin, raw: JsonValue): number {
  const object = toKubeObject(raw, origin);
  if (object === undefined) {
    notAnObject(load, origin, raw);
    return 0;
  }
  load.inventory.add(object);
  load.stats.objects++;
  return 1;
}

/**
 * A mapping with a `kind` but no `apiVersion`, or an `apiVersion` and `metadata` but no `kind`, was
 * probably meant as an object: say so. Others (Helm values, a chart's Chart.yaml with its own
 * `apiVersion`, arbitrary config) are skipped without a word.
 */
function notAnObject(load: ManifestLoad, origin: Origin, raw: JsonValue): void {
  if (origin.type !== 'file' || !isObject(raw)) return;
  const kind = asString(raw.kind);
  const apiVersion = asString(raw.apiVersion);
  if (kind === undefined && (apiVersion === undefined || !isObject(raw.metadata))) return;
  const missing = kind ? 'apiVersion' : apiVersion ? 'kind' : 'apiVersion and kind';
  const { line, column } = fieldPosition(origin, []);
  load.coverage.push({
    target: origin.file,
    line,
    column,
    reason: `${kind ?? 'object'} without ${missing} (a string) is not a Kubernetes object; skipped`,
    severity: 'warning',
  });
}

function gap(load: ManifestLoad, target: string, reason: string): void {
  load.incomplete = true;
  load.coverage.push({ target, reason, severity: 'error' });
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
