// A host root for `kubemoat node --root`: one kubelet process in a fake /proc whose configuration
// (/etc/kubernetes/kubelet.yaml) lets anyone in.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KUBELET_CONFIG_HEAD = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

export function writeAnonymousKubeletHost(root: string): void {
  mkdirSync(join(root, 'etc/kubernetes'), { recursive: true });
  writeFileSync(join(root, 'etc/kubernetes/kubelet.yaml'), `${KUBELET_CONFIG_HEAD}authentication:\n  anonymous: {enabled: true}\nauthorization: {mode: AlwaysAllow}\n`);
  const dir = join(root, 'proc', '4242');
  mkdirSync(join(dir, 'ns'), { recursive: true });
  writeFileSync(join(dir, 'cmdline'), ['/usr/bin/kubelet', '--config=/etc/kubernetes/kubelet.yaml', ''].join('\0'));
  writeFileSync(join(dir, 'environ'), '');
  writeFileSync(join(dir, 'status'), 'Name:\tkubelet\nUid:\t0\t0\t0\t0\n');
  writeFileSync(join(dir, 'cgroup'), '0::/\n');
  symlinkSync('/', join(dir, 'cwd'));
  symlinkSync('/usr/bin/kubelet', join(dir, 'exe'));
  symlinkSync('net:[4026531999]', join(dir, 'ns', 'net'));
  symlinkSync(root, join(dir, 'root'));
}
