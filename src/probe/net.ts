// The probe's only network code: a TCP connect test and a small HTTP/1.1 client over plain TCP or
// TLS. Written by hand instead of using node:http or undici because every read from an unknown
// host must be bounded in time *and* bytes: a port that accepts and never answers, drips a byte a
// second, or sends gigabytes must cost at most `timeoutMs` and `maxBytes`, and a port speaking
// another protocol must come back as "not HTTP", not as an exception.

import net from 'node:net';
import tls from 'node:tls';
import type { CertFacts } from './model.js';

export type PortState = 'open' | 'closed' | 'filtered' | 'unreachable';

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EINVAL']);

/** Does anything accept a TCP connection on host:port? No byte is sent. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<PortState> {
  const family = net.isIP(host);
  if (family !== 0 && rawTcp !== undefined) return rawConnect(rawTcp, host, family, port, timeoutMs);
  return socketConnect(host, port, timeoutMs);
}

function socketConnect(host: string, port: number, timeoutMs: number): Promise<PortState> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, noDelay: true });
    let settled = false;
    const done = (state: PortState): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => setImmediate(() => done('filtered')), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') done('closed');
      else if (e.code !== undefined && UNREACHABLE.has(e.code)) done('unreachable');
      else done('filtered');
    });
  });
}

/*
 * The hot path of a large scan is a million connects, almost all refused or unanswered. A
 * net.Socket costs about three times what libuv's TCP handle costs (streams, events, buffers we
 * never use): measured on this machine 3,600 against 10,900 refused connects a second. So
 * connects to IP addresses go through the bare handle when this Node still exposes it, and
 * through net.connect otherwise. Only the connect is done this way; every byte exchanged later
 * goes through net/tls.
 */
interface RawHandle {
  connect(req: RawConnectReq, ip: string, port: number): number;
  connect6(req: RawConnectReq, ip: string, port: number): number;
  close(): void;
}
interface RawConnectReq {
  oncomplete: (status: number) => void;
}
interface RawTcp {
  TCP: new (type: number) => RawHandle;
  TCPConnectWrap: new () => RawConnectReq;
  socketType: number;
}

const rawTcp: RawTcp | undefined = (() => {
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('tcp_wrap');
    const constants = binding.constants as { SOCKET: number } | undefined;
    if (typeof binding.TCP !== 'function' || typeof binding.TCPConnectWrap !== 'function' || constants === undefined) return undefined;
    return { TCP: binding.TCP as RawTcp['TCP'], TCPConnectWrap: binding.TCPConnectWrap as RawTcp['TCPConnectWrap'], socketType: constants.SOCKET };
  } catch {
    return undefined;
  }
})();

/** libuv error numbers (negative errno on Linux) */
const UV_ECONNREFUSED = -111;
const UV_ECONNRESET = -104;
const UV_UNREACHABLE = new Set([-113, -101, -99, -22]); // EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, EINVAL

function rawConnect(raw: RawTcp, ip: string, family: number, port: number, timeoutMs: number): Promise<PortState> {
  return new Promise((resolve) => {
    const handle = new raw.TCP(raw.socketType);
    const req = new raw.TCPConnectWrap();
    let settled = false;
    const done = (state: PortState): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      handle.close();
      resolve(state);
    };
    // Timers run before the poll phase: on a loaded machine a connect that completed in time may
    // still be waiting to be read when the deadline fires. setImmediate runs after the poll phase,
    // so the verdict "no answer" is given only once every completion already there has been seen.
    const timer = setTimeout(() => setImmediate(() => done('filtered')), timeoutMs);
    req.oncomplete = (status: number) => {
      if (status === 0) done('open');
      else if (status === UV_ECONNREFUSED || status === UV_ECONNRESET) done('closed');
      else if (UV_UNREACHABLE.has(status)) done('unreachable');
      else done('filtered');
    };
    const err = family === 6 ? handle.connect6(req, ip, port) : handle.connect(req, ip, port);
    if (err !== 0) done(UV_UNREACHABLE.has(err) ? 'unreachable' : 'filtered');
  });
}

