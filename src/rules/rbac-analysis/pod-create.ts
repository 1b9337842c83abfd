import { groupMatches, resourceMatches, verbMatches, type PolicyRule } from '../../inventory/rbac.js';
import { POD_CONTROLLERS, qualifiedResource } from '../../inventory/rbac-resources.js';
import { allowedVerbs, bySeverity, defineCapability, GRANT_MESSAGES, MITRE, NSA_RBAC, RBAC_DOCS, strongestRule, type GrantScope, type RuleJudgement } from './common.js';

function podWrite(r: PolicyRule, scope: GrantScope): RuleJudgement | undefined {
  const accounts = scope === 'cluster' ? 'any service account of any namespace' : 'any service account of the namespace';
  const node = 'privileged ones own their node unless Pod Security admission stops them';
  // create has no object name at authorization time: a rule limited by resourceNames never allows it
  if (groupMatches(r, '') && resourceMatches(r, 'pods') && verbMatches(r, 'create') && r.resourceNames.length === 0) {
    return { what: `create pods (as ${accounts}; ${node})`, severity: bySeverity(scope, 'critical', 'medium'), rank: 3 };
  }
  const controllers: string[] = [];
  let verbs: string[] = [];
  for (const c of POD_CONTROLLERS) {
    if (!groupMatches(r, c.group) || !resourceMatches(r, c.resource)) continue;
    const allowed = allowedVerbs(r, ['create', 'update', 'patch']).filter((v) => v !== 'create' || r.resourceNames.length === 0);
    if (allowed.length === 0) continue;
    controllers.push(qualifiedResource(c.group, c.resource));
    verbs = allowed;
  }
  if (controllers.length > 0) {
    const shown = controllers.length > 3 ? `${controllers.slice(0, 3).join(', ')} and ${controllers.length - 3} more` : controllers.join(', ');
    const severity = r.resourceNames.length > 0 ? bySeverity(scope, 'high', 'low') : bySeverity(scope, 'critical', 'medium');
    return { what: `${verbs.join('/')} ${shown} (their pods run as ${accounts}; ${node})`, severity, rank: 2 };
  }
  if (groupMatches(r, '') && resourceMatches(r, 'pods') && (verbMatches(r, 'update') || verbMatches(r, 'patch'))) {
    return { what: `${allowedVerbs(r, ['update', 'patch']).join('/')} pods (a new image runs with the service account of each pod it patches)`, severity: bySeverity(scope, 'high', 'low'), rank: 1 };
  }
  return undefined;
}

export default defineCapability({
  meta: {
    id: 'KM-RB-014',
    title: 'Creates or changes pods or workload controllers',
    severity: 'critical',
    door: 'rbac',
    description:
      'Whoever can create a pod, or a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or ReplicationController, chooses ' +
      'the service account it runs as: every service account of the namespace, and all of their permissions, are theirs. Unless Pod ' +
      'Security admission enforces `baseline` or `restricted` there, the pod can also be privileged with the host\'s filesystem ' +
      'mounted, which is the node and every token on it. Patching a running pod\'s image runs new code with that pod\'s identity. ' +
      'Cluster-wide, this reaches kube-system and every node. KM-RB-030 follows where the reachable service accounts lead.',
    remediation:
      'Give pod and controller write access only in namespaces where every service account is no more powerful than the subject, and ' +
      'enforce Pod Security admission (`pod-security.kubernetes.io/enforce: restricted`) there. Deploy through a pipeline that holds the ' +
      'permission instead of people; never bind it cluster-wide to automation.',
    references: [RBAC_DOCS.goodPractices, 'https://kubernetes.io/docs/concepts/security/pod-security-admission/'],
    frameworks: { cis: ['5.1.4'], nsa: [NSA_RBAC], mitre: [MITRE.deployContainer, MITRE.escapeToHost] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-runner, namespace: build}
rules:
  - {apiGroups: [""], resources: ["pods"], verbs: ["create", "get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-pod-runner, namespace: build}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-runner}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: ci}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployer}
rules:
  - {apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get", "list", "patch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: argocd-deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
subjects:
  - {kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}`,
    ],
    pass: [
      // create limited to names never allows create; scale and status subresources do not change the template
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scaler}
rules:
  - {apiGroups: ["apps"], resources: ["deployments/scale", "deployments/status"], verbs: ["get", "update", "patch"]}
  - {apiGroups: [""], resources: ["pods"], verbs: ["create"], resourceNames: ["fixed-name"]}
  - {apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch", "delete"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: autoscaler}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scaler}
subjects:
  - {kind: ServiceAccount, name: keda, namespace: keda}`,
    ],
  },
  judge: (rules, scope) => strongestRule(rules, (r) => podWrite(r, scope)),
});
