// A real rsyslogd (Debian's, installed by lab/setup.d/40-rsyslog.sh) started on 127.0.0.1 with a
// private config: UDP and TCP inputs, every message written to a file with the parsed RFC 5424 fields.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './net.js';

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  /** received messages: input|pri|version|hostname|app|procid|msgid|structured-data|msg */
  lines(): string[];
  stop(): Promise<void>;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

export const RSYSLOGD = '/usr/sbin/rsyslogd';

export async function startRsyslog(): Promise<Rsyslog> {
  if (!existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} is missing: run lab/setup.d/40-rsyslog.sh (npm run setup)`);
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-rsyslog-'));
  const udpPort = await freeUdpPort();
  const tcpPort = await freeTcpPort();
  const out = join(dir, 'out.log');
  writeFileSync(join(dir, 'rsyslog.conf'), `
global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
template(name="fields" type="string" string="%inputname%|%pri%|%protocol-version%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\\n")
*.* action(type="omfile" file="${out}" template="fields")
`);
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const end = Date.now() + 15_000;
  while (!(await canConnect(tcpPort))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`rsyslogd did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    udpPort,
    tcpPort,
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
