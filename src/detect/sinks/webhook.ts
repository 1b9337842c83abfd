// Alerts POSTed as JSON to a URL (a chat bridge, an incident tool), a few at a time, each with a
// timeout; a queue that overflows or a request that fails is counted and said on stderr.

import type { Alert } from '../alert.js';
import type { AlertSink } from './sink.js';

const MAX_QUEUE = 10_000;
const PARALLEL = 4;
const TIMEOUT_MS = 5_000;

export class WebhookSink implements AlertSink {
  readonly name: string;
  failed = 0;
  delivered = 0;
  private queue: string[] = [];
  private running = 0;
  private idle: (() => void)[] = [];
  private lastComplaint = 0;

  constructor(private readonly url: string, private readonly say: (m: string) => void) {
    this.name = `webhook ${url}`;
  }

  send(alert: Alert): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.failed++;
      this.complain('queue full');
      return;
    }
    this.queue.push(JSON.stringify(alert));
    this.pump();
  }

  private pump(): void {
    while (this.running < PARALLEL && this.queue.length > 0) {
      const body = this.queue.shift()!;
      this.running++;
      void this.post(body).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const f of this.idle.splice(0)) f();
      });
    }
  }

  private async post(body: string): Promise<void> {
    try {
      const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.arrayBuffer();
      if (res.status >= 300) {
        this.failed++;
        this.complain(`answered ${res.status}`);
      } else this.delivered++;
    } catch (e) {
      this.failed++;
      this.complain((e as Error).message);
    }
  }

  private complain(message: string): void {
    const now = Date.now();
    if (now - this.lastComplaint < 10_000) return;
    this.lastComplaint = now;
    this.say(`${this.name}: ${message} (${this.failed} alerts undelivered so far)`);
  }

  close(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
