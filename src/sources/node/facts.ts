// The node facts `kubemoat node` puts into the inventory besides the component processes, as
// objects of its own kinds (apiVersion node.kubemoat.io/v1alpha1), so that rules judge them with
// the same visitors, and rule examples can be written as YAML like any other object:
//
//   NodeFile         a file or directory a component uses (kubeconfig, key, config, static pod dir,
//                    runtime socket...) with its roles, mode and owner
//   NodeCertificate  a certificate file a component uses: subject, issuer, validity, fingerprints
//   NodeStaticPod    a pod manifest in the kubelet's static pod directory

import type { JsonObject } from '../../core/json.js';

export const NODE_API_VERSION = 'node.kubemoat.io/v1alpha1';

/** What a file is to the node; the rules know what each role requires (CIS section 1.1 and 4.1, and beyond). */
export const FILE_ROLES = [
  'apiserver-manifest',
  'controller-manager-manifest',
  'scheduler-manifest',
  'etcd-manifest',
  'etcd-data-dir',
  'admin-kubeconfig',
  'scheduler-kubeconfig',
  'controller-manager-kubeconfig',
  'pki-dir',
  'pki-cert',
  'pki-key',
  'kubelet-service',
  'proxy-kubeconfig',
  'kubelet-kubeconfig',
  'kubelet-client-ca',
  'kubelet-config',
  'static-pod-dir',
  'static-pod-manifest',
  'runtime-socket',
] as const;
export type FileRole = (typeof FILE_ROLES)[number];

export interface FileRoleUse {
  role: FileRole;
  /** who uses it and how, e.g. `kubelet (pid 1075) --kubeconfig` */
  usedBy: string;
  /** the uid the file should belong to when not root (etcd's data directory: the user etcd runs as) */
  ownerUid?: number;
}

export interface NodeFileSpec {
  path: string;
  exists: boolean;
  /** 'file' | 'directory' | 'socket' | 'other' */
  type?: string;
  /** permission bits in octal, e.g. '0644' */
  mode?: string;
  uid?: number;
  gid?: number;
  user?: string;
  group?: string;
  roles: FileRoleUse[];
  /** why it could not be examined (permission denied...) */
  error?: string;
}

export interface NodeCertificateSpec {
  path: string;
  /** e.g. 'apiserver-client-ca', 'etcd-trusted-ca', 'kubelet-serving' */
  role: string;
  usedBy: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** when kubemoat read it (ISO time): validity is judged against this */
  observedAt: string;
  selfSigned: boolean;
  /** SHA-256 of every certificate in the file (a CA bundle has several) */
  fingerprints: string[];
}

export interface NodeStaticPodSpec {
  file: string;
  /** the manifest as the kubelet would read it */
  manifest: JsonObject;
  /** whether its namespace exists in the cluster; absent when kubemoat could not ask */
  namespaceExists?: boolean;
}

export function factObject(kind: string, name: string, spec: object): JsonObject {
  return { apiVersion: NODE_API_VERSION, kind, metadata: { name }, spec: JSON.parse(JSON.stringify(spec)) as JsonObject };
}
