// Component flags (src/inventory/flags.ts) and how components are recognised in containers
// (src/inventory/components.ts): pflag/Go flag forms, repeats, booleans, the `--` terminator,
// shell lines, wrappers, hyperkube, image-only recognition, versions.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBool, parseFlags, splitShell, type ArgvEntry } from '../../src/inventory/flags.js';
import type { ComponentNode } from '../../src/inventory/components.js';
import { loadText } from '../helpers/scan.js';

function words(...ws: string[]): ArgvEntry[] {
  return ws.map((word, i) => ({ word, at: ['command', i] }));
}

const BOOLS = new Set(['profiling', 'anonymous-auth', 'client-cert-auth']);

describe('parseFlags', () => {
  test('--flag=value and --flag value', () => {
    const f = parseFlags(words('--etcd-servers=https://10.0.0.1:2379', '--secure-port', '6443'));
    assert.equal(f.string('etcd-servers'), 'https://10.0.0.1:2379');
    assert.equal(f.string('secure-port'), '6443');
    assert.equal(f.int('secure-port'), 6443);
    assert.deepEqual(f.get('secure-port')?.at, ['command', 1], 'the position is the flag, not its value');
  });

  test('a known boolean never takes the next word; an unknown flag before a flag is a bare boolean', () => {
    const f = parseFlags(words('--profiling', '--v=2', '--enable-something', '--bind-address', '0.0.0.0'), BOOLS);
    assert.equal(f.get('profiling')?.value, undefined);
    assert.equal(f.bool('profiling', false), true);
    assert.equal(f.string('v'), '2');
    assert.equal(f.get('enable-something')?.value, undefined);
    assert.equal(f.string('bind-address'), '0.0.0.0');
    // pflag reads `--profiling false` as profiling=true and a stray argument
    const g = parseFlags(words('--profiling', 'false'), BOOLS);
    assert.equal(g.bool('profiling', false), true);
  });

  test('a lone - is a value (`--audit-log-path -` writes to standard output)', () => {
    const f = parseFlags(words('--audit-log-path', '-', '--v=2'));
    assert.equal(f.string('audit-log-path'), '-');
    assert.equal(f.string('v'), '2');
  });

  test('repeated flags: the last scalar wins, slices accumulate, all values are kept', () => {
    const f = parseFlags(words('--anonymous-auth=true', '--authorization-mode=Node', '--anonymous-auth=false', '--authorization-mode=RBAC,Webhook'), BOOLS);
    assert.equal(f.bool('anonymous-auth', true), false);
    assert.deepEqual(f.get('anonymous-auth')?.at, ['command', 2]);
    assert.equal(f.all('anonymous-auth').length, 2);
    assert.deepEqual(f.list('authorization-mode'), ['Node', 'RBAC', 'Webhook']);
    assert.deepEqual(f.lastList('authorization-mode'), ['RBAC', 'Webhook']);
  });

  test('booleans read the way Go does, quotes kept by exec form are read as meant', () => {
    for (const v of ['true', 'True', 'TRUE', 't', 'T', '1', '"true"', "'true'"]) assert.equal(parseBool(v), true, v);
    for (const v of ['false', 'False', 'FALSE', 'f', 'F', '0', '"false"']) assert.equal(parseBool(v), false, v);
    for (const v of ['yes', 'on', '', 'tru']) assert.equal(parseBool(v), undefined, v);
    const f = parseFlags(words('--client-cert-auth="true"', '--profiling=yes'), BOOLS);
    assert.equal(f.bool('client-cert-auth', false), true);
    assert.equal(f.bool('profiling', true), true, 'an unparseable value gives the fallback');
    assert.equal(f.bool('profiling', false), false);
    assert.equal(f.bool('absent', true), true);
  });

  test('-- ends flag parsing; single-dash flags (`-v=2`, Go style) are read', () => {
    const f = parseFlags(words('-v=2', '--a=1', '--', '--b=2'));
    assert.equal(f.string('v'), '2');
    assert.equal(f.string('a'), '1');
    assert.equal(f.has('b'), false);
  });

  test('empty values, values with = in them, positional words that are not values', () => {
    const f = parseFlags(words('--x=', '--feature-gates=A=true,B=false', 'positional', '--y'));
    assert.equal(f.string('x'), '');
    assert.equal(f.string('feature-gates'), 'A=true,B=false');
    assert.equal(f.get('y')?.value, undefined);
    assert.deepEqual(f.names(), ['x', 'feature-gates', 'y']);
  });

  test('Kubernetes components normalise underscores in names; etcd does not', () => {
    assert.equal(parseFlags(words('--audit_log_path=/a'), new Set(), { normalizeUnderscores: true }).string('audit-log-path'), '/a');
    assert.equal(parseFlags(words('--audit_log_path=/a')).has('audit-log-path'), false);
  });
});

