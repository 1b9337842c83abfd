// A small byte relay for bench/probe.ts, so that real lab services answer on 127.77.x.y:
//
//   node dist/bench/probe-relay.js unix:/run/kubemoat-bench/a.sock=tcp:10.77.1.10:10250 …   (inside the lab namespace)
//   node dist/bench/probe-relay.js tcp:127.77.1.10:10250=unix:/run/kubemoat-bench/a.sock … (on the host)
//
// Unix sockets live in the filesystem, not in a network namespace, so the pair joins host loopback
// to the lab's namespace without any other address being involved. It also serves a few foreign
// services the probe must not take for Kubernetes:
//
//   silent:127.77.1.30:10250     accepts and never answers
//   http200:127.77.1.31:8080     a plain web server that answers 200 to everything
//   ssh:127.77.1.32:6443         an SSH banner
//   kubelet403:127.77.1.33:10250:DIR   TLS (DIR/tls.key, DIR/tls.crt), answers like a kubelet with
//                                anonymous authentication on and Webhook authorization refusing
//                                system:anonymous: 403 "Forbidden (user=system:anonymous, …)"
//
// It runs until killed (SIGTERM), and removes the unix sockets it created.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { rmSync } from 'node:fs';

type Address = { type: 'tcp'; host: string; port: number } | { type: 'unix'; path: string };

function parse(spec: string): Address {
  if (spec.startsWith('unix:')) return { type: 'unix', path: spec.slice(5) };
  const m = /^tcp:([\d.]+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`bad address ${spec}`);
  return { type: 'tcp', host: m[1], port: Number(m[2]) };
}

function listenOn(server: net.Server, a: Address): void {
  if (a.type === 'unix') {
    rmSync(a.path, { force: true });
    server.listen(a.path);
    process.on('exit', () => rmSync(a.path, { force: true }));
  } else server.listen(a.port, a.host);
}

const servers: net.Server[] = [];
for (const arg of process.argv.slice(2)) {
  const denied = /^kubelet403:([\d.]+):(\d+):(.+)$/.exec(arg);
  if (denied) {
    const [, host, port, dir] = denied;
    const server = https.createServer({ key: readFileSync(`${dir}/tls.key`), cert: readFileSync(`${dir}/tls.crt`) }, (req, res) => {
      if ((req.url ?? '').startsWith('/version')) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
        return;
      }
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Forbidden (user=system:anonymous, verb=${req.method === 'POST' ? 'create' : 'get'}, resource=nodes, subresource=proxy)`);
    });
    server.listen(Number(port), host);
    servers.push(server);
    continue;
  }
  const special = /^(silent|http200|ssh):([\d.]+):(\d+)$/.exec(arg);
  if (special) {
    const [, kind, host, port] = special;
    const server =
      kind === 'http200'
        ? http.createServer((_req, res) => res.end('<html><body>It works</body></html>\n'))
        : net.createServer((s) => {
            s.on('error', () => {});
            if (kind === 'ssh') s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
          });
    server.listen(Number(port), host);
    servers.push(server);
    continue;
  }
  const [from, to] = arg.split('=');
  const listen = parse(from);
  const target = parse(to);
  const server = net.createServer((client) => {
    const upstream = target.type === 'unix' ? net.connect(target.path) : net.connect(target.port, target.host);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  listenOn(server, listen);
  servers.push(server);
}

const stop = (): void => {
  for (const s of servers) s.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdout.write(`relay: ${servers.length} listeners\n`);
