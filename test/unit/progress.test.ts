// The progress line probe, cluster and images share: its text as a pure function, drawn only on a
// terminal and without --no-progress, at most ten times a second, and never seen by a pipe.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressLine, progressText } from '../../src/cli/progress.js';
import { clusterProgress } from '../../src/cli/cluster.js';
import { imagesProgress } from '../../src/cli/images.js';
import { probeProgress } from '../../src/cli/probe.js';
import { CLI } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/registry.js';
import { gzip, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';

test('progressText: percentage, counts, rate, details and ETA; no ETA without a total', () => {
  assert.equal(progressText({ label: 'probe', done: 100, total: 400, unit: 'ports', rateUnit: 'probes', details: ['2/5 hosts', '3 open'] }, 2000), 'probe 25% 100/400 ports (50 probes/s), 2/5 hosts, 3 open, ETA 6 s');
  assert.equal(progressText({ label: 'images', done: 3, unit: 'images' }, 2000), 'images 3 images (1.5 images/s)');
  assert.equal(progressText({ label: 'images', done: 4, total: 4, unit: 'images' }, 1000), 'images 100% 4/4 images (4.0 images/s)', 'done: no ETA');
  assert.equal(progressText({ label: 'x', done: 0, total: 0, unit: 'steps' }, 0), 'x 100% 0/0 steps (0.0 steps/s)');
});

test('each command says what it counts', () => {
  assert.equal(progressText(clusterProgress({ phase: 'listing', done: 10, total: 40, objects: 1234 }), 5000), 'cluster: listing 25% 10/40 resource types (2.0 types/s), 1234 objects, ETA 15 s');
  assert.match(progressText(clusterProgress({ phase: 'kubelets', done: 1, total: 3, objects: 99 }), 1000), /^cluster: kubelet configuration 33% 1\/3 nodes .*99 objects/);
  assert.equal(progressText(imagesProgress({ done: 2, total: 8, failed: 1 }), 4000), 'images 25% 2/8 images (0.5 images/s), 1 failed, ETA 12 s');
  assert.match(progressText(probeProgress({ done: 5, open: 1, hostsDone: 1 }, 10, 2), 1000), /^probe 50% 5\/10 ports \(5\.0 probes\/s\), 1\/2 hosts, 1 open, ETA 1 s$/);
});

/** A stream that records what is written, standing for stderr. */
function recorder(isTTY: boolean, columns = 80): { isTTY: boolean; columns: number; written: string[]; write(s: string): boolean } {
  const written: string[] = [];
  return { isTTY, columns, written, write: (s: string) => written.push(s) > 0 };
}

test('progressLine draws on a terminal only, redraws at most every 100 ms, always draws the end, and erases itself', () => {
  let now = 0;
  const tty = recorder(true, 40);
  const line = progressLine({ progress: true }, tty, () => now);
  line.update({ label: 'images', done: 1, total: 3, unit: 'images' });
  now = 50;
  line.update({ label: 'images', done: 2, total: 3, unit: 'images' });
  assert.equal(tty.written.length, 1, 'the second update came too soon');
  now = 60;
  line.update({ label: 'images', done: 3, total: 3, unit: 'images' });
  assert.equal(tty.written.length, 2, 'the last one is always drawn');
  assert.ok(tty.written.every((w) => w.startsWith('\r\x1b[K') && w.length - 4 <= 39), 'each redraw clears the line and fits one column short of the width');
  line.clear();
  assert.equal(tty.written.at(-1), '\r\x1b[K');
  line.clear();
  assert.equal(tty.written.length, 3, 'nothing to erase twice');

  for (const [what, flags, stream] of [['not a terminal', { progress: true }, recorder(false)], ['--no-progress', { progress: false }, recorder(true)]] as const) {
    const silent = progressLine(flags, stream, () => 0);
    silent.update({ label: 'images', done: 1, total: 1, unit: 'images' });
    silent.clear();
    assert.deepEqual(stream.written, [], what);
  }
});

test('through a pipe, probe and images write no progress', async () => {
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'km-progress-'));
  try {
    const port = (server.address() as AddressInfo).port;
    const probe = await runCliAsync(CLI, ['probe', `127.0.0.1:${port}`, '-f', 'json', '--fail-on', 'never']);
    assert.equal(probe.status, 0, probe.stderr);
    assert.doesNotMatch(probe.stderr, /\r|ETA|probes\/s/);
    // a one-record vulnerability database is enough: the scan still reads the image
    writeFileSync(join(dir, 'osv.json'), JSON.stringify({ id: 'GHSA-0000-0000-0000', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }] }] }));
    assert.equal((await runCliAsync(CLI, ['images', 'db', 'update', '--from', join(dir, 'osv.json'), '--db', join(dir, 'db')])).status, 0);
    writeOciLayout(join(dir, 'oci'), [{ tag: 'app', layers: [{ blob: gzip(tarOf([{ path: 'etc/hostname', content: 'app\n' }])) }] }]);
    const images = await runCliAsync(CLI, ['images', `oci:${join(dir, 'oci')}:app`, '--db', join(dir, 'db'), '--no-save-state', '-f', 'json', '--fail-on', 'never']);
    assert.ok(images.stdout.includes('"findings"'), images.stderr);
    assert.doesNotMatch(images.stderr, /\r|ETA|images\/s/);
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
