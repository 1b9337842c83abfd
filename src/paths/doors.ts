// Findings that are one door: fixing the kubelet's configuration closes what the probe saw on its
// port too. A door is weighed once, under the key its findings share.

import type { Finding } from '../core/finding.js';
import { kubeletNodeOf, type Placement } from './placement.js';

const KUBELET = new Set(['KM-EX-001', 'KM-EX-002', 'KM-EX-003', 'KM-EX-004', 'KM-EX-017', 'KM-KL-001', 'KM-KL-002', 'KM-KL-003']);
const SHARED: Record<string, string> = {
  'KM-EX-009': 'etcd-client-auth',
  'KM-EX-010': 'etcd-client-auth',
  'KM-ET-001': 'etcd-client-auth',
  'KM-ET-002': 'etcd-client-auth',
  'KM-EX-007': 'api-insecure-port',
  'KM-CP-004': 'api-insecure-port',
  'KM-EX-006': 'api-anonymous-auth',
  'KM-CP-001': 'api-anonymous-auth',
  'KM-EX-005': 'api-anonymous-grants',
  'KM-RB-003': 'api-anonymous-grants',
  'KM-EX-011': 'console-login',
  'KM-CO-001': 'console-login',
};

export function doorKey(f: Finding, placement: Placement): string {
  if (KUBELET.has(f.ruleId)) return `kubelet:${kubeletNodeOf(f, placement) ?? f.fingerprint}`;
  return SHARED[f.ruleId] ?? f.fingerprint;
}
