// etcd static pods for the rules' examples: kubeadm's local etcd (CIS-conformant), a three-member
// external etcd, and the variants that break one setting.

import { KUBEADM_ETCD, staticPod, withFlags } from '../control-plane/examples.js';

export { KUBEADM_ETCD, staticPod, withFlags };

/** Member cp-1 of a three-member etcd cluster with kubeadm's TLS settings. */
export const MEMBER_ETCD = withFlags(KUBEADM_ETCD, {
  'initial-cluster': 'cp-1=https://10.0.0.10:2380,cp-2=https://10.0.0.11:2380,cp-3=https://10.0.0.12:2380',
});

export function etcdPod(flags: readonly string[], options: { env?: Record<string, string>; hostNetwork?: boolean } = {}): string {
  const env = options.env
    ? ['      env:', ...Object.entries(options.env).flatMap(([name, value]) => [`        - name: ${name}`, `          value: ${JSON.stringify(value)}`])].join('\n')
    : undefined;
  return staticPod('etcd', flags, { hostNetwork: options.hostNetwork, containerExtra: env });
}
