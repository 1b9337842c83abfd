// Finding credentials written as literal values: in container env, in ConfigMap keys and in files
// held in ConfigMaps (.env, properties, INI credentials, kubeconfigs). Two kinds of evidence:
//
//   - the value has the shape of a known credential (an AWS key id, a PEM private key, a GitHub
//     token…), whatever it is called;
//   - the name says it holds a credential (DB_PASSWORD, API_KEY, CLIENT_SECRET…) and the value is a
//     real literal, not a reference, a placeholder, a path, a URL without credentials, a boolean or
//     a number.
//
// The name test looks at how the name ENDS: `DB_PASSWORD` is a password, `PASSWORD_FILE`,
// `SECRET_NAME`, `TOKEN_TTL` and `AUTH_TOKEN_ENABLED` name something about a password, not one.
// Nothing here ever returns or prints a value: callers get a kind, a severity and a redacted prefix.

export type SecretSeverity = 'critical' | 'high';

export interface SecretMatch {
  /** what was recognised, e.g. "AWS access key id" */
  kind: string;
  severity: SecretSeverity;
  /** at most 4 leading characters of the credential, then `…[redacted]` */
  redacted: string;
}

interface ValuePattern {
  kind: string;
  severity: SecretSeverity;
  re: RegExp;
  /** the group holding the credential, to redact from its start (default: the whole match) */
  group?: number;
  /** the credential spans lines: a file is searched for it as a whole */
  spansLines?: boolean;
}

// Ordered from the most specific: the first pattern that matches names the finding.
const VALUE_PATTERNS: ValuePattern[] = [
  { kind: 'GCP service account key', severity: 'critical', spansLines: true, re: /"type"\s*:\s*"service_account"[\s\S]*"private_key"\s*:\s*"-----BEGIN|"private_key"\s*:\s*"-----BEGIN[\s\S]*"type"\s*:\s*"service_account"/ },
  { kind: 'encrypted private key', severity: 'high', spansLines: true, re: /-----BEGIN ENCRYPTED PRIVATE KEY-----/ },
  { kind: 'private key', severity: 'critical', spansLines: true, re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |SSH2 )?PRIVATE KEY(?: BLOCK)?-----/ },
  // the same PEM headers, base64-encoded (a kubeconfig's client-key-data, a pasted Secret value)
  { kind: 'base64-encoded private key', severity: 'critical', re: /LS0tLS1CRUdJTiB(?:QUklWQVRFIEtFWS0t|SU0EgUFJJVkFURSBLRVkt|FQyBQUklWQVRFIEtFWS0t|PUEVOU1NIIFBSSVZBVEUgS0VZ|EU0EgUFJJVkFURSBLRVkt)/ },
  { kind: 'AWS access key id', severity: 'critical', re: /(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])/, group: 1 },
  { kind: 'Azure storage connection string', severity: 'critical', re: /AccountKey=([A-Za-z0-9+/]{20,}={0,2})/, group: 1 },
  { kind: 'Azure shared access key', severity: 'critical', re: /SharedAccessKey=([A-Za-z0-9+/]{20,}={0,2})/, group: 1 },
  { kind: 'GitHub token', severity: 'high', re: /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,255})(?![A-Za-z0-9_])/, group: 1 },
  { kind: 'GitHub token', severity: 'high', re: /(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{22,255})/, group: 1 },
  { kind: 'GitLab token', severity: 'high', re: /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,})/, group: 1 },
  { kind: 'Slack token', severity: 'high', re: /(?<![A-Za-z0-9])(xox[abprs]-[A-Za-z0-9-]{10,})/, group: 1 },
  { kind: 'Slack webhook URL', severity: 'high', re: /(https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]{16,})/, group: 1 },
  { kind: 'Stripe live secret key', severity: 'high', re: /(?<![A-Za-z0-9])((?:sk|rk)_live_[A-Za-z0-9]{20,})/, group: 1 },
  { kind: 'Google API key', severity: 'high', re: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/, group: 1 },
  { kind: 'JSON Web Token', severity: 'high', re: /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})/, group: 1 },
];

