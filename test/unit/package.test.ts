// The npm package as a user gets it: packed from a tree with no dist/ (as a clean clone is), so
// `prepack` must build it; the tarball holds the CLI, the docs and the licence and nothing of the
// tests, lab or benchmarks; installed globally into a prefix of its own, its `kubemoat` scans the
// bundled example. Dependencies come from the npm cache `npm ci` filled (--prefer-offline).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

interface PackedFile {
  path: string;
  mode: number;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.error, undefined, `${cmd} did not start: ${r.error?.message}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The files a clean clone has that packing needs: no dist/, no tests (node_modules is linked, as `npm ci` made it). */
function cleanTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'km-package-'));
  for (const entry of ['src', 'docs', 'README.md', 'LICENSE', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.package.json']) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

test('npm pack of a clean tree builds the CLI; the global install of the tarball scans the example', { timeout: 600_000 }, () => {
  const tree = cleanTree();
  const out = mkdtempSync(join(tmpdir(), 'km-package-out-'));
  try {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], tree)) as { filename: string; files: PackedFile[] }[];
    const paths = packed.files.map((f) => f.path);
    for (const wanted of ['package.json', 'LICENSE', 'README.md', 'dist/src/cli/main.js', 'dist/src/sources/manifests/parse-worker.js', 'docs/rules.md', 'docs/config.schema.json']) {
      assert.ok(paths.includes(wanted), `${wanted} is in the tarball`);
    }
    const unwanted = paths.filter((p) => /^(test|lab|bench|src|examples|dist\/test|dist\/bench)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts'));
    assert.deepEqual(unwanted, [], 'no tests, lab, benchmarks, TypeScript sources or source maps');
    assert.ok(paths.every((p) => p.startsWith('dist/src/') || p.startsWith('docs/') || ['package.json', 'LICENSE', 'README.md'].includes(p)), `only the CLI, docs and top files: ${paths.filter((p) => !p.startsWith('dist/src/') && !p.startsWith('docs/')).join(', ')}`);
    assert.match(readFileSync(join(tree, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);

    const prefix = join(out, 'prefix');
    run('npm', ['install', '--global', '--prefix', prefix, join(out, packed.filename), '--prefer-offline', '--no-audit', '--no-fund'], out);
    const kubemoat = join(prefix, 'bin', 'kubemoat');
    const version = spawnSync(kubemoat, ['version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^kubemoat ${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version}\\b`));
    const scan = spawnSync(kubemoat, ['scan', 'examples/insecure-cluster', '-f', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(scan.status, 1, `findings at or above high: exit 1\n${scan.stderr}`);
    const report = JSON.parse(scan.stdout) as { findings: { ruleId: string; location?: { file: string } }[] };
    assert.ok(report.findings.some((f) => f.ruleId === 'KM-WL-001' && f.location?.file === 'examples/insecure-cluster/node-agent.yaml'), 'the privileged node agent is found');
  } finally {
    rmSync(tree, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
