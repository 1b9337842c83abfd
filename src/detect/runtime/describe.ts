// How runtime alerts name things, the same way in every rule.

import type { ContainerRef } from '../../sources/runtime/event.js';
import { redactArgv } from './redact.js';

/** `ns/pod (container c, image i)`, or `the node` for a process of the node itself. */
export function where(c: ContainerRef | undefined): string {
  return c ? `${c.namespace}/${c.pod} (container ${c.name}, image ${c.image})` : 'the node';
}

/** A command line for a message: redacted, and cut so that one alert stays one line. */
export function commandLine(argv: readonly string[], max = 160): string {
  const text = redactArgv(argv).join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function containerDetails(c: ContainerRef | undefined): Record<string, string> {
  return c ? { namespace: c.namespace, pod: c.pod, container: c.name, image: c.image } : {};
}
