// Detect's alerts into the store before anyone else sees them: each alert reaches the other sinks
// (stdout, syslog, webhook) only after the transaction that holds it has committed, so an alert a
// reader has seen is in the store even if kubemoat is killed the next moment. Alerts that arrive
// while a commit is under way go together in the next one. A store that fails does not stop
// detection: the alerts still go on, and the failure is counted and said once.

import type { Alert } from '../detect/alert.js';
import type { RunWriter } from './store.js';

export class CommittedAlerts {
  failed = 0;
  private queue: Alert[] = [];
  private writer: RunWriter | undefined;
  private pumping: Promise<void> | undefined;
  private error: Error | undefined;

  constructor(private readonly forward: (alert: Alert) => void, private readonly say: (message: string) => void) {}

  /** Alerts sent before the run began wait for it. */
  start(writer: RunWriter): void {
    this.writer = writer;
    this.pump();
  }

  /** The run could not begin: alerts go on unrecorded. */
  abandon(error: Error): void {
    this.error = error;
    this.pump();
  }

  send(alert: Alert): void {
    this.queue.push(alert);
    this.pump();
  }

  /** the first error of the store, if it had one */
  get storeError(): Error | undefined {
    return this.error;
  }

  private pump(): void {
    if (this.pumping !== undefined || (this.writer === undefined && this.error === undefined) || this.queue.length === 0) return;
    this.pumping = this.drain().finally(() => {
      this.pumping = undefined;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      if (this.error === undefined && this.writer !== undefined) {
        try {
          await this.writer.addAlerts(batch);
        } catch (e) {
          this.error = e as Error;
          this.say(`${this.error.message}; alerts go on to the other outputs, unrecorded`);
        }
      }
      if (this.error !== undefined) this.failed += batch.length;
      for (const a of batch) this.forward(a);
    }
  }

  /** Everything sent so far committed (or counted as failed) and forwarded. */
  async close(): Promise<void> {
    while (this.pumping !== undefined) await this.pumping;
  }
}
