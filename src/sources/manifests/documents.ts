// Split a manifest file into YAML documents and parse each one: the fast path first, the full
// parser for whatever it hands over. A broken document is reported with its line and does not stop
// the documents around it.

import { parseBlockYamlRange, TooDeep, Unsupported, type ParsedDocument } from './fast-yaml.js';
import { parseFullYaml } from './full-yaml.js';
import { looksLikeJson, parseJsonDocument } from './fast-json.js';

export interface DocumentProblem {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ParsedFile {
  documents: ParsedDocument[];
  problems: DocumentProblem[];
}

/** How many documents each parser has handled: lets tests prove the fast paths were taken. */
export const parserUse = { fast: 0, full: 0, json: 0 };

/**
 * Normalise what editors and other platforms put into files: CRLF (and lone CR) line endings and a
 * UTF-8 BOM, at the start of the file or at the start of a line (files joined with `cat` keep theirs).
 */
export function normaliseText(text: string): string {
  let t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
  if (t.includes('\ufeff')) t = t.replace(/^\ufeff/gm, '');
  return t;
}

function isDocumentMarker(line: string, marker: '---' | '...'): boolean {
  if (!line.startsWith(marker)) return false;
  const next = line.charCodeAt(3);
  return Number.isNaN(next) || next === 32 || next === 9;
}

/** Nothing after a document marker but white space or a comment. */
function onlyCommentAfterMarker(line: string): boolean {
  const rest = line.slice(3).replace(/^[ \t]+/, '');
  return rest === '' || rest[0] === '#';
}

interface Segment {
  /** index of the first line of the document's content */
  start: number;
  end: number;
  /** the document has directives, or its `---` or `...` line carries content: leave it to the full parser */
  needsFullParser: boolean;
  /** index of the line the full parser should start from */
  fullStart: number;
}

/**
 * Split lines into documents at `---` and `...` lines. A `%` line is a directive only where no
 * document is open (at the start, or after `...`), and then belongs to the document the next `---`
 * starts; inside a document it is content or an error, for the full parser to judge.
 */
function splitDocuments(lines: string[]): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  let fullStart = 0;
  let needsFull = false;
  /** a `---` or a content line has been seen since the start or the last `...` */
  let open = false;
  /** first directive line since the last document ended, or -1 */
  let directives = -1;
  const close = (end: number): void => {
    if (end > start || needsFull) segments.push({ start, end, needsFullParser: needsFull, fullStart });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const c = line.charCodeAt(0);
    if (c === 45 && isDocumentMarker(line, '---')) {
      close(directives >= 0 ? directives : i);
      needsFull = directives >= 0 || !onlyCommentAfterMarker(line);
      fullStart = directives >= 0 ? directives : i;
      directives = -1;
      open = true;
      start = i + 1;
    } else if (c === 46 && isDocumentMarker(line, '...')) {
      if (!onlyCommentAfterMarker(line)) {
        // content after `...` is an error: let the full parser report it with the document it ends
        needsFull = true;
        continue;
      }
      // directives not followed by `---` stay in this segment, for the full parser to report
      close(i);
      needsFull = false;
      directives = -1;
      open = false;
      start = i + 1;
      fullStart = start;
    } else if (c === 37 /* % */) {
      if (!open && directives < 0) directives = i;
      needsFull = true;
    } else if (!open && hasContent(line)) {
      open = true;
    }
  }
  close(lines.length);
  return segments;
}

/** Anything but white space and a comment. */
function hasContent(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    return c !== 35;
  }
  return false;
}

export function parseManifestText(rawText: string): ParsedFile {
  const text = normaliseText(rawText);
  if (looksLikeJson(text)) {
    // a JSON file: one value, read by the JSON fast path unless it strays from strict JSON
    try {
      const doc = parseJsonDocument(text);
      parserUse.json++;
      return { documents: [doc], problems: [] };
    } catch (e) {
      if (e instanceof TooDeep) return { documents: [], problems: [{ line: 1, column: 1, message: `${e.message}; document skipped`, severity: 'error' }] };
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  const lines = text.split('\n');
  // Every line but the last ends with a line break; a last '' is only what follows the final one.
  // Spaces after the last line break end no line either (they matter to `|+` and `>+` scalars).
  if (lines.length > 0 && /^ *$/.test(lines[lines.length - 1])) lines.pop();
  const documents: ParsedDocument[] = [];
  const problems: DocumentProblem[] = [];
  for (const seg of splitDocuments(lines)) {
    if (!seg.needsFullParser) {
      try {
        const doc = parseBlockYamlRange(lines, seg.start, seg.end, seg.start + 1);
        parserUse.fast++;
        if (doc !== undefined) documents.push(doc);
        continue;
      } catch (e) {
        if (e instanceof TooDeep) {
          problems.push({ line: seg.start + 1, column: 1, message: `${e.message}; document skipped`, severity: 'error' });
          continue;
        }
        if (!(e instanceof Unsupported) && !(e instanceof RangeError)) throw e;
      }
    }
    parserUse.full++;
    const from = seg.needsFullParser ? seg.fullStart : seg.start;
    const result = parseFullYaml(lines.slice(from, seg.end).join('\n') + '\n', from);
    documents.push(...result.documents);
    if (result.ok) {
      for (const w of result.warnings) problems.push({ ...w, severity: 'warning' });
    } else {
      // The first error is the one to fix; the rest usually follow from it.
      const [first] = result.errors;
      const more = result.errors.length - 1;
      const skipped = result.documents.length === 0 ? '; document skipped' : '';
      problems.push({ ...first, message: `${first.message}${skipped}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''} after it)` : ''}`, severity: 'error' });
    }
  }
  return { documents, problems };
}
