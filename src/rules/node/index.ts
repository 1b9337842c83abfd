import type { Rule } from '../../core/rule.js';
import filePermissions from './file-permissions.js';
import fileOwnership from './file-ownership.js';
import staticPodDir from './static-pod-dir.js';
import staticPodContent from './static-pod-content.js';
import staticPodNamespace from './static-pod-namespace.js';
import runtimeSocket from './runtime-socket.js';
import etcdSharedCa from './etcd-shared-ca.js';
import certificateExpiry from './certificate-expiry.js';
import kubeletServingCert from './kubelet-serving-cert.js';
import kubeProxyMetrics from './kube-proxy-metrics.js';

/** Rules on what only a node shows (kubemoat node): file modes and owners, static pods, runtime sockets, certificates. */
export const nodeRules: Rule[] = [filePermissions, fileOwnership, staticPodDir, staticPodContent, staticPodNamespace, runtimeSocket, etcdSharedCa, certificateExpiry, kubeletServingCert, kubeProxyMetrics];
