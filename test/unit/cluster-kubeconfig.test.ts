// KUBECONFIG lists are merged as kubectl merges them: files that do not exist are skipped, the
// first file to name a cluster, user or context wins, and so does the first current-context.
// connect() makes no request, so nothing here touches the network.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, kubeconfigSource } from '../../src/sources/cluster/connection.js';

const dir = mkdtempSync(join(tmpdir(), 'km-kubeconfig-'));

function kubeconfig(name: string, opts: { cluster: string; server: string; user: string; token: string; context: string; current?: string }): string {
  const file = join(dir, name);
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
  - name: ${opts.cluster}
    cluster: {server: "${opts.server}"}
users:
  - name: ${opts.user}
    user: {token: ${opts.token}}
contexts:
  - name: ${opts.context}
    context: {cluster: ${opts.cluster}, user: ${opts.user}}
${opts.current ? `current-context: ${opts.current}\n` : ''}`);
  return file;
}

async function withKubeconfigEnv<T>(value: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = value;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

test('two files sharing a user name: merged, the first file wins (client-node alone refuses "Duplicate user")', async () => {
  const first = kubeconfig('first', { cluster: 'prod', server: 'http://127.0.0.1:6001', user: 'admin', token: 'one', context: 'prod', current: 'prod' });
  const second = kubeconfig('second', { cluster: 'dev', server: 'http://127.0.0.1:6002', user: 'admin', token: 'two', context: 'dev', current: 'dev' });
  const conn = await withKubeconfigEnv(`${first}:${second}`, () => connect({ timeoutMs: 1000 }));
  try {
    assert.equal(conn.context, 'prod', "the first file's current-context wins");
    assert.equal(conn.server, 'http://127.0.0.1:6001');
  } finally {
    conn.close();
  }
  const dev = await withKubeconfigEnv(`${first}:${second}`, () => connect({ timeoutMs: 1000, context: 'dev' }));
  try {
    assert.equal(dev.server, 'http://127.0.0.1:6002', "the second file's context is there too");
  } finally {
    dev.close();
  }
});

test('a missing file in the list is skipped; a current-context set only by a later file is used', async () => {
  const noCurrent = kubeconfig('no-current', { cluster: 'a', server: 'http://127.0.0.1:6003', user: 'u', token: 't', context: 'a' });
  const withCurrent = kubeconfig('with-current', { cluster: 'b', server: 'http://127.0.0.1:6004', user: 'v', token: 't', context: 'b', current: 'a' });
  const conn = await withKubeconfigEnv(`${join(dir, 'missing')}:${noCurrent}::${withCurrent}`, () => connect({ timeoutMs: 1000 }));
  try {
    assert.equal(conn.context, 'a');
    assert.equal(conn.server, 'http://127.0.0.1:6003');
  } finally {
    conn.close();
  }
});

test('where the kubeconfig comes from, decided as kubectl decides it', () => {
  const exists = (files: string[]) => (f: string) => files.includes(f);
  assert.deepEqual(kubeconfigSource('/x', { KUBECONFIG: '/a' }, exists([])), { kind: 'file', file: '/x' }, '--kubeconfig first');
  assert.deepEqual(kubeconfigSource(undefined, { KUBECONFIG: '/a:/b', HOME: '/h' }, exists(['/b', '/h/.kube/config'])), { kind: 'list', files: ['/b'], missing: ['/a'] });
  assert.deepEqual(kubeconfigSource(undefined, { KUBECONFIG: '', HOME: '/h' }, exists(['/h/.kube/config'])), { kind: 'file', file: '/h/.kube/config' });
  assert.equal(kubeconfigSource(undefined, { HOME: '/h' }, exists([])).kind, 'none');
  assert.equal(kubeconfigSource(undefined, { HOME: '/h', KUBERNETES_SERVICE_HOST: '10.0.0.1' }, exists(['/var/run/secrets/kubernetes.io/serviceaccount/token'])).kind, 'in-cluster');
});
