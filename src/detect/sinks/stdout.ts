// JSON lines on stdout (or any writable): one alert per line. Lines are gathered and written once
// per turn of the event loop, so replaying a large file does not cost one write per alert.

import type { Writable } from 'node:stream';
import type { Alert } from '../alert.js';
import type { AlertSink } from './sink.js';

export class JsonLinesSink implements AlertSink {
  readonly name: string;
  failed = 0;
  private pending: string[] = [];
  private scheduled = false;
  private broken = false;

  constructor(private readonly out: Writable, name = 'stdout') {
    this.name = name;
    out.on('error', () => {
      // a closed pipe (`| head`): stop writing, nothing else to do
      this.broken = true;
    });
  }

  send(alert: Alert): void {
    if (this.broken) {
      this.failed++;
      return;
    }
    this.pending.push(JSON.stringify(alert));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.broken) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.out.write(text);
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.broken || this.out.writableLength === 0) return resolve();
      this.out.once('drain', () => resolve());
      this.out.once('error', () => resolve());
    });
  }
}