/** `scheme://user:password@host`; the password group must be a literal, not a `$(VAR)` reference. */
const URL_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s@/]+)@[^\s/@]+/i;
/** `…?user=app&password=…`, `Server=db;Password=…;` (JDBC query strings, ADO.NET connection strings) */
const PASSWORD_PARAMETER = /(?:^|[?&;\s.])(?:password|passwd|pwd)=([^&;\s'"]+)/i;

/** Names of an AWS secret access key (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`, `AWS_SECRET_KEY`). */
const AWS_SECRET_NAME = /SECRET_?ACCESS_?KEY$|^AWS_?SECRET(_?KEY)?$/;

/** Words that make a name a credential when the name ends with them. */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PWD', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIALS', 'CREDENTIAL', 'CREDS', 'PASSPHRASE', 'PRIVATEKEY', 'SECRETKEY', 'ACCESSKEY', 'AUTHKEY', 'WRITEKEY', 'JWT', 'BEARER']);
/**
 * `…_KEY` is a credential only after one of these: API_KEY, ACCESS_KEY, PRIVATE_KEY… (not CACHE_KEY,
 * SORT_KEY). The list follows the names cloud CLIs and agents read their keys from: AZURE_BATCH_KEY,
 * OCI_CLI_KEY(_CONTENT), NEW_RELIC_INSERT_KEY, LOGDNA_INGESTION_KEY, SEGMENT_WRITE_KEY, DD_APP_KEY…
 */
const KEY_QUALIFIERS = new Set(['API', 'ACCESS', 'PRIVATE', 'SECRET', 'AUTH', 'ENCRYPTION', 'SIGNING', 'MASTER', 'LICENSE', 'CLIENT', 'SERVICE', 'ACCOUNT', 'APP', 'HMAC', 'JWT', 'SSH', 'STORAGE', 'SHARED', 'BATCH', 'CLI', 'INSERT', 'INGESTION', 'INGEST', 'WRITE', 'SESSION', 'SAS', 'DEPLOY', 'ADMIN', 'ROOT', 'SECURITY', 'CRYPTO', 'DECRYPTION', 'WEBHOOK', 'ENROLLMENT', 'REGISTRATION']);
/** Trailing words that only say how the credential is encoded: `CLIENT_SECRET_VALUE`, `SECRET_KEY_BASE`, `OCI_CLI_KEY_CONTENT`. */
const VALUE_WORDS = new Set(['VALUE', 'STRING', 'DATA', 'B64', 'BASE64', 'BASE', 'PLAIN', 'PLAINTEXT', 'RAW', 'TEXT', 'CONTENT', 'CONTENTS', 'PEM']);

