// Command lines in alerts never carry a secret: a value that looks like a credential, or that
// follows a password/token flag, is shown redacted, as scan findings show them.

import { detectValue, isSecretName, redact } from '../../rules/secrets-detect.js';

const SHORT_SECRET_FLAGS = new Set(['-p', '--password', '--pass', '--token', '--secret', '--key', '-k']);

export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const prev = i > 0 ? argv[i - 1] : '';
    const eq = arg.indexOf('=');
    if (i > 0 && (SHORT_SECRET_FLAGS.has(prev) || (prev.startsWith('--') && !prev.includes('=') && isSecretName(prev.slice(2))))) out.push(redact(arg));
    else if (eq > 0 && isSecretName(arg.slice(0, eq).replace(/^-+/, ''))) out.push(`${arg.slice(0, eq + 1)}${redact(arg.slice(eq + 1))}`);
    else if (/^-p.{3,}/.test(arg) && i > 0) out.push(`-p${redact(arg.slice(2))}`);
    else if (detectValue(arg) !== undefined) out.push(redact(arg));
    else out.push(arg);
  }
  return out;
}
