// Split a manifest file into YAML documents and parse each one: the fast paths first, the full
// parser for whatever they hand over. A broken document is reported with its line and does not stop
// the documents around it.
//
// Parsing is two steps so that the first can run on a worker thread: `transcodeManifest` turns a
// file's bytes into JSON text (documents the fast paths read), values (documents the full parser
// read) and position tapes; `materialize` turns that into documents with one JSON.parse.

import { isUtf8 } from 'node:buffer';
import type { JsonValue } from '../../core/json.js';
import { parseFullYaml } from './full-yaml.js';
import { JsonSink } from './json-sink.js';
import { looksLikeJson, scanJsonDocument } from './json-scan.js';
import { ENTRY_SIZE, TapeWriter, writeTape, type DocumentPositions, type PackedPosition } from './positions.js';
import { BlockTranscoder, TooDeep, Unsupported } from './yaml-json.js';

export interface DocumentProblem {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ParsedDocument {
  value: JsonValue;
  positions: DocumentPositions;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  problems: DocumentProblem[];
}

/** A document of a transcoded file: its entries are [tapeStart, tapeEnd) of the tape written with it. */
export type TranscodedDocument =
  /** read by a fast path: the next value of the file's JSON text */
  | { parsed: 'json'; root: PackedPosition; tapeStart: number; tapeEnd: number }
  /** read by the full parser */
  | { parsed: 'full'; value: JsonValue; root: PackedPosition; tapeStart: number; tapeEnd: number };

export interface TranscodedFile {
  /** the file's JSON text in the sink it was written to: an array of its fast-path documents */
  jsonStart: number;
  jsonEnd: number;
  documents: TranscodedDocument[];
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

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The bytes the parsers read: valid UTF-8 (anything else decoded as a string decodes it, with
 * U+FFFD for what is not UTF-8), without BOMs or carriage returns.
 */
export function normaliseBytes(bytes: Buffer): Buffer {
  // a BOM at the start only is the common case: cut it without decoding the file
  const body = bytes.subarray(0, 3).equals(BOM) ? bytes.subarray(3) : bytes;
  if (isUtf8(body) && !body.includes(13) && !body.includes(BOM)) return body;
  return Buffer.from(normaliseText(bytes.toString('utf8')), 'utf8');
}

/** Where each line starts, one more entry (where a line after the last would start), and the line count. */
interface Lines {
  starts: Int32Array;
  count: number;
}

function splitLines(src: Buffer): Lines {
  let starts = new Int32Array(Math.max(16, src.length >> 5));
  let count = 0;
  let p = 0;
  for (;;) {
    if (count + 2 > starts.length) {
      const grown = new Int32Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = p;
    const nl = src.indexOf(10, p);
    if (nl < 0) break;
    p = nl + 1;
  }
  // Every line but the last ends with a line break; a last '' is only what follows the final one.
  // Spaces after the last line break end no line either (they matter to `|+` and `>+` scalars).
  let blankLast = true;
  for (let i = starts[count - 1]; i < src.length; i++) {
    if (src[i] !== 32) {
      blankLast = false;
      break;
    }
  }
  starts[count] = src.length + 1;
  if (blankLast) count--;
  return { starts, count };
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

function isDocumentMarker(src: Buffer, ls: number, le: number, marker: number): boolean {
  if (le - ls < 3 || src[ls] !== marker || src[ls + 1] !== marker || src[ls + 2] !== marker) return false;
  return le - ls === 3 || src[ls + 3] === 32 || src[ls + 3] === 9;
}

/** Nothing after a document marker but white space or a comment. */
function onlyCommentAfterMarker(src: Buffer, ls: number, le: number): boolean {
  let i = ls + 3;
  while (i < le && (src[i] === 32 || src[i] === 9)) i++;
  return i === le || src[i] === 35;
}

/** Anything but white space and a comment. */
function hasContent(src: Buffer, ls: number, le: number): boolean {
  for (let i = ls; i < le; i++) {
    const c = src[i];
    if (c === 32 || c === 9) continue;
    return c !== 35;
  }
  return false;
}

/**
 * Split lines into documents at `---` and `...` lines. A `%` line is a directive only where no
 * document is open (at the start, or after `...`), and then belongs to the document the next `---`
 * starts; inside a document it is content or an error, for the full parser to judge.
 */
function splitDocuments(src: Buffer, lines: Lines): Segment[] {
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
  const { starts, count } = lines;
  for (let i = 0; i < count; i++) {
    const ls = starts[i];
    const le = starts[i + 1] - 1;
    const c = ls < le ? src[ls] : -1;
    if (c === 45 && isDocumentMarker(src, ls, le, 45)) {
      close(directives >= 0 ? directives : i);
      needsFull = directives >= 0 || !onlyCommentAfterMarker(src, ls, le);
      fullStart = directives >= 0 ? directives : i;
      directives = -1;
      open = true;
      start = i + 1;
    } else if (c === 46 && isDocumentMarker(src, ls, le, 46)) {
      if (!onlyCommentAfterMarker(src, ls, le)) {
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
    } else if (!open && hasContent(src, ls, le)) {
      open = true;
    }
  }
  close(count);
  return segments;
}

/**
 * Parse a file's bytes as far as a worker can: JSON text into `sink`, positions into `tape`. The
 * JSON text is an array holding the documents the fast paths read, in order.
 */
export function transcodeManifest(bytes: Buffer, sink: JsonSink, tape: TapeWriter): TranscodedFile {
  const src = normaliseBytes(bytes);
  const jsonStart = sink.len;
  const file: TranscodedFile = { jsonStart, jsonEnd: jsonStart, documents: [], problems: [] };
  sink.byte(91);
  if (looksLikeJson(src)) {
    // a JSON file: one value, read by the JSON fast path unless it strays from strict JSON
    const tapeStart = tape.count;
    try {
      const root = scanJsonDocument(src, tape);
      parserUse.json++;
      sink.copy(src, 0, src.length);
      sink.byte(93);
      file.documents.push({ parsed: 'json', root, tapeStart, tapeEnd: tape.count });
      file.jsonEnd = sink.len;
      return file;
    } catch (e) {
      tape.truncate(tapeStart);
      if (e instanceof TooDeep) {
        sink.byte(93);
        file.jsonEnd = sink.len;
        file.problems.push({ line: 1, column: 1, message: `${e.message}; document skipped`, severity: 'error' });
        return file;
      }
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  const lines = splitLines(src);
  let fastDocuments = 0;
  for (const seg of splitDocuments(src, lines)) {
    if (!seg.needsFullParser) {
      const jsonMark = sink.len;
      const tapeStart = tape.count;
      try {
        if (fastDocuments > 0) sink.byte(44);
        const root = new BlockTranscoder(src, lines.starts, seg.start, seg.end, seg.start + 1, sink, tape).transcode();
        parserUse.fast++;
        if (root === undefined) {
          sink.len = jsonMark;
        } else {
          fastDocuments++;
          file.documents.push({ parsed: 'json', root, tapeStart, tapeEnd: tape.count });
        }
        continue;
      } catch (e) {
        sink.len = jsonMark;
        tape.truncate(tapeStart);
        if (e instanceof TooDeep) {
          file.problems.push({ line: seg.start + 1, column: 1, message: `${e.message}; document skipped`, severity: 'error' });
          continue;
        }
        if (!(e instanceof Unsupported) && !(e instanceof RangeError)) throw e;
      }
    }
    parserUse.full++;
    const from = seg.needsFullParser ? seg.fullStart : seg.start;
    const text = src.toString('utf8', lines.starts[from], Math.min(src.length, lines.starts[seg.end]));
    const result = parseFullYaml(text.endsWith('\n') ? text : `${text}\n`, from);
    for (const doc of result.documents) {
      const tapeStart = tape.count;
      writeTape(tape, doc.value, doc.positions);
      file.documents.push({ parsed: 'full', value: doc.value, root: doc.position, tapeStart, tapeEnd: tape.count });
    }
    if (result.ok) {
      for (const w of result.warnings) file.problems.push({ ...w, severity: 'warning' });
    } else {
      // The first error is the one to fix; the rest usually follow from it.
      const [first] = result.errors;
      const more = result.errors.length - 1;
      const skipped = result.documents.length === 0 ? '; document skipped' : '';
      file.problems.push({ ...first, message: `${first.message}${skipped}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''} after it)` : ''}`, severity: 'error' });
    }
  }
  sink.byte(93);
  file.jsonEnd = sink.len;
  return file;
}

/**
 * The documents of a transcoded file: its JSON text parsed once, and each document's entries
 * as a tape of its own (a view into `tape`, which the documents keep alive).
 */
export function materialize(file: TranscodedFile, json: Uint8Array, tape: Uint32Array): ParsedFile {
  const text = Buffer.from(json.buffer, json.byteOffset + file.jsonStart, file.jsonEnd - file.jsonStart).toString('utf8');
  const values = JSON.parse(text) as JsonValue[];
  let next = 0;
  const documents: ParsedDocument[] = file.documents.map((d) => ({
    value: d.parsed === 'json' ? values[next++] : d.value,
    positions: { root: d.root, tape: tape.subarray(d.tapeStart * ENTRY_SIZE, d.tapeEnd * ENTRY_SIZE) },
  }));
  return { documents, problems: file.problems };
}

/** Both steps at once, on this thread. */
export function parseManifestBytes(bytes: Buffer): ParsedFile {
  const sink = new JsonSink();
  const tape = new TapeWriter();
  const file = transcodeManifest(bytes, sink, tape);
  return materialize(file, sink.buf, tape.slice(0, tape.count));
}

export function parseManifestText(text: string): ParsedFile {
  return parseManifestBytes(Buffer.from(text, 'utf8'));
}