/** Split `dbPassword`, `DB_PASSWORD`, `spring.datasource.password`, `client-secret` into upper-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toUpperCase());
}

const WORD_KIND: Record<string, string> = {
  PASSWORD: 'password', PASSWD: 'password', PASS: 'password', PWD: 'password', PASSPHRASE: 'passphrase',
  TOKEN: 'token', JWT: 'token', BEARER: 'token', WRITEKEY: 'key', SECRET: 'secret', SECRETKEY: 'secret key', CREDENTIALS: 'credentials', CREDENTIAL: 'credentials', CREDS: 'credentials',
  APIKEY: 'API key', PRIVATEKEY: 'private key', ACCESSKEY: 'access key', AUTHKEY: 'key',
};

/** What a name says it holds ('password', 'token', 'API key'…), or undefined when it names no credential. */
export function secretNameKind(name: string): string | undefined {
  const words = nameWords(name);
  while (words.length > 1 && VALUE_WORDS.has(words[words.length - 1])) words.pop();
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  if (last === 'PWD' && words.length === 1) return undefined; // the shell's working directory
  if (SECRET_WORDS.has(last)) return WORD_KIND[last] ?? 'secret';
  const before = words.length > 1 ? words[words.length - 2] : undefined;
  if (last === 'KEY' && before !== undefined && KEY_QUALIFIERS.has(before)) return before === 'API' ? 'API key' : `${before.toLowerCase()} key`;
  // a secret id that is itself the credential (Vault AppRole SECRET_ID)
  if (last === 'ID' && before === 'SECRET') return 'secret id';
  // a personal access token (AZURE_DEVOPS_EXT_PAT, GITHUB_PAT), the Erlang distribution cookie (RABBITMQ_ERLANG_COOKIE)
  if (last === 'PAT' && words.length > 1) return 'personal access token';
  if (last === 'COOKIE' && before === 'ERLANG') return 'Erlang cookie';
  // Terraform's per-host API tokens: TF_TOKEN_app_terraform_io
  if (words[0] === 'TF' && words[1] === 'TOKEN' && words.length > 2) return 'token';
  return undefined;
}

export function isSecretName(name: string): boolean {
  return secretNameKind(name) !== undefined;
}

/** Words that may name a Kubernetes Secret object rather than hold a credential: `TLS_SECRET: ingress-tls`. */
const OBJECT_NAME_KINDS = new Set(['secret', 'credentials']);
const DNS_NAME_WITH_SEPARATOR = /^[a-z0-9]+(?:[-.][a-z0-9]+)+$/;

const TEMPLATE = /\$\([^)]*\)|\$\{[^}]*\}|\{\{[\s\S]*\}\}|%\([^)]*\)s|^\$[A-Za-z_][A-Za-z0-9_]*$/;
const NOT_A_VALUE = /^(?:true|false|yes|no|on|off|null|nil|none|undefined|enabled|disabled|auto|optional|required|default|empty|unset|redacted|n\/a)$/i;
const NUMBER = /^[-+]?\d+(?:\.\d+)?(?:[smhdw]|ms|ki|mi|gi|k|m|g)?$/i;
const PATH = /^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\)[\w.@%+=:,/\\-]*$/;
const URL_WITHOUT_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i;

/**
 * Holes to be filled in, as manifests and docs write them: `INSERT_ETCD_DISCOVERY_TOKEN`,
 * `REPLACE_ME`, `changeme`/`changeit`, `yourpassword`/`YOUR_API_KEY`, `token-goes-here`,
 * `xxxx-xxxx`, `AKIAXXXXXXXXXXXXXXXX`, `__TOKEN__`, `@TOKEN@`,
 * `%TOKEN%`, `#{token}`, `{password}`, `[password]`, and the words TODO, TBD, placeholder…
 * A weak default (`minio123`, `supersecret`) is a real credential, not one of these.
 */
