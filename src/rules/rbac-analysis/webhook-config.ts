import { severityRank, type Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, type PolicyRule } from '../../inventory/rbac.js';
import { allowedVerbs, defineCapability, GRANT_MESSAGES, MITRE, NSA_RBAC, RBAC_DOCS, strongestRule, type RuleJudgement } from './common.js';

const ADMISSION = 'admissionregistration.k8s.io';

interface Hit {
  what: string;
  severity: Severity;
}

function hitOf(r: PolicyRule): Hit | undefined {
  if (!groupMatches(r, ADMISSION)) return undefined;
  const hits: Hit[] = [];
  const write = allowedVerbs(r, ['create', 'update', 'patch']);
  const remove = allowedVerbs(r, ['delete', 'deletecollection']);
  if (resourceMatches(r, 'mutatingwebhookconfigurations')) {
    if (write.length) hits.push({ what: `${write.join('/')} MutatingWebhookConfigurations (send every matching object to a server of its choosing and rewrite it: a privileged container in any pod)`, severity: 'critical' });
    else if (remove.length) hits.push({ what: 'delete MutatingWebhookConfigurations (switch off the mutations security tools rely on)', severity: 'high' });
  }
  if (resourceMatches(r, 'validatingwebhookconfigurations')) {
    if (write.length || remove.length) hits.push({ what: `${[...write, ...remove].join('/')} ValidatingWebhookConfigurations (switch off or bypass the policy engine, such as Gatekeeper or Kyverno, and read every object sent for review)`, severity: 'high' });
  }
  for (const kind of ['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']) {
    if (resourceMatches(r, kind) && (write.length || remove.length)) {
      hits.push({ what: `${[...write, ...remove].join('/')} ${kind} (rewrite or remove in-process admission policy)`, severity: kind.startsWith('mutating') && write.length ? 'high' : 'medium' });
      break;
    }
  }
  if (hits.length === 0) return undefined;
  return hits.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
}

/** A controller limited to its own configuration by name can still rewrite that one: a step lower. */
function judge(r: PolicyRule): RuleJudgement | undefined {
  const hit = hitOf(r);
  if (hit === undefined) return undefined;
  const named = r.resourceNames;
  if (named.length === 0) return hit;
  return { what: `${hit.what}, only ${named.map((n) => `\`${n}\``).join(', ')}`, severity: hit.severity === 'critical' ? 'high' : 'medium' };
}

export default defineCapability({
  meta: {
    id: 'KM-RB-018',
    title: 'Writes admission webhook configuration',
    severity: 'critical',
    door: 'rbac',
    description:
      'Admission webhooks see, and mutating ones rewrite, every object the API server admits. Whoever can write a ' +
      'MutatingWebhookConfiguration can point it at a server of theirs and add a privileged container or a hostPath mount to every pod, ' +
      'kube-system included, and read each object sent to it (Secrets too, if the rules say so). Writing or deleting a ' +
      'ValidatingWebhookConfiguration switches off the policy engine that keeps privileged pods out. These are cluster-scoped: only ' +
      'ClusterRoleBindings grant them.',
    remediation:
      'Keep write access to webhook configurations and admission policies with the cluster administrators and the one controller that ' +
      'manages its own webhook (limited with `resourceNames` to its configuration).',
    references: [RBAC_DOCS.admissionWebhooks, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.12'], nsa: [NSA_RBAC], mitre: [MITRE.deployContainer, MITRE.escapeToHost] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: webhook-manager}
rules:
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"]
    verbs: ["get", "list", "create", "update", "patch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: webhook-manager}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webhook-manager}
subjects:
  - {kind: ServiceAccount, name: platform-bot, namespace: platform}`,
    ],
    pass: [
      // reading webhook configurations (audit tools do) is fine
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: webhook-reader}
rules:
  - {apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], verbs: ["get", "list", "watch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: webhook-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webhook-reader}
subjects:
  - {kind: ServiceAccount, name: auditor, namespace: security}`,
    ],
  },
  clusterOnly: true,
  judge: (rules) => strongestRule(rules, judge),
});
