// Findings and alerts to record in history-store tests: made with the real types, varied in rule,
// severity, namespace and place, so that states, diffs and trends have something to tell apart.

import { SEVERITIES, type Finding } from '../../src/core/finding.js';
import type { AuditAlert } from '../../src/detect/alert.js';

export const NAMESPACES = ['prod', 'billing', 'monitoring'] as const;

/** Finding number `n`: its fingerprint is `fp-<n>`, so the same n is the same finding in any run. */
export function finding(n: number, options: { suppressed?: boolean; severity?: Finding['severity'] } = {}): Finding {
  const namespace = NAMESPACES[n % NAMESPACES.length];
  return {
    ruleId: `KM-WL-00${(n % 4) + 1}`,
    severity: options.severity ?? SEVERITIES[n % SEVERITIES.length],
    title: 'a test finding',
    message: `finding ${n} in ${namespace}`,
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `app-${n}`, container: 'main' },
    location: { file: `manifests/app-${n}.yaml`, line: 10 + n, column: 7 },
    remediation: 'fix it',
    references: [],
    frameworks: {},
    fingerprint: `fp-${n}`,
    ...(options.suppressed ? { suppressed: { by: 'config' as const, reason: 'accepted for the test' } } : {}),
  };
}

export function findings(numbers: readonly number[]): Finding[] {
  return numbers.map((n) => finding(n));
}

export function alert(n: number): AuditAlert {
  return {
    source: 'audit',
    ruleId: 'KM-DT-001',
    title: 'exec into a pod',
    severity: 'high',
    message: `exec number ${n}`,
    mitre: ['T1609'],
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)).toISOString(),
    detectedAt: new Date().toISOString(),
    auditID: `audit-${n}`,
    stage: 'ResponseComplete',
    who: { user: 'mallory', groups: ['system:authenticated'] },
    what: { verb: 'create', requestURI: `/api/v1/namespaces/prod/pods/p${n}/exec`, resource: 'pods', subresource: 'exec', namespace: 'prod', name: `p${n}`, code: 101 },
    where: { sourceIPs: ['127.0.0.1'], userAgent: 'kubectl' },
  };
}
