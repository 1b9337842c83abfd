// The API server's audit webhook backend, received over HTTPS: POSTs of an `EventList` (batch mode)
// or a single `Event`. The handler only parses and queues, then answers: an acknowledged batch is
// in the queue and will reach the sinks. When the queue is full the batch is refused with 503 (the
// API server may retry it) and counted as dropped, never silently lost after a 200.

import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isObject } from '../../core/json.js';

export interface WebhookOptions {
  host: string;
  port: number;
  /** the path the API server posts to (others get 404) */
  path: string;
  /** PEM certificate and key; plain HTTP without them */
  tls?: { cert: Buffer; key: Buffer };
  maxBodyBytes: number;
  queueLimit: number;
  /** events parsed from one request, in order; `where` names the request for error messages */
  accept(items: unknown[], where: string): void;
  /** events currently queued, to refuse a batch that would overflow */
  queued(): number;
  onDrop(events: number, why: string): void;
  onBadRequest(why: string): void;
  /** a cheaper way to the items of a body (raw strings for events to skip); undefined: parse it all */
  items?(body: string): unknown[] | undefined;
}

export interface WebhookServer {
  server: Server;
  address: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The events a webhook body holds: the items of an EventList, or one Event. */
export function eventsOfBody(body: unknown): unknown[] | string {
  if (!isObject(body)) return 'the body is not a JSON object';
  if (body.kind === 'EventList' || (body.kind === undefined && Array.isArray(body.items))) return Array.isArray(body.items) ? body.items : [];
  if (body.kind === 'Event' || (body.kind === undefined && typeof body.auditID === 'string')) return [body];
  return `kind ${JSON.stringify(body.kind)} is neither EventList nor Event`;
}

export function startWebhook(opts: WebhookOptions): Promise<WebhookServer> {
  let requests = 0;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return answer(res, 200, 'ok\n');
    if (path !== opts.path) return answer(res, 404, `not found; audit events go to POST ${opts.path}\n`);
    if (req.method !== 'POST') return answer(res, 405, 'POST only\n');
    const where = `${opts.path} request ${++requests} from ${req.socket.remoteAddress ?? '?'}`;
    readBody(req, opts.maxBodyBytes).then(
      (body) => {
        if (body === 'too-large') {
          opts.onDrop(0, `${where}: body over ${opts.maxBodyBytes} bytes`);
          return answer(res, 413, `body over ${opts.maxBodyBytes} bytes\n`);
        }
        const text = body.toString('utf8');
        let items: unknown[] | string | undefined = opts.items?.(text);
        if (items === undefined) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (e) {
            opts.onBadRequest(`${where}: not JSON (${(e as Error).message})`);
            return answer(res, 400, 'not JSON\n');
          }
          items = eventsOfBody(parsed);
        }
        if (typeof items === 'string') {
          opts.onBadRequest(`${where}: ${items}`);
          return answer(res, 400, `${items}\n`);
        }
        if (opts.queued() + items.length > opts.queueLimit) {
          opts.onDrop(items.length, `${where}: queue full (${opts.queued()} events waiting, limit ${opts.queueLimit})`);
          res.setHeader('retry-after', '1');
          return answer(res, 503, 'queue full, retry later\n');
        }
        opts.accept(items, where);
        answer(res, 200, '');
      },
      (e: unknown) => {
        opts.onBadRequest(`${where}: ${(e as Error).message}`);
        if (!res.headersSent) answer(res, 400, 'bad request\n');
      },
    );
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttpServer(handler);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const a = server.address();
      const address = a && typeof a === 'object' ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : `${opts.host}:${opts.port}`;
      resolve({
        server,
        address,
        close: () =>
          new Promise<void>((done) => {
            // requests already read are queued; a kept-alive connection must not hold the exit
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 1000).unref();
          }),
      });
    });
  });
}

/** `host:port`, `[v6]:port` or `:port` (all addresses). */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
