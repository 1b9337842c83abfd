// The manifest source: files, directories and stdin in; Kubernetes objects and what could not be
// read out. It gathers facts and never judges them.

import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CoverageGap } from '../../core/finding.js';
import { asString, isObject, type JsonValue } from '../../core/json.js';
import { Inventory } from '../../inventory/inventory.js';
import { isListKind, toKubeObject, type Origin } from '../../inventory/objects.js';
import { parseManifestText } from './documents.js';
import { resolvePosition, unpack } from './positions.js';

export const STDIN = '-';
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
/** Directories that never hold manifests a user means to scan. */
const IGNORED_DIRECTORIES = new Set(['.git', 'node_modules', '.terraform', 'vendor']);
/** V8 cannot hold a string much larger than this; a larger file is reported, not read. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024 - 1;
const BINARY_SNIFF_BYTES = 8000;

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
}

interface FileEntry {
  path: string;
  /** named on the command line: read whatever its extension */
  explicit: boolean;
}

export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<ManifestLoad> {
  const load: ManifestLoad = {
    inventory: new Inventory(),
    coverage: [],
    stats: { files: 0, documents: 0, objects: 0, skipped: 0 },
    incomplete: false,
  };
  for (const p of paths) {
    if (p === STDIN) {
      const text = options.readStdin ? await options.readStdin() : await readAllStdin();
      addText(load, '<stdin>', text);
      continue;
    }
    for (const entry of expand(p, load)) addFile(load, entry);
  }
  return load;
}

function expand(path: string, load: ManifestLoad): FileEntry[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    gap(load, path, `cannot read: ${errnoText(e)}`);
    return [];
  }
  if (!st.isDirectory()) return [{ path, explicit: true }];
  const out: FileEntry[] = [];
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
function walk(dir: string, out: FileEntry[], load: ManifestLoad, seen: Set<string>): void {
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
      out.push({ path: full, explicit: false });
    }
  }
}

function addFile(load: ManifestLoad, entry: FileEntry): void {
  let size: number;
  try {
    size = statSync(entry.path).size;
  } catch (e) {
    gap(load, entry.path, `cannot read: ${errnoText(e)}`);
    return;
  }
  if (size > MAX_FILE_BYTES) {
    gap(load, entry.path, `file is ${Math.round(size / 1048576)} MiB, more than the ${Math.round(MAX_FILE_BYTES / 1048576)} MiB kubemoat reads from one file; split it`);
    return;
  }
  // One read per file: the binary sniff looks at the bytes already read.
  let bytes: Buffer;
  try {
    bytes = readFileSync(entry.path);
  } catch (e) {
    gap(load, entry.path, `cannot read: ${errnoText(e)}`);
    return;
  }
  if (looksBinary(bytes)) {
    load.stats.skipped++;
    load.coverage.push({ target: entry.path, reason: 'binary file, not a manifest; skipped', severity: 'warning' });
    return;
  }
  addText(load, entry.path, bytes.toString('utf8'));
}

function looksBinary(bytes: Buffer): boolean {
  const sniff = bytes.length > BINARY_SNIFF_BYTES ? bytes.subarray(0, BINARY_SNIFF_BYTES) : bytes;
  return sniff.includes(0);
}

export function addText(load: ManifestLoad, file: string, text: string): void {
  load.stats.files++;
  const parsed = parseManifestText(text);
  const templateHint = text.includes('{{') ? ' (this looks like a Go/Helm template: render it first, e.g. `helm template … | kubemoat scan -`)' : '';
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
    if (addDocument(load, file, doc.value, doc.position) === 0) load.stats.skipped++;
  }
  // an empty file, or one of only comments
  if (documents === 0 && parsed.problems.length === 0) load.stats.skipped++;
}

function addDocument(load: ManifestLoad, file: string, value: JsonValue, position: number): number {
  if (!isObject(value)) return 0;
  if (isListKind(value)) {
    let n = 0;
    (value.items as JsonValue[]).forEach((item, i) => {
      n += addObject(load, { type: 'file', file, document: value, documentPosition: position, pathInDocument: ['items', i] }, item);
    });
    return n;
  }
  return addObject(load, { type: 'file', file, document: value, documentPosition: position, pathInDocument: [] }, value);
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
  const { line, column } = unpack(resolvePosition(origin.document, origin.pathInDocument, origin.documentPosition));
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

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES') return 'permission denied';
  return err.message ?? String(e);
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