/** Which connect path this process uses (for the benchmark's report). */
export const CONNECT_PATH: 'libuv-handle' | 'net.Socket' = rawTcp !== undefined ? 'libuv-handle' : 'net.Socket';

export interface HttpRequest {
  host: string;
  port: number;
  tls: boolean;
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** the whole exchange, connect to last byte */
  timeoutMs: number;
  /** bytes read at most (headers and body); the rest is never read */
  maxBytes: number;
}

export interface HttpResponse {
  type: 'http';
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** the body was cut at maxBytes or by the deadline */
  truncated: boolean;
  cert?: CertFacts;
}

export type HttpFailure =
  | { type: 'timeout'; bytes: number; firstBytes: string; cert?: CertFacts }
  | { type: 'refused' }
  | { type: 'reset'; bytes: number; firstBytes: string; cert?: CertFacts }
  /** TLS handshake failed (not TLS, or no common ground) */
  | { type: 'tls-failed'; reason: string }
  /** TLS handshake done, then the server refused us for want of a client certificate */
  | { type: 'client-cert-required'; cert?: CertFacts }
  /** bytes came back that are not an HTTP response (an SSH banner, a binary protocol) */
  | { type: 'not-http'; firstBytes: string; cert?: CertFacts }
  | { type: 'error'; reason: string };

export type HttpResult = HttpResponse | HttpFailure;

const HEADER_LIMIT = 32 * 1024;
const CERT_REQUIRED = /ALERT_BAD_CERTIFICATE|CERTIFICATE_REQUIRED|alert bad certificate|certificate required/i;

/** A printable preview of the first bytes a server sent (for "what answered" in reports). */
export function preview(buf: Buffer, max = 48): string {
  return buf
    .subarray(0, max)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
}

