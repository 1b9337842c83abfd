// Prometheus text exposition (format 0.0.4) and the /metrics endpoint every long-running command
// serves. One naming scheme across commands: `kubemoat_` prefix, `_total` on counters, seconds as
// the unit of time, and the same label names (command, rule, severity, namespace) wherever they mean
// the same thing.

import { createServer, type Server } from 'node:http';

export type MetricType = 'counter' | 'gauge';
/** One sample: its labels (name → value, in the order given) and its value. */
export type Sample = readonly [labels: Readonly<Record<string, string>>, value: number];

function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Collects metric families and renders them as one exposition. */
export class MetricsText {
  private readonly lines: string[] = [];

  metric(name: string, type: MetricType, help: string, samples: readonly Sample[]): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${value}`);
    return this;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** Samples of a count keyed by one label, in code-point order of the key. */
export function samplesBy(label: string, counts: ReadonlyMap<string, number>): Sample[] {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, n]) => [{ [label]: key }, n]);
}

export interface MetricsServer {
  address: string;
  close(): Promise<void>;
}

/** Serve `render()` on GET /metrics at host:port. */
export function serveMetrics(host: string, port: number, render: () => string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      const body = render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('metrics are on /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({
        address: a && typeof a === 'object' ? `${a.address}:${a.port}` : `${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
