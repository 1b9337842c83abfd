// `kubemoat scan` as a user runs it: exit codes, the JSON report on stdout, messages on stderr, stdin,
// an unreadable file, and a 200 MB input generated at test time (its peak memory is reported).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

interface JsonReport {
  findings: { ruleId: string; resource?: { name: string }; location?: { file: string; line: number } }[];
  summary: { resources: number; files?: number; documents?: number; skipped?: number };
  coverage: { target: string; line?: number; reason: string; severity: string }[];
}

function scan(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; uid?: number } = {}): SpawnSyncReturns<string> & { report?: JsonReport } {
  const result = spawnSync(process.execPath, [MAIN, 'scan', ...args, '-f', 'json'], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    maxBuffer: 512 * 1024 * 1024,
    timeout: 20 * 60 * 1000,
  });
  let report: JsonReport | undefined;
  try {
    report = JSON.parse(result.stdout) as JsonReport;
  } catch {
    report = undefined;
  }
  return Object.assign(result, { report });
}

const pod = (name: string, privileged = false): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n${privileged ? '    securityContext:\n      privileged: true\n' : ''}`;

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-cli-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('CLI: a missing path and a broken document exit 2, name file and line on stderr, and the rest is scanned', () => {
  withDir((dir) => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, `${pod('good', true)}---\napiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n---\n${pod('after')}`);
    const missing = join(dir, 'missing.yaml');
    const r = scan([missing, good]);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.report, 'the JSON report is still written');
    assert.equal(r.report.summary.resources, 2);
    assert.ok(r.report.findings.some((f) => f.resource?.name === 'good' && f.location?.file === good));
    assert.match(r.stderr, new RegExp(`${missing}: cannot read: no such file or directory`));
    assert.match(r.stderr, new RegExp(`${good}:1[2-5]:\\d+: .*document skipped`));
    assert.ok(r.report.coverage.some((c) => c.target === missing && c.severity === 'error'));
  });
});

test('CLI: warnings alone (duplicate keys, binary files) do not make the scan incomplete', () => {
  withDir((dir) => {
    const dup = join(dir, 'dup.yaml');
    writeFileSync(dup, `${pod('dup')}metadata:\n  name: dup2\n`);
    const bin = join(dir, 'blob.yaml');
    writeFileSync(bin, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    const r = scan([dir, '--fail-on', 'never']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.report);
    assert.equal(r.report.summary.resources, 1);
    assert.equal(r.report.summary.skipped, 1);
    const warnings = r.report.coverage.filter((c) => c.severity === 'warning').map((c) => c.reason);
    assert.ok(warnings.some((w) => /duplicate key `metadata`/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /binary file/.test(w)), warnings.join('\n'));
  });
});

test('CLI: stdin (-) together with a file', () => {
  withDir((dir) => {
    const file = join(dir, 'file.yaml');
    writeFileSync(file, pod('from-file'));
    const r = scan(['-', file, '--fail-on', 'never'], { input: `${pod('from-stdin', true)}---\n${pod('second')}`.replace(/\n/g, '\r\n') });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.report);
    assert.equal(r.report.summary.resources, 3);
    const onStdin = r.report.findings.filter((f) => f.location?.file === '<stdin>');
    assert.ok(onStdin.length > 0);
    assert.ok(onStdin.some((f) => f.location?.line === 10), 'the privileged line on stdin');
  });
});

test('CLI: an unreadable file (chmod 000) is an error with exit 2; the rest is scanned', (t) => {
  // Tests run as root, whom chmod 000 does not stop: run the scan as nobody when possible.
  const isRoot = process.getuid?.() === 0;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  if (isRoot && setpriv === undefined) {
    t.skip('running as root without setpriv: cannot make a file unreadable');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-cli-'));
  try {
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked.yaml');
    const open = join(dir, 'open.yaml');
    writeFileSync(locked, pod('locked'));
    writeFileSync(open, pod('open'));
    chmodSync(locked, 0o000);
    chmodSync(open, 0o644);
    const args = [MAIN, 'scan', dir, '-f', 'json'];
    const r = isRoot
      ? spawnSync(setpriv as string, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args], { encoding: 'utf8', cwd: dir })
      : spawnSync(process.execPath, args, { encoding: 'utf8', cwd: dir });
    if (isRoot && r.status !== 2 && /cannot find (module|package)|EACCES|permission denied, open/i.test(r.stderr)) {
      t.skip(`nobody cannot run kubemoat from this checkout: ${r.stderr.split('\n')[0]}`);
      return;
    }
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.equal(report.summary.resources, 1);
    assert.ok(report.coverage.some((c) => c.target === locked && c.reason === 'cannot read: permission denied'), JSON.stringify(report.coverage));
    assert.match(r.stderr, /locked\.yaml: cannot read: permission denied/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Write about `megabytes` MB of manifests: ConfigMaps with large literal blocks and hardened Deployments. */
function writeLargeInput(path: string, megabytes: number): number {
  const fd = openSync(path, 'w');
  const block = Array.from({ length: 240 }, (_, n) => `    line ${n}: the quick brown fox jumps over the lazy dog 0123456789\n`).join('');
  let size = 0;
  let objects = 0;
  let chunk = '';
  try {
    while (size < megabytes * 1024 * 1024) {
      const i = objects++;
      const doc =
        i % 2 === 0
          ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: big\ndata:\n  settings.txt: |\n${block}  mode: production\n---\n`
          : `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: big\nspec:\n  selector: {matchLabels: {app: app-${i}}}\n  template:\n    metadata: {labels: {app: app-${i}}}\n    spec:\n      automountServiceAccountToken: false\n      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      containers:\n      - name: web\n        image: registry.example.com/app@sha256:${'a'.repeat(64)}\n        resources:\n          limits: {cpu: 500m, memory: 256Mi}\n          requests: {cpu: 100m, memory: 128Mi}\n        securityContext:\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n          capabilities: {drop: [ALL]}\n---\n`;
      chunk += doc;
      size += doc.length;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return objects;
}

test('CLI: a 200 MB input completes, counts every object, and its peak memory is reported', { timeout: 30 * 60 * 1000 }, (t) => {
  withDir((dir) => {
    const input = join(dir, 'big.yaml');
    const objects = writeLargeInput(input, 200);
    // the scan runs in a child; a preloaded hook writes its peak RSS when it exits
    const rssFile = join(dir, 'rss.txt');
    const hook = join(dir, 'rss-hook.mjs');
    writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const started = Date.now();
    const r = scan([input, '--fail-on', 'never'], { env: { NODE_OPTIONS: `--import=${hook}` } });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    assert.ok(r.report);
    assert.equal(r.report.summary.resources, objects);
    assert.equal(r.report.summary.documents, objects);
    assert.deepEqual(r.report.coverage.filter((c) => c.severity === 'error'), []);
    const maxRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    t.diagnostic(`200 MB input: ${objects} objects, ${seconds.toFixed(1)} s wall, peak RSS ${maxRssMiB.toFixed(0)} MiB`);
    // generous: the input itself is 200 MB; parsed objects, positions and the report come on top
    assert.ok(maxRssMiB < 4096, `peak RSS ${maxRssMiB.toFixed(0)} MiB`);
  });
});
