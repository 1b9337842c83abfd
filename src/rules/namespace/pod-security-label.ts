import { defineRule } from '../../core/rule.js';
import type { Path } from '../../core/json.js';

const MITRE_ESCAPE_TO_HOST = 'T1611';
const MITRE_DEPLOY_CONTAINER = 'T1610';
const NSA_POD_SECURITY = 'NSA-CISA Pod security: pod security enforcement';
const DOCS_PSA = 'https://kubernetes.io/docs/concepts/security/pod-security-admission/';
const DOCS_PSA_LABELS = 'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const LEVELS = new Set(['privileged', 'baseline', 'restricted']);
/** Namespaces Kubernetes creates for itself: kube-system runs node agents that need privileges, the other two run no pods. */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

export default defineRule({
  meta: {
    id: 'KM-NS-001',
    title: 'Namespace without Pod Security Admission enforcement',
    severity: 'medium',
    door: 'namespace',
    description:
      'Without a `pod-security.kubernetes.io/enforce` label, the built-in Pod Security Admission lets any pod into the namespace: ' +
      'privileged, on the host network, mounting the host\'s disk. Whoever can create a pod there (a CI token, a compromised operator, a ' +
      'user with `edit`) can then take the node. `audit` and `warn` labels only log. An explicit `enforce: privileged` is a recorded ' +
      'decision and is reported as info; an unknown level is reported, since the admission plugin cannot apply it as intended. ' +
      'kube-system, kube-public and kube-node-lease are not reported (kube-system runs node agents that need privileges; the others run ' +
      'no pods). A cluster-wide default in the API server\'s AdmissionConfiguration, or another admission controller (Kyverno, ' +
      'Gatekeeper), cannot be seen from manifests: suppress this rule with a reason if one is in place.',
    remediation:
      'Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or `baseline` where workloads need it), with ' +
      '`pod-security.kubernetes.io/enforce-version` pinned, and try the level first with `kubectl label --dry-run=server` or the `warn` label.',
    references: [DOCS_PSA, DOCS_PSA_LABELS, 'https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
    frameworks: { cis: ['5.2.1'], nsa: [NSA_POD_SECURITY], mitre: [MITRE_DEPLOY_CONTAINER, MITRE_ESCAPE_TO_HOST] },
    messages: {
      missing: '{{resource}} has no `pod-security.kubernetes.io/enforce` label{{also}}: any pod, privileged ones included, is admitted',
      invalid: '{{resource}} sets `pod-security.kubernetes.io/enforce` to `{{level}}`, which is not a Pod Security level (privileged, baseline, restricted)',
      privileged: '{{resource}} enforces the `privileged` Pod Security level: pods are not restricted',
    },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: Namespace
metadata:
  name: storefront`,
      `apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted`,
      `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: team-a
      labels: {pod-security.kubernetes.io/enforce: Restricted}`,
    ],
    pass: [
      `apiVersion: v1
kind: Namespace
metadata:
  name: storefront
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.30
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}`,
    ],
  },
  create(context) {
    return {
      kinds: {
        Namespace(o) {
          if (SYSTEM_NAMESPACES.has(o.name)) return;
          const level = o.labels[ENFORCE];
          const hasLabels = Object.keys(o.labels).length > 0;
          if (level === undefined) {
            const modes = ['audit', 'warn'].filter((m) => o.labels[`pod-security.kubernetes.io/${m}`] !== undefined);
            const also = modes.length > 0 ? ` (only ${modes.join(' and ')}, which do not block)` : '';
            const at: Path = hasLabels ? ['metadata', 'labels'] : ['metadata'];
            context.report({ node: o, messageId: 'missing', data: { also }, at });
            return;
          }
          const at: Path = ['metadata', 'labels', ENFORCE];
          if (!LEVELS.has(level)) context.report({ node: o, messageId: 'invalid', data: { level }, at });
          else if (level === 'privileged') context.report({ node: o, messageId: 'privileged', at, severity: 'info' });
        },
      },
    };
  },
});
