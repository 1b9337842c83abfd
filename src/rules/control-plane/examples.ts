// Static pods as kubeadm writes them into /etc/kubernetes/manifests, for the rules' passing and
// failing examples: kubeadm's flags, and a CIS-hardened variant of each component.

export type ControlPlaneComponent = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd';

/** kubeadm v1.30 `kube-apiserver` flags (node 10.0.0.10). */
export const KUBEADM_APISERVER = [
  '--advertise-address=10.0.0.10',
  '--allow-privileged=true',
  '--authorization-mode=Node,RBAC',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--enable-admission-plugins=NodeRestriction',
  '--enable-bootstrap-token-auth=true',
  '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
  '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
  '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
  '--etcd-servers=https://127.0.0.1:2379',
  '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
  '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
  '--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt',
  '--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key',
  '--requestheader-allowed-names=front-proxy-client',
  '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
  '--requestheader-extra-headers-prefix=X-Remote-Extra-',
  '--requestheader-group-headers=X-Remote-Group',
  '--requestheader-username-headers=X-Remote-User',
  '--secure-port=6443',
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
  '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
  '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
  '--service-cluster-ip-range=10.96.0.0/12',
  '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
  '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
];

/** kubeadm's API server with what the CIS benchmark adds: no anonymous requests, no profiling, audit, encryption at rest, verified kubelets. */
export const HARDENED_APISERVER = withFlags(KUBEADM_APISERVER, {
  'anonymous-auth': 'false',
  profiling: 'false',
  'audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
  'audit-log-path': '/var/log/kubernetes/audit/audit.log',
  'audit-log-maxage': '30',
  'audit-log-maxbackup': '10',
  'audit-log-maxsize': '100',
  'encryption-provider-config': '/etc/kubernetes/enc/encryption-config.yaml',
  'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt',
});

export const KUBEADM_CONTROLLER_MANAGER = [
  '--allocate-node-cidrs=true',
  '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--bind-address=127.0.0.1',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--cluster-cidr=10.244.0.0/16',
  '--cluster-name=kubernetes',
  '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
  '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
  '--controllers=*,bootstrapsigner,tokencleaner',
  '--kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--leader-elect=true',
  '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
  '--root-ca-file=/etc/kubernetes/pki/ca.crt',
  '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
  '--service-cluster-ip-range=10.96.0.0/12',
  '--use-service-account-credentials=true',
];

export const HARDENED_CONTROLLER_MANAGER = withFlags(KUBEADM_CONTROLLER_MANAGER, { profiling: 'false', 'terminated-pod-gc-threshold': '10' });

export const KUBEADM_SCHEDULER = [
  '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
  '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
  '--bind-address=127.0.0.1',
  '--kubeconfig=/etc/kubernetes/scheduler.conf',
  '--leader-elect=true',
];

export const HARDENED_SCHEDULER = withFlags(KUBEADM_SCHEDULER, { profiling: 'false' });

/** kubeadm's local etcd: TLS and client certificates for clients and peers, already CIS-conformant. */
export const KUBEADM_ETCD = [
  '--advertise-client-urls=https://10.0.0.10:2379',
  '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
  '--client-cert-auth=true',
  '--data-dir=/var/lib/etcd',
  '--experimental-initial-corrupt-check=true',
  '--experimental-watch-progress-notify-interval=5s',
  '--initial-advertise-peer-urls=https://10.0.0.10:2380',
  '--initial-cluster=cp-1=https://10.0.0.10:2380',
  '--key-file=/etc/kubernetes/pki/etcd/server.key',
  '--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379',
  '--listen-metrics-urls=http://127.0.0.1:2381',
  '--listen-peer-urls=https://10.0.0.10:2380',
  '--name=cp-1',
  '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
  '--peer-client-cert-auth=true',
  '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
  '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  '--snapshot-count=10000',
  '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
];

/** Set (or, with `null`, remove) flags in a kubeadm flag list, kept in kubeadm's alphabetical order. */
export function withFlags(base: readonly string[], changes: Record<string, string | null>): string[] {
  const out = base.filter((f) => !(flagName(f) in changes));
  for (const [name, value] of Object.entries(changes)) if (value !== null) out.push(`--${name}=${value}`);
  return out.sort((a, b) => flagName(a).localeCompare(flagName(b)));
}

function flagName(flag: string): string {
  return flag.replace(/^--/, '').split('=')[0];
}

const IMAGES: Record<ControlPlaneComponent, string> = {
  'kube-apiserver': 'registry.k8s.io/kube-apiserver:v1.30.2',
  'kube-controller-manager': 'registry.k8s.io/kube-controller-manager:v1.30.2',
  'kube-scheduler': 'registry.k8s.io/kube-scheduler:v1.30.2',
  etcd: 'registry.k8s.io/etcd:3.5.12-0',
};

export interface PodOptions {
  image?: string;
  /** node name suffix of the mirror pod's name */
  node?: string;
  hostNetwork?: boolean;
  /** extra lines for the container, indented by six spaces (e.g. `env:` entries) */
  containerExtra?: string;
}

/** A static pod manifest as kubeadm writes it (trimmed to what the rules read). */
export function staticPod(component: ControlPlaneComponent, flags: readonly string[], options: PodOptions = {}): string {
  const lines = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${component}${options.node ? `-${options.node}` : ''}`,
    '  namespace: kube-system',
    '  labels:',
    `    component: ${component}`,
    '    tier: control-plane',
    'spec:',
  ];
  if (options.hostNetwork !== false) lines.push('  hostNetwork: true');
  lines.push(
    '  priorityClassName: system-node-critical',
    '  containers:',
    `    - name: ${component}`,
    `      image: ${options.image ?? IMAGES[component]}`,
    '      command:',
    `        - ${component}`,
    ...flags.map((f) => `        - ${f}`),
  );
  if (options.containerExtra) lines.push(options.containerExtra.replace(/\n$/, ''));
  return lines.join('\n');
}