describe('splitShell', () => {
  const texts = (script: string) => splitShell(script).map((c) => c.map((w) => w.text));

  test('words, quotes, escapes and command separators', () => {
    assert.deepEqual(texts(`set -e; exec kube-apiserver --a='x y' --b="p q" --c=a\\ b && echo done`), [
      ['set', '-e'],
      ['exec', 'kube-apiserver', '--a=x y', '--b=p q', '--c=a b'],
      ['echo', 'done'],
    ]);
    assert.deepEqual(texts('etcd \\\n  --name=a \\\n  --data-dir=/d\n# comment\nsleep 1 | cat'), [['etcd', '--name=a', '--data-dir=/d'], ['sleep', '1'], ['cat']]);
  });

  test('redirections are dropped with their targets', () => {
    assert.deepEqual(texts('exec /usr/local/bin/kube-scheduler --v=2 1>>/var/log/kube-scheduler.log 2>&1'), [['exec', '/usr/local/bin/kube-scheduler', '--v=2']]);
    assert.deepEqual(texts('etcd --x=1 > /tmp/out 2> /tmp/err'), [['etcd', '--x=1']]);
  });

  test('expansions stay as written and mark their word', () => {
    const [cmd] = splitShell('etcd --name=$(hostname) --data-dir="${DIR}" "$@" --plain=a');
    assert.deepEqual(cmd.map((w) => [w.text, w.expands]), [
      ['etcd', false],
      ['--name=$(hostname)', true],
      ['--data-dir=${DIR}', true],
      ['$@', true],
      ['--plain=a', false],
    ]);
    assert.deepEqual(texts("echo '$NOT'"), [['echo', '$NOT']]);
    assert.equal(splitShell("echo '$NOT'")[0][1].expands, false, 'single quotes do not expand');
  });
});

function components(yaml: string): ComponentNode[] {
  return loadText(yaml).inventory.components;
}

function pod(container: string, extraSpec = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: kube-system}
spec:${extraSpec}
  containers:
    - name: c
