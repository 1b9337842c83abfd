// Smoke test of the lab itself: the insecure profile really has the planted
// doors open, the hardened profile really has them shut, and both run pods.
// Every request is made from inside the lab's own network namespace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  curlInNetns,
  eventually,
  kubectl,
  kubectlOk,
  labUp,
  readAuditEvents,
  type LabEnv,
  type LabProfile,
} from '../helpers/lab.js';

const FAKE_KEY_ID = 'AKIAFAKEKUBEMOATLAB0';
const FAKE_SECRET = 'fake-lab-secret/kubemoat/NOT-A-REAL-KEY0';

// Start both profiles at once (separate namespaces, locks and state). Every test
// awaits its profile, so a lab that cannot start fails each test with lab up's
// output (which ends with the failing component's log tail): nothing is skipped.
const ups: Record<LabProfile, Promise<LabEnv>> = {
  insecure: labUp('insecure'),
  hardened: labUp('hardened'),
};

// What `kubectl exec` sends to the kubelet: a SPDY upgrade of POST /exec/...
const EXEC_UPGRADE = {
  method: 'POST',
  headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
  curlArgs: ['--http1.1'],
  timeoutSec: 3,
};

function etcdKey(key: string): string {
  return JSON.stringify({ key: Buffer.from(key).toString('base64') });
}