const FILL_ME_IN: readonly RegExp[] = [
  /^(?:insert|replace|enter|put|paste|fill|add|provide)[-_ ](?:in[-_ ])?[A-Za-z]/i,
  /^(?:replace|change|fill|update)[-_ ]?(?:me|it|this|in)(?:[-_ ].*)?$/i,
  /^your[-_ ]?[a-z]/i,
  /[-_ ](?:here|goes[-_ ]here)$/i,
  /^(?:todo|tbd|fixme|placeholder|dummy|sample|example|redacted|hidden|secret[-_ ]?here)$/i,
  /^[xX*#?]+(?:[-_ .][xX*#?]+)+$/,
  /[xX]{8,}/,
  /^__[A-Za-z0-9_]+__$|^@[A-Za-z0-9_.-]+@$|^%[A-Za-z0-9_]+%$|#\{[^}]*\}/,
  /^\{[A-Za-z0-9_. -]+\}$|^\[[A-Za-z0-9_. -]+\]$/,
];

/** A reference or a hole to be filled, never a credential itself: `$(DB_PASSWORD)`, `${TOKEN}`, `{{ .Values.x }}`, `<changeme>`, `xxxx`, `****`, `REPLACE_ME`. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (TEMPLATE.test(v)) return true;
  if (/^<[^<>]*>$/.test(v)) return true;
  if (/^(.)\1*$/.test(v) && v.length > 0) return true;
  return FILL_ME_IN.some((re) => re.test(v));
}

const PUBLIC_MATERIAL = /^(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-\S+|sk-(?:ssh|ecdsa)-\S+) AAAA|^-----BEGIN (?:PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY|X509 CRL)-----/;

/** Is this literal worth reporting under a secret-looking name? */
function isLiteralCredential(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return false;
  if (isPlaceholder(v) || NOT_A_VALUE.test(v) || NUMBER.test(v) || PATH.test(v) || URL_WITHOUT_CREDENTIALS.test(v)) return false;
  if (PUBLIC_MATERIAL.test(v)) return false;
  return true;
}

/** At most 4 leading characters, fewer for a short value, so the prefix never gives most of it away. */
export function redact(credential: string): string {
  const v = credential.trim();
  const show = Math.min(4, Math.floor(v.length / 4));
  const prefix = v.slice(0, show).replace(/[^\x21-\x7e]/g, '');
  return `${prefix}…[redacted]`;
}

/** Every value pattern needs one of these; most values have none, and skip the patterns. */
const VALUE_HINT = /AKIA|ASIA|BEGIN|LS0tLS1CRUdJTi|Key=|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|hooks\.slack|_live_|AIza|eyJ|:\/\/|pass(?:wor|w)?d=|pwd=/i;
/** Every secret name contains one of these. */
const NAME_HINT = /pass|pwd|secret|token|key|cred|jwt|bearer|pat$|cookie/i;

/** Value patterns only: a credential recognisable by its shape, whatever it is called. */
export function detectValue(value: string): SecretMatch | undefined {
  if (!VALUE_HINT.test(value)) return undefined;
  for (const p of VALUE_PATTERNS) {
    const m = p.re.exec(value);
    if (m === null) continue;
    const credential = p.group !== undefined ? m[p.group] : m[0];
    return { kind: p.kind, severity: p.severity, redacted: redact(credential) };
  }
  const url = URL_WITH_PASSWORD.exec(value);
  if (url !== null && !isPlaceholder(url[3])) {
    return { kind: 'URL with an embedded password', severity: 'high', redacted: redact(url[0]) };
  }
  const param = PASSWORD_PARAMETER.exec(value);
  if (param !== null && !isPlaceholder(param[1]) && param[1].length >= 4) {
    return { kind: 'connection string with a password', severity: 'high', redacted: redact(param[1]) };
  }
  return undefined;
}

/** A literal `name=value` pair: by the value's shape first, then by the name. */
export function detectSecret(name: string, value: string): SecretMatch | undefined {
  if (value.trim() === '' || isPlaceholder(value)) return undefined;
  const byValue = detectValue(value);
  if (byValue !== undefined) return byValue;
  if (!NAME_HINT.test(name)) return undefined;
  const upper = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  // the name says AWS secret key: any literal credential under it is one (a real key is 40 base64 characters)
  if (AWS_SECRET_NAME.test(upper) && isLiteralCredential(value)) {
    return { kind: 'AWS secret access key', severity: 'critical', redacted: redact(value) };
  }
  if (/^CLIENT_KEY_DATA$/.test(upper) && /^[A-Za-z0-9+/=]{40,}$/.test(value.trim())) {
    return { kind: 'kubeconfig client private key', severity: 'critical', redacted: redact(value) };
  }
  const kind = secretNameKind(name);
  if (kind === undefined || !isLiteralCredential(value)) return undefined;
  // `TLS_SECRET: ingress-tls`, `DB_CREDENTIALS: postgres-creds` name a Secret object, not its content
  if (OBJECT_NAME_KINDS.has(kind) && DNS_NAME_WITH_SEPARATOR.test(value.trim())) return undefined;
  return { kind, severity: 'high', redacted: redact(value) };
}

const JSON_PAIR = /"((?:[^"\\]|\\.){1,200})"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** `{"spring.datasource.password": "…"}` on one line (SPRING_APPLICATION_JSON, a JSON config value): each string member is a name=value pair. */
export function detectInJson(text: string): { match: SecretMatch; name: string } | undefined {
  if (!text.includes('"')) return undefined;
  for (const m of text.matchAll(JSON_PAIR)) {
    const match = detectSecret(m[1], m[2].replace(/\\(.)/g, '$1'));
    if (match !== undefined) return { match, name: m[1] };
  }
  return undefined;
}

