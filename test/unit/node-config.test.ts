// kubemoat node's pure parts: component processes' command lines, the kubelet's effective
// configuration (command-line defaults vs config-file defaults, --config, --config-dir drop-ins,
// flag precedence, relative paths), JSON merge patch, and permission-bit arithmetic.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { componentOfProcess, locateProcess, type ProcessInfo } from '../../src/inventory/components.js';
import type { ContainerNode } from '../../src/inventory/objects.js';
import { effectiveKubeletConfig, mergePatch, resolveFrom } from '../../src/inventory/kubelet-config.js';
import { splitNul } from '../../src/sources/node/proc.js';
import { excessBits, parseMode, showMode } from '../../src/rules/node/shared.js';
import { permissionSeverity } from '../../src/rules/node/file-roles.js';
import type { FlagSet } from '../../src/inventory/flags.js';
import type { JsonObject } from '../../src/core/json.js';

function flagsOf(...argv: string[]): FlagSet {
  const found = locateProcess(argv);
  assert.ok(found, `not a component: ${argv.join(' ')}`);
  const info: ProcessInfo = { pid: 1, executable: argv[0], cwd: '/', argv };
  return componentOfProcess(found, info, {} as ContainerNode).flags;
}

function dig(o: JsonObject, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

const KC = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

describe('component processes', () => {
  test('/proc cmdline words: NUL-separated, trailing NUL ends the last word', () => {
    assert.deepEqual(splitNul('/usr/bin/kubelet\0--config=/a b\0--v\x002\0'), ['/usr/bin/kubelet', '--config=/a b', '--v', '2']);
    assert.deepEqual(splitNul(''), []);
  });

  test('recognised by the executable: direct, hyperkube; not by a word later on the line', () => {
    assert.equal(locateProcess(['/usr/local/bin/kube-apiserver', '--secure-port=6443'])?.component, 'kube-apiserver');
    assert.equal(locateProcess(['/hyperkube', 'kubelet', '--v=2'])?.component, 'kubelet');
    assert.equal(locateProcess(['/usr/bin/etcd', '--name', 'x'])?.component, 'etcd');
    assert.equal(locateProcess(['/usr/bin/vim', 'kubelet']), undefined);
    assert.equal(locateProcess(['/usr/bin/kubelet-wrapper.sh']), undefined);
    assert.equal(locateProcess([]), undefined);
  });

  test('--flag=value, --flag value, repeated flags, booleans without a value', () => {
    const f = flagsOf('kubelet', '--config=/etc/k/config.yaml', '--kubeconfig', '/etc/k/kubelet.conf', '--anonymous-auth', '--read-only-port', '0', '--v=2', '--v=4', '--feature-gates=A=true', '--feature-gates', 'B=false');
    assert.equal(f.string('config'), '/etc/k/config.yaml');
    assert.equal(f.string('kubeconfig'), '/etc/k/kubelet.conf');
    assert.equal(f.bool('anonymous-auth', false), true, 'a boolean alone is true and does not eat the next flag');
    assert.equal(f.int('read-only-port'), 0);
    assert.equal(f.string('v'), '4', 'the last of a repeated scalar wins');
    assert.deepEqual(f.list('feature-gates'), ['A=true', 'B=false'], 'list flags accumulate');
  });

  test('Kubernetes flags normalise _ to -, etcd flags do not', () => {
    assert.equal(flagsOf('kube-apiserver', '--anonymous_auth=false').string('anonymous-auth'), 'false');
    assert.equal(flagsOf('etcd', '--data_dir=/x').string('data-dir'), undefined);
  });
});

describe('kubelet effective configuration', () => {
  test('without --config the command-line defaults apply: anonymous on, AlwaysAllow, read-only port 10255', () => {
    const e = effectiveKubeletConfig({ flags: flagsOf('kubelet', '--kubeconfig=/etc/k/kubelet.conf') });
    assert.equal(dig(e.config, 'authentication.anonymous.enabled'), true);
    assert.equal(dig(e.config, 'authentication.webhook.enabled'), false);
    assert.equal(dig(e.config, 'authorization.mode'), 'AlwaysAllow');
    assert.equal(dig(e.config, 'readOnlyPort'), 10255);
    assert.match(e.provenance['authentication.anonymous.enabled'], /default of the kubelet command line/);
  });

  test('with --config the v1beta1 defaults fill what the file leaves out (the safe values)', () => {
    const e = effectiveKubeletConfig({ flags: flagsOf('kubelet', '--config=/etc/k/c.yaml'), configFile: { path: '/etc/k/c.yaml', text: `${KC}staticPodPath: /etc/k/manifests\n` } });
    assert.equal(dig(e.config, 'authentication.anonymous.enabled'), false);
    assert.equal(dig(e.config, 'authentication.webhook.enabled'), true);
    assert.equal(dig(e.config, 'authorization.mode'), 'Webhook');
    assert.equal(dig(e.config, 'readOnlyPort'), 0);
    assert.match(e.provenance.readOnlyPort, /default of kubelet.config.k8s.io\/v1beta1/);
    assert.equal(e.provenance.staticPodPath, 'config file /etc/k/c.yaml');
  });

  test('a flag wins over the config file', () => {
    const e = effectiveKubeletConfig({
      flags: flagsOf('kubelet', '--config', '/etc/k/c.yaml', '--anonymous-auth=true', '--read-only-port', '10255'),
      configFile: { path: '/etc/k/c.yaml', text: `${KC}authentication:\n  anonymous:\n    enabled: false\nreadOnlyPort: 0\n` },
    });
    assert.equal(dig(e.config, 'authentication.anonymous.enabled'), true);
    assert.equal(dig(e.config, 'readOnlyPort'), 10255);
    assert.equal(e.provenance['authentication.anonymous.enabled'], 'command-line flag --anonymous-auth=true');
  });

  test('drop-ins merge in order over the file (objects merge, lists replace, null removes), flags still win', () => {
    const e = effectiveKubeletConfig({
      flags: flagsOf('kubelet', '--config=/etc/k/c.yaml', '--config-dir=/etc/k/c.d', '--authorization-mode=Webhook'),
      configFile: { path: '/etc/k/c.yaml', text: `${KC}authentication:\n  x509: {clientCAFile: /etc/k/ca.crt}\n  anonymous: {enabled: false}\ntlsCipherSuites: [A, B]\nreadOnlyPort: 10255\nauthorization: {mode: AlwaysAllow}\n` },
      dropIns: [
        { path: '/etc/k/c.d/10-a.conf', text: `${KC}authentication:\n  anonymous: {enabled: true}\ntlsCipherSuites: [C]\n` },
        { path: '/etc/k/c.d/20-b.conf', text: `${KC}readOnlyPort: null\nauthentication:\n  anonymous: {enabled: false}\n` },
        { path: '/etc/k/c.d/30-c.conf', text: `${KC}streamingConnectionIdleTimeout: 0s\n` },
      ],
    });
    assert.equal(dig(e.config, 'authentication.anonymous.enabled'), false, '20-b.conf comes after 10-a.conf');
    assert.equal(e.provenance['authentication.anonymous.enabled'], 'drop-in /etc/k/c.d/20-b.conf');
    assert.equal(dig(e.config, 'authentication.x509.clientCAFile'), '/etc/k/ca.crt', 'sibling fields of a merged object stay');
    assert.deepEqual(dig(e.config, 'tlsCipherSuites'), ['C'], 'a list is replaced, not appended');
    assert.equal(dig(e.config, 'readOnlyPort'), 0, 'null removes the field; the v1beta1 default comes back');
    assert.match(e.provenance.readOnlyPort, /default of kubelet.config.k8s.io\/v1beta1/);
    assert.equal(dig(e.config, 'streamingConnectionIdleTimeout'), '0s');
    assert.equal(dig(e.config, 'authorization.mode'), 'Webhook');
    assert.equal(e.provenance['authorization.mode'], 'command-line flag --authorization-mode=Webhook');
  });

  test('--config-dir without --config keeps the command-line defaults under the drop-ins', () => {
    const e = effectiveKubeletConfig({
      flags: flagsOf('kubelet', '--config-dir=/etc/k/c.d'),
      dropIns: [{ path: '/etc/k/c.d/10-a.conf', text: `${KC}authorization: {mode: Webhook}\n` }],
    });
    assert.equal(dig(e.config, 'authorization.mode'), 'Webhook');
    assert.equal(dig(e.config, 'authentication.anonymous.enabled'), true, 'the base was built from the command line');
  });

  test('relative paths in the config file are resolved against its directory; the file itself against the cwd', () => {
    assert.equal(resolveFrom('/srv/node', 'conf/kubelet.yaml'), '/srv/node/conf/kubelet.yaml');
    assert.equal(resolveFrom('/srv/node', '../etc/./k.yaml'), '/srv/etc/k.yaml');
    assert.equal(resolveFrom('/srv/node', '/abs/k.yaml'), '/abs/k.yaml');
    const e = effectiveKubeletConfig({ flags: flagsOf('kubelet', '--config=conf/k.yaml'), configFile: { path: '/srv/node/conf/k.yaml', text: `${KC}staticPodPath: manifests\nauthentication:\n  x509: {clientCAFile: ../pki/ca.crt}\n` } });
    assert.equal(dig(e.config, 'staticPodPath'), '/srv/node/conf/manifests');
    assert.equal(dig(e.config, 'authentication.x509.clientCAFile'), '/srv/node/pki/ca.crt');
  });

  test('feature gates from flags override the file gate by gate', () => {
    const e = effectiveKubeletConfig({ flags: flagsOf('kubelet', '--config=/c.yaml', '--feature-gates=B=true'), configFile: { path: '/c.yaml', text: `${KC}featureGates: {A: true, B: false}\n` } });
    assert.deepEqual(dig(e.config, 'featureGates'), { A: true, B: true });
  });

  test('a file the kubelet would refuse is a problem, not silently a default', () => {
    const e = effectiveKubeletConfig({ flags: flagsOf('kubelet', '--config=/c.yaml'), configFile: { path: '/c.yaml', text: 'apiVersion: v1\nkind: ConfigMap\n' } });
    assert.equal(e.problems.length, 1);
    assert.match(e.problems[0].reason, /not kubelet.config.k8s.io\/v1beta1\/KubeletConfiguration/);
    const bad = effectiveKubeletConfig({ flags: flagsOf('kubelet', '--read-only-port=abc') });
    assert.match(bad.problems[0]?.reason ?? '', /--read-only-port=abc is not a valid int/);
  });

  test('JSON merge patch (RFC 7386)', () => {
    assert.deepEqual(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
    assert.deepEqual(mergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
    assert.deepEqual(mergePatch({ a: 'b' }, { a: null }), {});
    assert.deepEqual(mergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
    assert.deepEqual(mergePatch({ a: { b: 'c', d: 'e' } }, { a: { b: null, f: 'g' } }), { a: { d: 'e', f: 'g' } });
    assert.deepEqual(mergePatch('x', { a: 1 }), { a: 1 });
  });
});

describe('permission bits', () => {
  test('modes read from octal text or numbers', () => {
    assert.equal(parseMode('0644'), 0o644);
    assert.equal(parseMode('600'), 0o600);
    assert.equal(parseMode(0o4755), 0o4755);
    assert.equal(parseMode('rw-r--r--'), undefined);
    assert.equal(showMode(0o640), '0640');
    assert.equal(showMode(0o7), '0007');
  });

  test('bits beyond the allowed mode, ignoring setuid/setgid/sticky', () => {
    assert.equal(excessBits(0o644, 0o600), 0o044);
    assert.equal(excessBits(0o600, 0o600), 0);
    assert.equal(excessBits(0o400, 0o600), 0, 'stricter is fine');
    assert.equal(excessBits(0o1700, 0o700), 0);
    assert.equal(excessBits(0o755, 0o700), 0o055);
    assert.equal(excessBits(0o610, 0o600), 0o010, 'group execute alone is still beyond 600');
  });

  test('severity follows what the file is and what the extra bits allow', () => {
    assert.equal(permissionSeverity('credential', 0o044), 'high');
    assert.equal(permissionSeverity('credential', 0o010), 'low');
    assert.equal(permissionSeverity('config', 0o044), 'low');
    assert.equal(permissionSeverity('config', 0o002), 'critical');
    assert.equal(permissionSeverity('public', 0o044), 'low');
    assert.equal(permissionSeverity('public', 0o020), 'high');
    assert.equal(permissionSeverity('data', 0o005), 'high');
  });
});