describe('lab insecure profile', () => {
  test('env describes the lab', async () => {
    const env = await ups.insecure;
    assert.equal(env.profile, 'insecure');
    assert.equal(env.netns, 'kubemoat-lab-insecure');
    assert.equal(env.running, true);
    assert.match(env.apiServer, /^https:\/\/10\.77\.1\.10:6443$/);
    assert.equal(env.kubeletReadOnly, 'http://10.77.1.10:10255');
    assert.equal(env.kubectlProxy, 'http://10.77.1.10:8080');
    assert.match(env.etcd, /^http:\/\//);
  });

  test('a pod created through the API is Running', async () => {
    const env = await ups.insecure;
    const phase = await kubectlOk(env, ['get', 'pod', 'app', '-n', 'lab-apps', '-o', 'jsonpath={.status.phase}']);
    assert.equal(phase, 'Running');
  });

  test('the static pod from the manifest directory runs (mirror pod)', async () => {
    const env = await ups.insecure;
    const phase = await kubectlOk(env, [
      'get', 'pod', `static-web-${env.nodeName}`, '-n', 'lab-apps', '-o', 'jsonpath={.status.phase}',
    ]);
    assert.equal(phase, 'Running');
  });

  test('kubelet answers anonymously: /pods leaks the fake cloud key', async () => {
    const env = await ups.insecure;
    const r = await curlInNetns(env, `${env.kubelet}/pods`);
    assert.equal(r.status, 200, r.error || r.body.slice(0, 300));
    assert.ok(r.body.includes(FAKE_KEY_ID), 'the AWS key id is in /pods');
    assert.ok(r.body.includes(FAKE_SECRET), 'the AWS secret key is in /pods');
  });

  test('kubelet /run executes a command anonymously', async () => {
    const env = await ups.insecure;
    const r = await curlInNetns(env, `${env.kubelet}/run/lab-apps/app/app?cmd=id`, { method: 'POST' });
    assert.equal(r.status, 200, r.error || r.body);
    assert.match(r.body, /uid=0\(root\)/);
  });

  test('kubelet /exec accepts an anonymous stream (101 Switching Protocols)', async () => {
    const env = await ups.insecure;
    const r = await curlInNetns(env, `${env.kubelet}/exec/lab-apps/app/app?command=id&output=1&error=1`, EXEC_UPGRADE);
    assert.equal(r.status, 101, r.error || r.body);
  });

  test('kubelet read-only port 10255 answers without TLS or credentials', async () => {
    const env = await ups.insecure;
    const r = await curlInNetns(env, `${env.kubeletReadOnly}/pods`);
    assert.equal(r.status, 200, r.error);
    assert.ok(r.body.includes(FAKE_KEY_ID));
  });

  test('etcd answers without a certificate and hands out secrets', async () => {
    const env = await ups.insecure;
    const v = await curlInNetns(env, `${env.etcd}/version`);
    assert.equal(v.status, 200, v.error);
    assert.match(v.body, /etcdserver/);
    const r = await curlInNetns(env, `${env.etcd}/v3/kv/range`, {
      method: 'POST',
      data: etcdKey('/registry/secrets/lab-apps/cloud-credentials'),
    });
    assert.equal(r.status, 200, r.error);
    const kvs = (JSON.parse(r.body) as { kvs?: { value: string }[] }).kvs ?? [];
    assert.equal(kvs.length, 1);
    assert.ok(Buffer.from(kvs[0]!.value, 'base64').toString('latin1').includes(FAKE_SECRET), 'secret stored in clear');
  });

  test('API server lets anonymous users read secrets', async () => {
    const env = await ups.insecure;
    const r = await curlInNetns(env, `${env.apiServer}/api/v1/namespaces/lab-apps/secrets`);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.match(r.body, /cloud-credentials/);
  });

  test('kubectl proxy serves the API over plain HTTP with no credentials', async () => {
    const env = await ups.insecure;
    const r = await curlInNetns(env, `${env.kubectlProxy}/api/v1/namespaces/kube-system/pods`);
    assert.equal(r.status, 200, r.error);
    assert.match(r.body, /"kind":\s*"PodList"/);
  });

  test('the low-privilege user can view lab-apps but not read secrets', async () => {
    const env = await ups.insecure;
    assert.equal((await kubectl(env, ['get', 'pods', '-n', 'lab-apps'], 'user')).code, 0);
    const s = await kubectl(env, ['get', 'secrets', '-n', 'lab-apps'], 'user');
    assert.notEqual(s.code, 0);
    assert.match(s.stderr, /forbidden/i);
  });

  test('the audit log has events, including the anonymous secrets read', async () => {
    const env = await ups.insecure;
    const found = await eventually(() =>
      readAuditEvents(env).find(
        (e) => e.user?.username === 'system:anonymous' && e.objectRef?.resource === 'secrets' && e.verb === 'list',
      ),
    );
    const events = readAuditEvents(env);
    assert.ok(events.length > 0, `no audit events in ${env.auditLog}`);
    assert.ok(events.every((e) => e.kind === 'Event' && e.apiVersion === 'audit.k8s.io/v1'));
    assert.ok(found, 'an audit event for the anonymous secrets list');
    assert.equal(found.level, 'Metadata');
  });
});

describe('lab hardened profile', () => {
  test('env describes the lab', async () => {
    const env = await ups.hardened;
    assert.equal(env.profile, 'hardened');
    assert.equal(env.netns, 'kubemoat-lab-hardened');
    assert.equal(env.running, true);
    assert.equal(env.kubeletReadOnly, null);
    assert.equal(env.kubectlProxy, null);
    assert.match(env.etcd, /^https:\/\//);
  });

  test('a pod created through the API is Running (Pod Security restricted)', async () => {
    const env = await ups.hardened;
    const phase = await kubectlOk(env, ['get', 'pod', 'app', '-n', 'lab-apps', '-o', 'jsonpath={.status.phase}']);
    assert.equal(phase, 'Running');
    const ns = await kubectlOk(env, ['get', 'ns', 'lab-apps', '-o', 'jsonpath={.metadata.labels}']);
    assert.match(ns, /"pod-security.kubernetes.io\/enforce":"restricted"/);
  });

  test('Pod Security rejects a privileged pod', async () => {
    const env = await ups.hardened;
    const r = await kubectl(env, [
      'run', 'should-not-exist', '-n', 'lab-apps', '--image=kubemoat.local/lab/busybox:1.35',
      '--image-pull-policy=Never', '--dry-run=server',
      '--overrides={"spec":{"containers":[{"name":"should-not-exist","image":"kubemoat.local/lab/busybox:1.35","securityContext":{"privileged":true}}]}}',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /violates PodSecurity "restricted/);
  });

  test('kubelet refuses anonymous requests (401)', async () => {
    const env = await ups.hardened;
    const r = await curlInNetns(env, `${env.kubelet}/pods`);
    assert.equal(r.status, 401, r.error || r.body);
    const run = await curlInNetns(env, `${env.kubelet}/run/lab-apps/app/app?cmd=id`, { method: 'POST' });
    assert.equal(run.status, 401);
    const exec = await curlInNetns(env, `${env.kubelet}/exec/lab-apps/app/app?command=id&output=1&error=1`, EXEC_UPGRADE);
    assert.equal(exec.status, 401);
  });

  test('kubelet authorizes through the API server (Webhook): the admin may, the user may not', async () => {
    const env = await ups.hardened;
    const admin = await curlInNetns(env, `${env.kubelet}/pods`, {
      cacert: env.pki.caCert, cert: env.pki.adminCert, key: env.pki.adminKey,
    });
    assert.equal(admin.status, 200, admin.error || admin.body);
    const user = await curlInNetns(env, `${env.kubelet}/pods`, {
      cacert: env.pki.caCert, cert: env.pki.userCert, key: env.pki.userKey,
    });
    assert.equal(user.status, 403, user.body);
  });

  test('kubelet read-only port 10255 is closed', async () => {
    const env = await ups.hardened;
    const r = await curlInNetns(env, `http://${env.nodeIP}:10255/pods`);
    assert.equal(r.status, 0);
    assert.equal(r.curlExit, 7, r.error); // connection refused
  });

  test('etcd refuses a client without a certificate', async () => {
    const env = await ups.hardened;
    const noCert = await curlInNetns(env, `${env.etcd}/version`, { cacert: env.pki.etcdCaCert });
    assert.equal(noCert.status, 0, noCert.body);
    assert.notEqual(noCert.curlExit, 0);
    const plain = await curlInNetns(env, `http://${env.nodeIP}:2379/version`);
    assert.notEqual(plain.status, 200);
    // the control: with the API server's etcd client certificate it answers
    const withCert = await curlInNetns(env, `${env.etcd}/version`, {
      cacert: env.pki.etcdCaCert, cert: env.pki.etcdClientCert, key: env.pki.etcdClientKey,
    });
    assert.equal(withCert.status, 200, withCert.error);
  });

  test('etcd has its own CA, not the cluster CA', async () => {
    const env = await ups.hardened;
    assert.notEqual(env.pki.etcdCaCert, env.pki.caCert);
  });

  test('API server refuses anonymous requests (401)', async () => {
    const env = await ups.hardened;
    const r = await curlInNetns(env, `${env.apiServer}/api/v1/namespaces/lab-apps/secrets`);
    assert.equal(r.status, 401, r.body.slice(0, 300));
  });

  test('no kubectl proxy is listening', async () => {
    const env = await ups.hardened;
    const r = await curlInNetns(env, `http://${env.nodeIP}:8080/api`);
    assert.equal(r.curlExit, 7, r.error);
  });

  test('default-deny NetworkPolicy exists in lab-apps', async () => {
    const env = await ups.hardened;
    const out = await kubectlOk(env, ['get', 'networkpolicy', '-n', 'lab-apps', '-o', 'name']);
    assert.match(out, /networkpolicy.networking.k8s.io\/default-deny-all/);
  });

  test('the audit log has events', async () => {
    const env = await ups.hardened;
    const found = await eventually(() => readAuditEvents(env).length > 0);
    assert.ok(found, `no audit events in ${env.auditLog}`);
    const events = readAuditEvents(env);
    assert.ok(events.every((e) => e.kind === 'Event' && e.apiVersion === 'audit.k8s.io/v1'));
    assert.ok(events.some((e) => e.objectRef?.resource === 'pods' && e.verb === 'create' && e.level === 'Request'));
  });
});
