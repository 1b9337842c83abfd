// Splitting a byte stream into JSON lines: the hot path of file mode. The chunk is decoded once
// (StringDecoder keeps a character split across chunks whole) and cut with indexOf, which is far
// cheaper than readline. A line longer than the limit is skipped and counted, never buffered whole.

import { StringDecoder } from 'node:string_decoder';

export interface LineSink {
  line(text: string): void;
  /** a line longer than the limit was skipped */
  oversized(length: number): void;
}

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  /** inside an oversized line: drop everything up to the next newline */
  private skipping = false;
  private skipped = 0;

  constructor(private readonly sink: LineSink, private readonly maxLineChars: number) {}

  push(chunk: Buffer): void {
    this.pushText(this.decoder.write(chunk));
  }

  pushText(text: string): void {
    let start = 0;
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.skipped += text.length;
        return;
      }
      this.sink.oversized(this.skipped + nl);
      this.skipping = false;
      this.skipped = 0;
      start = nl + 1;
    } else if (this.rest !== '') {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.keep(this.rest + text);
        return;
      }
      const line = this.rest + text.slice(0, nl);
      this.rest = '';
      this.emit(line);
      start = nl + 1;
    }
    const sink = this.sink;
    const max = this.maxLineChars;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (nl - start > max) sink.oversized(nl - start);
      else if (nl > start) sink.line(text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) this.keep(start === 0 ? text : text.slice(start));
  }

  /** End of input: a last line without a newline still counts. */
  end(): void {
    this.pushText(this.decoder.end());
    if (this.skipping) this.sink.oversized(this.skipped);
    else if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
    this.skipping = false;
    this.skipped = 0;
  }

  /** Forget a partial line (the file was truncated or replaced under us). */
  reset(): void {
    this.rest = '';
    this.skipping = false;
    this.skipped = 0;
  }

  private keep(partial: string): void {
    if (partial.length > this.maxLineChars) {
      this.rest = '';
      this.skipping = true;
      this.skipped = partial.length;
    } else {
      this.rest = partial;
    }
  }

  private emit(line: string): void {
    if (line.length > this.maxLineChars) this.sink.oversized(line.length);
    else if (line.length > 0 && line !== '\r') this.sink.line(line);
  }
}