function hostHeader(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

export function certFacts(socket: tls.TLSSocket): CertFacts | undefined {
  const c = socket.getPeerCertificate(false);
  if (c === undefined || c === null || Object.keys(c).length === 0) return undefined;
  const name = (o: tls.Certificate | undefined): string =>
    o === undefined ? '' : Object.entries(o).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`).join(', ');
  const subject = name(c.subject);
  const issuer = name(c.issuer);
  return {
    subject,
    issuer,
    selfSigned: subject === issuer,
    validFrom: new Date(c.valid_from).toISOString(),
    validTo: new Date(c.valid_to).toISOString(),
    altNames: (c.subjectaltname ?? '').split(', ').filter(Boolean).slice(0, 20),
    protocol: socket.getProtocol() ?? '',
  };
}

/** Where a response ends, if it has ended: head length and the full length the headers promise. */
interface Framing {
  headEnd: number;
  status: number;
  headers: Record<string, string>;
  /** total bytes of head + body, or 'chunked' / 'close' */
  end: number | 'chunked' | 'close';
}

function parseHead(buf: Buffer): Framing | 'incomplete' | 'not-http' {
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') !== 'HTTP/') return 'not-http';
  if (buf.length < 5) return 'HTTP/'.startsWith(buf.toString('latin1')) ? 'incomplete' : 'not-http';
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return buf.length > HEADER_LIMIT ? 'not-http' : 'incomplete';
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return 'not-http';
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const status = Number(m[1]);
  const bodyStart = headEnd + 4;
  let end: Framing['end'] = 'close';
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) end = 'chunked';
  else if (headers['content-length'] !== undefined && /^\d+$/.test(headers['content-length'])) end = bodyStart + Number(headers['content-length']);
  else if (status === 204 || status === 304 || (status >= 100 && status < 200)) end = bodyStart;
  return { headEnd: bodyStart, status, headers, end };
}

/** Decode a chunked body as far as it goes; `complete` once the last chunk has been seen. */
export function dechunk(buf: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(buf.subarray(at, lineEnd).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) return { body: Buffer.concat(parts), complete: true };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    const start = lineEnd + 2;
    if (start + size > buf.length) {
      parts.push(buf.subarray(start));
      return { body: Buffer.concat(parts), complete: false };
    }
    parts.push(buf.subarray(start, start + size));
    at = start + size + 2;
  }
}

/**
 * One HTTP/1.1 exchange with `Connection: close`. TLS certificates are not verified: the probe
 * fingerprints unknown hosts and therefore never sends credentials.
 */
export function httpRequest(req: HttpRequest): Promise<HttpResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    let cert: CertFacts | undefined;
    let secured = !req.tls;
    let framing: Framing | undefined;
    const socket: net.Socket = req.tls
      ? tls.connect({
          host: req.host,
          port: req.port,
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
          ...(net.isIP(req.host) === 0 ? { servername: req.host } : {}),
        })
      : net.connect({ host: req.host, port: req.port });

    const finish = (result: HttpResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const all = (): Buffer => (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    const respond = (truncated: boolean): void => {
      const buf = all();
      if (framing === undefined) {
        const head = parseHead(buf);
        if (head === 'not-http' || head === 'incomplete') {
          if (bytes === 0) finish({ type: 'reset', bytes, firstBytes: '', ...(cert ? { cert } : {}) });
          else finish({ type: 'not-http', firstBytes: preview(buf), ...(cert ? { cert } : {}) });
          return;
        }
        framing = head;
      }
      let body = buf.subarray(framing.headEnd);
      if (framing.end === 'chunked') body = dechunk(body).body;
      else if (typeof framing.end === 'number') body = body.subarray(0, framing.end - framing.headEnd);
      finish({ type: 'http', status: framing.status, headers: framing.headers, body, truncated, ...(cert ? { cert } : {}) });
    };
    // setImmediate: read whatever already arrived (poll phase) before calling it a timeout.
    const timer = setTimeout(() => setImmediate(() => {
      if (settled) return;
      // A deadline after a complete head still gives a (truncated) response; before it, a timeout.
      if (framing !== undefined) respond(true);
      else finish({ type: 'timeout', bytes, firstBytes: preview(all()), ...(cert ? { cert } : {}) });
    }), req.timeoutMs);

    const send = (): void => {
      const body = req.body ?? '';
      const headers: Record<string, string> = {
        Host: hostHeader(req.host, req.port),
        'User-Agent': 'kubemoat-probe',
        Accept: 'application/json, */*',
        Connection: 'close',
        ...(req.method === 'POST' ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
        ...req.headers,
      };
      const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
      socket.write(head + body);
    };

    if (req.tls) {
      socket.once('secureConnect', () => {
        secured = true;
        cert = certFacts(socket as tls.TLSSocket);
        send();
      });
    } else {
      socket.once('connect', send);
    }
    socket.on('data', (d: Buffer) => {
      if (settled) return;
      const room = req.maxBytes - bytes;
      if (d.length >= room) {
        chunks.push(d.subarray(0, room));
        bytes += room;
        respond(true);
        return;
      }
      chunks.push(d);
      bytes += d.length;
      if (framing === undefined) {
        const head = parseHead(all());
        if (head === 'not-http') {
          finish({ type: 'not-http', firstBytes: preview(all()), ...(cert ? { cert } : {}) });
          return;
        }
        if (head === 'incomplete') return;
        framing = head;
      }
      if (typeof framing.end === 'number' && bytes >= framing.end) respond(false);
      else if (framing.end === 'chunked' && dechunk(all().subarray(framing.headEnd)).complete) respond(false);
    });
    const closed = (): void => {
      if (req.tls && !secured) finish({ type: 'tls-failed', reason: 'closed during the TLS handshake' });
      else respond(false);
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      const message = e.message.split('\n')[0];
      if (e.code === 'ECONNREFUSED') finish({ type: 'refused' });
      else if (req.tls && secured && CERT_REQUIRED.test(`${e.code ?? ''} ${message}`)) finish({ type: 'client-cert-required', ...(cert ? { cert } : {}) });
      else if (req.tls && !secured) finish({ type: 'tls-failed', reason: e.code ?? message });
      else if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        if (framing !== undefined) respond(true);
        else finish({ type: 'reset', bytes, firstBytes: preview(all()), ...(cert ? { cert } : {}) });
      } else finish({ type: 'error', reason: e.code ?? message });
    });
  });
}
