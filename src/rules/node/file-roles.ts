// What each kind of node file must look like, with the CIS Kubernetes Benchmark (v1.10) items
// that say so. `kind` drives the severity: what an attacker gains from reading or writing it.

import type { Severity } from '../../core/finding.js';

export type FileKind = 'credential' | 'config' | 'data' | 'public' | 'directory';

export interface RoleRequirement {
  /** what the file is, in a message */
  what: string;
  kind: FileKind;
  /** the loosest mode CIS accepts, if it sets one */
  maxMode?: number;
  /** CIS item for the permissions, and for the ownership */
  permCis?: string;
  ownerCis?: string;
}

export const ROLE_REQUIREMENTS: Record<string, RoleRequirement> = {
  'apiserver-manifest': { what: 'the API server static pod manifest', kind: 'config', maxMode: 0o600, permCis: '1.1.1', ownerCis: '1.1.2' },
  'controller-manager-manifest': { what: 'the controller manager static pod manifest', kind: 'config', maxMode: 0o600, permCis: '1.1.3', ownerCis: '1.1.4' },
  'scheduler-manifest': { what: 'the scheduler static pod manifest', kind: 'config', maxMode: 0o600, permCis: '1.1.5', ownerCis: '1.1.6' },
  'etcd-manifest': { what: 'the etcd static pod manifest', kind: 'config', maxMode: 0o600, permCis: '1.1.7', ownerCis: '1.1.8' },
  'etcd-data-dir': { what: "etcd's data directory (every Secret of the cluster)", kind: 'data', maxMode: 0o700, permCis: '1.1.11', ownerCis: '1.1.12' },
  'admin-kubeconfig': { what: 'an administrator kubeconfig', kind: 'credential', maxMode: 0o600, permCis: '1.1.13', ownerCis: '1.1.14' },
  'scheduler-kubeconfig': { what: "the scheduler's kubeconfig", kind: 'credential', maxMode: 0o600, permCis: '1.1.15', ownerCis: '1.1.16' },
  'controller-manager-kubeconfig': { what: "the controller manager's kubeconfig", kind: 'credential', maxMode: 0o600, permCis: '1.1.17', ownerCis: '1.1.18' },
  'pki-dir': { what: 'the Kubernetes PKI directory', kind: 'directory', ownerCis: '1.1.19' },
  'pki-cert': { what: 'a Kubernetes PKI certificate', kind: 'public', maxMode: 0o600, permCis: '1.1.20', ownerCis: '1.1.19' },
  'pki-key': { what: 'a Kubernetes PKI private key', kind: 'credential', maxMode: 0o600, permCis: '1.1.21', ownerCis: '1.1.19' },
  'kubelet-service': { what: "the kubelet's systemd unit", kind: 'config', maxMode: 0o600, permCis: '4.1.1', ownerCis: '4.1.2' },
  'proxy-kubeconfig': { what: "kube-proxy's kubeconfig", kind: 'credential', maxMode: 0o600, permCis: '4.1.3', ownerCis: '4.1.4' },
  'kubelet-kubeconfig': { what: "the kubelet's kubeconfig (the node's credentials)", kind: 'credential', maxMode: 0o600, permCis: '4.1.5', ownerCis: '4.1.6' },
  'kubelet-client-ca': { what: "the kubelet's client CA file", kind: 'public', maxMode: 0o600, permCis: '4.1.7', ownerCis: '4.1.8' },
  'kubelet-config': { what: "the kubelet's configuration file", kind: 'config', maxMode: 0o600, permCis: '4.1.9', ownerCis: '4.1.10' },
};

/** How bad the extra permission bits are, for what the file is. */
export function permissionSeverity(kind: FileKind, excess: number): Severity {
  const writable = (excess & 0o022) !== 0;
  const readable = (excess & 0o044) !== 0;
  switch (kind) {
    case 'config':
      // whoever writes it decides what runs as root on the node
      return writable ? 'critical' : 'low';
    case 'credential':
    case 'data':
      return writable || readable ? 'high' : 'low';
    case 'public':
      // a certificate is public; replacing a CA is not
      return writable ? 'high' : 'low';
    case 'directory':
      return writable ? 'high' : 'low';
  }
}
