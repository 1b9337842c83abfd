// A fake host root for `kubemoat node --root`: one kubelet process in /proc (in the caller's
// network namespace's place) whose config file the test writes, and rewrites to "fix" the node.

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const KUBELET_CONFIG_HEAD = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
export const ANONYMOUS_KUBELET = `${KUBELET_CONFIG_HEAD}authentication:\n  anonymous: {enabled: true}\nauthorization: {mode: AlwaysAllow}\n`;
export const HARDENED_KUBELET = `${KUBELET_CONFIG_HEAD}authentication:\n  anonymous: {enabled: false}\n  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}\nauthorization: {mode: Webhook}\n`;

export interface FakeNode {
  root: string;
  /** write a file under the root (`etc/kubernetes/kubelet.yaml` is the kubelet's config) */
  file(path: string, text: string): void;
  /** a process in the fake /proc, in a network namespace other than kubemoat's (audit it with --all-netns) */
  process(pid: number, argv: string[]): void;
}

export function fakeKubeletNode(kubeletConfig = ANONYMOUS_KUBELET): FakeNode {
  const root = mkdtempSync(join(tmpdir(), 'kubemoat-node-root-'));
  const file = (path: string, text: string): void => {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  };
  const process = (pid: number, argv: string[]): void => {
    const dir = join(root, 'proc', String(pid));
    mkdirSync(join(dir, 'ns'), { recursive: true });
    writeFileSync(join(dir, 'cmdline'), [...argv, ''].join('\0'));
    writeFileSync(join(dir, 'environ'), '');
    writeFileSync(join(dir, 'status'), `Name:\t${basename(argv[0])}\nUid:\t0\t0\t0\t0\n`);
    writeFileSync(join(dir, 'cgroup'), '0::/\n');
    symlinkSync('/', join(dir, 'cwd'));
    symlinkSync(argv[0], join(dir, 'exe'));
    symlinkSync('net:[4026531999]', join(dir, 'ns', 'net'));
    symlinkSync(root, join(dir, 'root'));
  };
  file('etc/kubernetes/kubelet.yaml', kubeletConfig);
  process(4242, ['/usr/bin/kubelet', '--config=/etc/kubernetes/kubelet.yaml']);
  return { root, file, process };
}
