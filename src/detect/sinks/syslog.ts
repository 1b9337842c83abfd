// Alerts as RFC 5424 syslog messages, over UDP (one datagram each) or TCP (RFC 6587 octet
// counting: `LENGTH SP MESSAGE`, which rsyslog's imtcp and syslog-ng understand). The MSG part is
// the alert as JSON; the structured data repeats the fields a SIEM filters on.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Severity } from '../../core/finding.js';
import type { Alert } from '../alert.js';
import type { AlertSink } from './sink.js';

export interface SyslogTarget {
  protocol: 'udp' | 'tcp';
  host: string;
  port: number;
}

export function parseSyslogTarget(url: string): SyslogTarget | string {
  const m = /^(udp|tcp):\/\/(?:\[([^\]]+)\]|([^:/]+))(?::(\d{1,5}))?\/?$/.exec(url);
  if (!m) return 'expected udp://host:port or tcp://host:port';
  const port = m[4] === undefined ? 514 : Number(m[4]);
  if (port < 1 || port > 65535) return 'port out of range';
  return { protocol: m[1] as 'udp' | 'tcp', host: m[2] ?? m[3], port };
}

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export function facilityCode(name: string): number | undefined {
  return FACILITIES[name.toLowerCase()];
}

const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

/** Inside an SD-PARAM value `"`, `\` and `]` are escaped with a backslash (RFC 5424 6.3.3). */
function sdValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** An RFC 5424 header field: printable US-ASCII without spaces, at most `max` characters, or `-`. */
function headerField(v: string, max: number): string {
  const clean = v.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

// 32473 is the enterprise number IANA reserves for examples and documentation (RFC 5612).
const SD_ID = 'kubemoat@32473';

export function formatRfc5424(alert: Alert, facility: number, host = hostname(), pid = process.pid): string {
  const pri = facility * 8 + SYSLOG_SEVERITY[alert.severity];
  const params: [string, string][] =
    alert.source === 'audit'
      ? [
          ['rule', alert.ruleId],
          ['severity', alert.severity],
          ['auditID', alert.auditID],
          ['user', alert.who.user],
          ['mitre', alert.mitre.join(',')],
          ['sourceIP', alert.where.sourceIPs[0] ?? ''],
        ]
      : [
          ['rule', alert.ruleId],
          ['severity', alert.severity],
          ['node', alert.node],
          ['pod', alert.container ? `${alert.container.namespace}/${alert.container.pod}` : ''],
          ['mitre', alert.mitre.join(',')],
          ['binary', alert.process.binary ?? alert.process.comm],
        ];
  const sd = `[${SD_ID} ${params.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]`;
  return `<${pri}>1 ${alert.detectedAt} ${headerField(host, 255)} kubemoat ${pid} ${headerField(alert.ruleId, 32)} ${sd} ${JSON.stringify(alert)}`;
}

const MAX_PENDING = 10_000;
/** How long close() waits for queued TCP alerts to reach the kernel before it gives up on them. */
export const FLUSH_TIMEOUT_MS = 5_000;

export class SyslogSink implements AlertSink {
  readonly name: string;
  failed = 0;
  private readonly facility: number;
  private udp?: UdpSocket;
  private tcp?: Socket;
  private connected = false;
  private pending: Buffer[] = [];
  private inFlight = 0;
  /** TCP frames written but not yet handed to the kernel */
  private unflushed = 0;
  private closing = false;
  private closed = false;
  private retry?: NodeJS.Timeout;
  private lastComplaint = 0;

  constructor(private readonly target: SyslogTarget, facility: string, private readonly say: (m: string) => void, private readonly flushTimeoutMs = FLUSH_TIMEOUT_MS) {
    this.name = `syslog ${target.protocol}://${target.host}:${target.port}`;
    const code = facilityCode(facility);
    if (code === undefined) throw new Error(`unknown syslog facility ${facility} (known: ${Object.keys(FACILITIES).join(', ')})`);
    this.facility = code;
    if (target.protocol === 'udp') {
      this.udp = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
      this.udp.on('error', (e) => this.complain(e.message));
      this.udp.unref();
    } else this.connect();
  }

  send(alert: Alert): void {
    const line = formatRfc5424(alert, this.facility);
    if (this.udp) {
      this.inFlight++;
      this.udp.send(Buffer.from(line), this.target.port, this.target.host, (e) => {
        this.inFlight--;
        if (e) {
          this.failed++;
          this.complain(e.message);
        }
      });
      return;
    }
    const body = Buffer.from(line);
    const frame = Buffer.concat([Buffer.from(`${body.length} `), body]);
    if (this.connected && this.tcp) this.write(this.tcp, frame);
    else if (this.pending.length < MAX_PENDING) this.pending.push(frame);
    else this.failed++;
  }

  private write(sock: Socket, frame: Buffer): void {
    this.unflushed++;
    sock.write(frame, (e) => {
      if (this.closed) return; // close() has already counted what was left
      this.unflushed--;
      if (e) this.failed++;
    });
  }

  private connect(): void {
    const sock = connect({ host: this.target.host, port: this.target.port });
    this.tcp = sock;
    sock.setNoDelay(true);
    sock.on('connect', () => {
      this.connected = true;
      for (const f of this.pending) this.write(sock, f);
      this.pending = [];
    });
    sock.on('error', (e) => this.complain(e.message));
    sock.on('close', () => {
      this.connected = false;
      if (this.closing) return;
      this.retry = setTimeout(() => this.connect(), 1000);
      this.retry.unref();
    });
  }

  private complain(message: string): void {
    const now = Date.now();
    if (now - this.lastComplaint < 10_000) return;
    this.lastComplaint = now;
    this.say(`${this.name}: ${message} (alerts are queued or counted as undelivered)`);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.udp) {
      const deadline = Date.now() + 2000;
      while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      this.udp.close();
      return;
    }
    if (!this.tcp) return;
    // Wait (bounded) until the connection is up and every alert is in the kernel's hands, then
    // close our side and let go. Never wait for the server to close: a SIEM keeps the connection
    // open, and a batch run waiting for it would never end.
    const deadline = Date.now() + this.flushTimeoutMs;
    // (a connection that failed is not retried any more: nothing will drain the queue then)
    while ((this.pending.length > 0 || this.unflushed > 0) && !this.tcp.destroyed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const sock = this.tcp;
    const lost = this.pending.length + this.unflushed;
    this.closed = true;
    this.failed += lost;
    this.pending = [];
    if (lost > 0) this.say(`${this.name}: ${lost} alerts still queued after ${this.flushTimeoutMs / 1000} s; giving up on them`);
    if (!this.connected || lost > 0) {
      sock.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        sock.destroy();
        resolve();
      }, 500);
      // 'finish': our FIN is queued after the last alert; the server's side is not waited for
      sock.end(() => {
        clearTimeout(t);
        sock.destroy();
        resolve();
      });
    });
  }
}
