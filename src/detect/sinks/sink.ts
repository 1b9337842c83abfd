// Where alerts go. A sink never blocks detection: it queues (bounded) and sends in the background;
// what it cannot deliver it counts, and says so on stderr.

import type { Alert } from '../alert.js';

export interface AlertSink {
  /** for metrics and messages: `stdout`, `syslog udp://…`, `webhook https://…` */
  readonly name: string;
  send(alert: Alert): void;
  /** alerts it could not deliver */
  readonly failed: number;
  /** deliver what is queued, then release sockets */
  close(): Promise<void>;
}