${container}`;
}

describe('components in containers', () => {
  test('the executable names the component; args follow command', () => {
    const [c] = components(pod(`      image: registry.k8s.io/kube-apiserver:v1.30.2
      command: [kube-apiserver]
      args: [--anonymous-auth=false, --secure-port, "6443"]`));
    assert.equal(c.component, 'kube-apiserver');
    assert.equal(c.flags.bool('anonymous-auth', true), false);
    assert.equal(c.flags.int('secure-port'), 6443);
    assert.deepEqual(c.flags.get('anonymous-auth')?.at, ['args', 0]);
    assert.deepEqual(c.argsAt, ['args']);
    assert.notEqual(c.flagsComplete, false);
    assert.deepEqual(c.version, { major: 1, minor: 30 });
  });

  test('a full path works, and the image does not have to be the component\'s', () => {
    const [c] = components(pod(`      image: internal.example.com/platform/k8s-bundle:2024.1
      command: [/usr/local/bin/etcd, --name=a]`));
    assert.equal(c.component, 'etcd');
    assert.equal(c.version, undefined, 'the tag of another image is not the component\'s version');
    assert.deepEqual(c.argsAt, ['command']);
  });

  test('sh -c lines are split; flags point at the script; `exec` and env assignments are skipped', () => {
    const [c] = components(pod(`      image: k8s.gcr.io/kube-scheduler:v1.18.20
      command:
        - /bin/sh
        - -c
        - GOMAXPROCS=2 exec /usr/local/bin/kube-scheduler --kubeconfig=/etc/kubernetes/scheduler.conf --leader-elect=true 1>>/var/log/s.log 2>&1`));
    assert.equal(c.component, 'kube-scheduler');
    assert.equal(c.flags.string('kubeconfig'), '/etc/kubernetes/scheduler.conf');
    assert.deepEqual(c.flags.get('leader-elect')?.at, ['command', 2]);
    assert.deepEqual(c.argsAt, ['command', 2]);
    assert.notEqual(c.flagsComplete, false);
    assert.deepEqual(c.version, { major: 1, minor: 18 });
  });

  test('the script may be in args, after bash -ec or busybox sh -c', () => {
    const [a] = components(pod(`      image: quay.io/coreos/etcd:v3.3.10
      command: [/bin/bash, -ec]
      args: ["etcd --name=$(hostname) --listen-client-urls=https://0.0.0.0:2379"]`));
    assert.equal(a.component, 'etcd');
    assert.equal(a.flags.string('listen-client-urls'), 'https://0.0.0.0:2379');
    assert.deepEqual(a.argsAt, ['args', 0]);
    assert.notEqual(a.flagsComplete, false, 'an expansion inside a flag value hides no flag');
    const [b] = components(pod(`      image: busybox:1.36
      command: [busybox, sh, -c, "exec kube-apiserver --profiling=false"]`));
    assert.equal(b.component, 'kube-apiserver');
    assert.equal(b.flags.bool('profiling', true), false);
  });

  test('a shell line that passes "$@" or $EXTRA_ARGS on has flags kubemoat cannot see', () => {
    for (const line of ['exec etcd --name=a "$@"', 'exec etcd --name=a $EXTRA_ARGS']) {
      const [c] = components(pod(`      image: registry.k8s.io/etcd:3.5.12-0
      command: [sh, -c, '${line}']`));
      assert.equal(c.component, 'etcd');
      assert.equal(c.flagsComplete, false, line);
    }
  });

  test('a whole argument that is a $(VAR) reference may hold any flag', () => {
    const [c] = components(pod(`      image: registry.k8s.io/kube-apiserver:v1.30.2
      command: [kube-apiserver, $(EXTRA_FLAGS)]`));
    assert.equal(c.flagsComplete, false);
  });

  test('wrappers: go-runner, tini; hyperkube subcommands', () => {
    const [g] = components(pod(`      image: registry.k8s.io/kube-apiserver:v1.30.2
      command: [/go-runner, --log-file=/var/log/kube-apiserver.log, --also-stdout=false, /usr/local/bin/kube-apiserver, --profiling=false]`));
    assert.equal(g.component, 'kube-apiserver');
    assert.equal(g.flags.has('log-file'), false, 'go-runner\'s own flags are not the API server\'s');
    assert.equal(g.flags.bool('profiling', true), false);
    const [t] = components(pod(`      image: example.com/etcd-wrapped:1
      command: [tini, --, etcd, --name=x]`));
    assert.equal(t.component, 'etcd');
    assert.equal(t.flags.string('name'), 'x');
    const [h] = components(pod(`      image: k8s.gcr.io/hyperkube:v1.17.0
      command: [/hyperkube, apiserver, --insecure-port=0]`));
    assert.equal(h.component, 'kube-apiserver');
    assert.equal(h.flags.int('insecure-port'), 0);
    assert.deepEqual(h.version, { major: 1, minor: 17 });
  });

  test('by image: flags only on an upstream image are the component\'s; anything else is incomplete', () => {
    const [official] = components(pod(`      image: registry.k8s.io/etcd:3.5.12-0
      args: [--name=a]`));
    assert.equal(official.component, 'etcd');
    assert.notEqual(official.flagsComplete, false);
    assert.deepEqual(official.version, { major: 3, minor: 5 });
    const [repackaged] = components(pod(`      image: docker.io/bitnami/etcd:3.5.12
      env: [{name: ETCD_ROOT_PASSWORD, value: x}]`));
    assert.equal(repackaged.component, 'etcd');
    assert.equal(repackaged.flagsComplete, false);
    const [script] = components(pod(`      image: registry.k8s.io/kube-apiserver-amd64:v1.10.13
      command: [/entrypoint.sh, --profiling=false]`));
    assert.equal(script.component, 'kube-apiserver', 'the -amd64 suffix is not part of the name');
    assert.equal(script.flagsComplete, false);
    assert.deepEqual(script.version, { major: 1, minor: 10 });
  });

  test('what is not a component', () => {
    assert.deepEqual(components(pod(`      image: example.com/app:1
      command: [myapp, --backend, etcd]`)), [], 'a component name as an argument');
    assert.deepEqual(components(pod(`      image: bitnami/kubectl:1.30
      command: [kubectl, get, pods]`)), []);
    assert.deepEqual(components(pod(`      image: registry.k8s.io/etcd@sha256:0b7e7a5d1c5b0e8f29e2e8ab7ad1e6a1c5f0a0b4c3d2e1f00112233445566778
      command: [etcdctl, get, /]`)).map((c) => c.flagsComplete), [false], 'etcdctl in the etcd image is recognised by image, with unknown flags');
  });

  test('init containers that exit are not running components; sidecars are', () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: migrate
      image: registry.k8s.io/etcd:3.5.12-0
      command: [etcd, --version]
    - name: sidecar
      image: registry.k8s.io/etcd:3.5.12-0
      restartPolicy: Always
      command: [etcd, --name=side]
  containers:
    - name: app
      image: example.com/app:1`;
    const found = components(yaml);
    assert.deepEqual(found.map((c) => c.source.container.name), ['sidecar']);
  });

  test('versions: tags with and without v, digests, other images', () => {
    const v = (image: string, component = 'kube-apiserver') =>
      components(pod(`      image: ${image}
      command: [${component}]`))[0].version;
    assert.deepEqual(v('registry.k8s.io/kube-apiserver:v1.9.11'), { major: 1, minor: 9 });
    assert.deepEqual(v('registry.k8s.io/kube-apiserver:v1.28.5-rke2r1'), { major: 1, minor: 28 });
    assert.equal(v('registry.k8s.io/kube-apiserver@sha256:0b7e7a5d1c5b0e8f29e2e8ab7ad1e6a1c5f0a0b4c3d2e1f00112233445566778'), undefined);
    assert.equal(v('registry.k8s.io/kube-apiserver:latest'), undefined);
    assert.deepEqual(v('localhost:5000/kube-apiserver:v1.29.0'), { major: 1, minor: 29 }, 'a registry port is not a tag');
    assert.equal(v('localhost:5000/kube-apiserver'), undefined);
  });
});
