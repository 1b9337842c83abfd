// A growable buffer of JSON text (UTF-8 bytes) that the fast parsers write values into. The text is
// turned into values with one JSON.parse per file: V8's native parser builds objects several times
// faster than JavaScript code assigning properties one by one.

const QUOTE = 34;
const BACKSLASH = 92;
const HEX = '0123456789abcdef';

export class JsonSink {
  buf = new Uint8Array(1 << 16);
  len = 0;

  private grow(extra: number): void {
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  byte(c: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = c;
  }

  /** Plain ASCII text, as is (JSON punctuation, numbers, literals). */
  ascii(s: string): void {
    if (this.len + s.length > this.buf.length) this.grow(s.length);
    const b = this.buf;
    let o = this.len;
    for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
    this.len = o;
  }

  /** Bytes of the source copied as they are. */
  copy(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.len + n > this.buf.length) this.grow(n);
    if (n > 32) {
      this.buf.set(src.subarray(from, to), this.len);
      this.len += n;
      return;
    }
    const b = this.buf;
    let o = this.len;
    for (let i = from; i < to; i++) b[o++] = src[i];
    this.len = o;
  }

  /**
   * UTF-8 bytes of the source as the inside of a JSON string: `"` and `\` escaped, control characters
   * as \t, \n or \u00XX; everything else (other UTF-8 sequences included) copied.
   */
  escaped(src: Uint8Array, from: number, to: number): void {
    let run = from;
    for (let i = from; i < to; i++) {
      const c = src[i];
      if (c >= 32 && c !== QUOTE && c !== BACKSLASH) continue;
      if (i > run) this.copy(src, run, i);
      this.escape(c);
      run = i + 1;
    }
    if (to > run) this.copy(src, run, to);
  }

  /** Source bytes that need no escaping, as a quoted JSON string. */
  rawQuoted(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.len + n + 2 > this.buf.length) this.grow(n + 2);
    const b = this.buf;
    b[this.len++] = QUOTE;
    if (n > 24) {
      b.set(src.subarray(from, to), this.len);
      this.len += n;
    } else {
      let o = this.len;
      for (let i = from; i < to; i++) b[o++] = src[i];
      this.len = o;
    }
    b[this.len++] = QUOTE;
  }

  /** Source bytes as a quoted JSON string. */
  quoted(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.len + n + 2 > this.buf.length) this.grow(n + 2);
    const b = this.buf;
    let o = this.len;
    b[o++] = QUOTE;
    for (let i = from; i < to; i++) {
      const c = src[i];
      if (c < 32 || c === QUOTE || c === BACKSLASH) {
        this.len = o;
        this.escaped(src, i, to);
        this.byte(QUOTE);
        return;
      }
      b[o++] = c;
    }
    b[o++] = QUOTE;
    this.len = o;
  }

  /**
   * A key's bytes as a quoted JSON string; returns their FNV-1a hash (keyHash of the key), or -1
   * when the key is not ASCII and its hash must be taken from the decoded string.
   */
  quotedHashed(src: Uint8Array, from: number, to: number): number {
    let h = 0x811c9dc5;
    let ascii = true;
    for (let i = from; i < to; i++) {
      const c = src[i];
      if (c >= 0x80) ascii = false;
      h = Math.imul(h ^ c, 0x01000193);
    }
    this.quoted(src, from, to);
    return ascii ? h >>> 0 : -1;
  }

  /** One character that a JSON string must escape (or any code unit below 0x10000, as \uXXXX). */
  escape(c: number): void {
    if (this.len + 6 > this.buf.length) this.grow(6);
    const b = this.buf;
    b[this.len++] = BACKSLASH;
    if (c === QUOTE || c === BACKSLASH) b[this.len++] = c;
    else if (c === 10) b[this.len++] = 110; // n
    else if (c === 9) b[this.len++] = 116; // t
    else this.unicodeEscape(c);
  }

  /** `\u` is written already: the four hex digits of a code unit. */
  private unicodeEscape(c: number): void {
    const b = this.buf;
    b[this.len++] = 117; // u
    b[this.len++] = HEX.charCodeAt((c >> 12) & 15);
    b[this.len++] = HEX.charCodeAt((c >> 8) & 15);
    b[this.len++] = HEX.charCodeAt((c >> 4) & 15);
    b[this.len++] = HEX.charCodeAt(c & 15);
  }

  /** A code point (from a YAML escape) inside a JSON string. */
  codePoint(cp: number): void {
    if (this.len + 12 > this.buf.length) this.grow(12);
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      this.buf[this.len++] = BACKSLASH;
      this.unicodeEscape(0xd800 + (v >> 10));
      this.buf[this.len++] = BACKSLASH;
      this.unicodeEscape(0xdc00 + (v & 0x3ff));
      return;
    }
    this.buf[this.len++] = BACKSLASH;
    this.unicodeEscape(cp);
  }

  /** A JavaScript string as a quoted JSON string. */
  string(s: string): void {
    this.ascii(JSON.stringify(s).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }

  /** The text from `from` on, as a string. */
  text(from: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + from, this.len - from).toString('utf8');
  }
}