export interface LineMatch extends SecretMatch {
  /** 1-based line inside the text */
  line: number;
  /** the key on that line, when the line is an assignment */
  name?: string;
}

// `KEY=value`, `export KEY=value`, `key: value`, `key = value`, `"key": "value",`
const ASSIGNMENT = /^\s*(?:export\s+)?["']?([A-Za-z_][\w.\-]*)["']?\s*(?:=|:(?=\s|$))\s*(.*)$/;

function unquote(raw: string): string {
  let v = raw.trim();
  if (v.endsWith(',')) v = v.slice(0, -1).trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2) {
    const end = v.indexOf(q, 1);
    return end > 0 ? v.slice(1, end) : v.slice(1);
  }
  // an unquoted trailing comment (`KEY=value # note`)
  return v.replace(/\s+[#;].*$/, '');
}

/**
 * Scan a file held in a ConfigMap value, line by line. Credentials that span lines (a PEM key, a
 * service-account JSON) are reported at the line where they start. One match per line.
 */
export function scanFileText(text: string): LineMatch[] {
  const out: LineMatch[] = [];
  const seen = new Set<number>();
  const lineOf = (index: number): number => text.slice(0, index).split('\n').length;
  for (const p of VALUE_PATTERNS.filter((x) => x.spansLines)) {
    const m = p.re.exec(text);
    if (m === null) continue;
    const line = lineOf(m.index);
    if (seen.has(line)) continue;
    seen.add(line);
    out.push({ kind: p.kind, severity: p.severity, redacted: redact(m[0]), line });
  }
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (seen.has(line)) return;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//') || trimmed.startsWith(';')) return;
    const a = ASSIGNMENT.exec(raw);
    const direct = a !== null ? detectSecret(a[1], unquote(a[2])) : detectValue(raw);
    const found = direct !== undefined ? { match: direct, name: a?.[1] } : detectInJson(raw);
    if (found === undefined) return;
    seen.add(line);
    out.push({ ...found.match, line, ...(found.name !== undefined ? { name: found.name } : {}) });
  });
  return out.sort((x, y) => x.line - y.line);
}

/**
 * A ConfigMap value as `kubemoat scan` (KM-CR rule) and `kubemoat detect` (KM-DT-021) both judge it:
 * a one-line value is a name=value pair under its key; a file (several lines, or JSON: an `.env`,
 * `access.properties`, `credentials`) is read line by line. One detector, so the two never disagree.
 */
export function configValueCredentials(key: string, raw: string): { file: boolean; matches: LineMatch[] } {
  const value = raw.replace(/\r\n/g, '\n');
  if (!value.trim().includes('\n') && !value.trim().startsWith('{')) {
    const match = detectSecret(key, value);
    return { file: false, matches: match === undefined ? [] : [{ ...match, line: 1, name: key }] };
  }
  return { file: true, matches: scanFileText(value) };
}

export function severer(a: SecretSeverity, b: SecretSeverity): SecretSeverity {
  return a === 'critical' || b === 'critical' ? 'critical' : 'high';
}
