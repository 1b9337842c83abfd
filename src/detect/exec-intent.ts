// What the command of an API exec (its argv, from the request URI) is after, when that is plain
// from the words: the pod's credentials, the node's or the cloud's, or a shell back to the caller.
// Judged on the words only (nothing ran yet when the API server logged it); `sh -c '…'` is read
// through, since that is how most of these are typed.

export interface ExecIntent {
  kind: 'credentials' | 'cloud metadata' | 'reverse shell';
  /** the words that gave it away */
  evidence: string;
}

const CREDENTIAL_PATHS = [
  '/var/run/secrets/kubernetes.io/serviceaccount', '/run/secrets/kubernetes.io/serviceaccount', '/var/run/secrets/eks.amazonaws.com', '/var/run/secrets/azure',
  '/etc/kubernetes/', '/var/lib/kubelet/', '.kube/config', '/root/.aws', '.aws/credentials', '/etc/shadow', '.ssh/id_', '.docker/config.json', '/proc/self/environ',
];
const METADATA = ['169.254.169.254', 'metadata.google.internal', '100.100.100.200', 'fd00:ec2::254', '169.254.170.2'];
const REVERSE_SHELL: { pattern: RegExp; evidence: string }[] = [
  { pattern: /\/dev\/(tcp|udp)\//, evidence: '/dev/tcp' },
  { pattern: /\b(nc|ncat|netcat)\b[^|;&]*\s-(e|c)\s/, evidence: 'nc -e' },
  { pattern: /\bsocat\b.*\bexec:/i, evidence: 'socat exec:' },
  { pattern: /\bmkfifo\b.*\b(nc|ncat|netcat|openssl)\b/, evidence: 'mkfifo and a network client' },
  { pattern: /\b(python[0-9.]*|perl|ruby|php)\b.*socket.*(connect|fsockopen)/i, evidence: 'a socket one-liner' },
];

export function execIntent(argv: readonly string[]): ExecIntent | undefined {
  const text = argv.join(' ');
  if (text === '') return undefined;
  for (const r of REVERSE_SHELL) if (r.pattern.test(text)) return { kind: 'reverse shell', evidence: r.evidence };
  const meta = METADATA.find((m) => text.includes(m));
  if (meta) return { kind: 'cloud metadata', evidence: meta };
  const path = CREDENTIAL_PATHS.find((p) => text.includes(p));
  if (path) return { kind: 'credentials', evidence: path };
  return undefined;
}
