import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { auditEvent, podSA, ADMIN, DEV } from './examples.js';
import { bindingEvent } from './cluster-admin-binding.js';
import { policyRules, roleRefOf, subjectsOf } from './rbac-body.js';
import { roleEvent } from './role-events.js';
import { shellsReached } from './exec-role.js';
import { controlPlaneRole, EVERYONE } from './powerful-binding.js';

interface Binding {
  auditID: string;
  time: string;
  at: number;
  creator: string;
  summary: string;
}

const POWERFUL_ROLES = new Set(['cluster-admin', 'admin', 'edit']);
const REASON = /allowed by (ClusterRoleBinding|RoleBinding) "([^"]+)"/;

function use(binding: string, kind: 'ClusterRoleBinding' | 'RoleBinding', at: number) {
  return auditEvent({
    verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: podSA('lab-apps', 'ci-deployer', 'app', 'curl/7.88.1'), at,
    reason: `RBAC: allowed by ${kind} "${binding}" of ClusterRole "cluster-admin" to ServiceAccount "ci-deployer/lab-apps"`,
  });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-031',
    title: 'Chain: a new powerful binding, then its use',
    severity: 'critical',
    description: 'A user created a binding to a powerful role (cluster-admin, admin, edit, a control-plane role such as system:kube-controller-manager, or a role written with wildcards, exec or secrets access in the same window), or to everyone (system:anonymous, system:authenticated), and soon after a request was allowed because of that very binding. Granting and using in quick succession is what an intruder making their access stick looks like.',
    response: 'Delete the binding, revoke the credentials of its subjects, and review everything the alert\'s user did after the binding was created.',
    mitre: ['T1098.006', 'T1078'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping'],
  },
  on: '*',
  create: (settings) => {
    const span = settings.correlationWindowSec * 1000;
    const bindings = new Map<string, Binding>();
    /** roles written with powerful rules in the window: `ClusterRole name` or `Role name/ns` → time */
    const powerfulRoles = new Map<string, number>();
    const prune = (now: number): void => {
      for (const [k, b] of bindings) if (now - b.at > span) bindings.delete(k);
      for (const [k, t] of powerfulRoles) if (now - t > span) powerfulRoles.delete(k);
    };
    // the control plane's own role and binding writes are not grants to watch; its requests still
    // count as uses, so this rule is not exempt as a whole
    return (e, context) => {
      const now = e.time || Date.now();
      const res = e.objectRef?.resource;
      if ((res === 'roles' || res === 'clusterroles') && !e.objectRef?.subresource && e.requestObject && succeeded(e) && !context.controlPlane) {
        const powerful = policyRules(e.requestObject).some((r) => r.verbs.includes('*') || r.resources.includes('*') || r.resources.some((x) => x === 'secrets' || shellsReached(x).length > 0));
        if (powerful) powerfulRoles.set(res === 'clusterroles' ? `ClusterRole ${e.objectRef?.name}` : `Role ${e.objectRef?.name}/${e.objectRef?.namespace}`, now);
        return undefined;
      }
      if ((res === 'rolebindings' || res === 'clusterrolebindings') && !e.objectRef?.subresource && e.requestObject && (e.verb === 'create' || e.verb === 'update') && succeeded(e) && !context.controlPlane) {
        const ref = roleRefOf(e.requestObject);
        if (!ref) return undefined;
        const roleKey = ref.kind === 'ClusterRole' ? `ClusterRole ${ref.name}` : `Role ${ref.name}/${e.objectRef?.namespace}`;
        const subjects = subjectsOf(e.requestObject);
        const broad = subjects.some((s) => EVERYONE.has(s.replace(/^(Group|User) /, '')));
        if (!(ref.kind === 'ClusterRole' && (POWERFUL_ROLES.has(ref.name) || controlPlaneRole(ref.name))) && !powerfulRoles.has(roleKey) && !broad) return undefined;
        const cluster = res === 'clusterrolebindings';
        const key = cluster ? `ClusterRoleBinding ${e.objectRef?.name}` : `RoleBinding ${e.objectRef?.name}/${e.objectRef?.namespace}`;
        if (bindings.size > 10_000) prune(now);
        bindings.set(key, { auditID: e.auditID, time: e.timestamp, at: now, creator: e.user.username, summary: `${e.user.username} bound ${roleKey} to ${subjects.join(', ')} (${key})` });
        return undefined;
      }
      if (bindings.size === 0 || e.reason === '' || !succeeded(e)) return undefined;
      const m = REASON.exec(e.reason);
      if (!m) return undefined;
      const key = `${m[1]} ${m[2]}`;
      const b = bindings.get(key);
      if (!b) return undefined;
      bindings.delete(key); // one alert per binding: its first use
      if (now - b.at > span) return undefined;
      return {
        message: `${e.user.username} used ${key} (created by ${b.creator} at ${b.time}) to ${e.verb} ${e.objectRef?.resource ?? e.requestURI}${e.objectRef?.namespace ? ` in ${e.objectRef.namespace}` : ''}`,
        chain: [{ auditID: b.auditID, time: b.time, summary: b.summary }],
        details: { binding: key, createdBy: b.creator },
      };
    };
  },
  examples: {
    trigger: [
      [bindingEvent('ClusterRoleBinding', 'ci-deployer-admin', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'lab-apps' }]), use('ci-deployer-admin', 'ClusterRoleBinding', 20)],
      [
        roleEvent('Role', 'all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], DEV, 'lab-apps'),
        { ...bindingEvent('RoleBinding', 'all', 'x', [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'lab-apps' }], DEV, 'lab-apps'), requestObject: { kind: 'RoleBinding', metadata: { name: 'all', namespace: 'lab-apps' }, subjects: [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'lab-apps' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'all' } } },
        use('all/lab-apps', 'RoleBinding', 40),
      ],
    ],
    ignore: [
      // a binding to a narrow role, then its use
      [bindingEvent('ClusterRoleBinding', 'viewer', 'view', [{ kind: 'User', name: 'bob' }], ADMIN), { ...use('viewer', 'ClusterRoleBinding', 20) }],
      // a use of a binding this detector never saw created
      [use('kubemoat-lab-anonymous-reader', 'ClusterRoleBinding', 0)],
      // the use comes after the correlation window (15 minutes)
      [bindingEvent('ClusterRoleBinding', 'ci-deployer-admin', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'lab-apps' }]), use('ci-deployer-admin', 'ClusterRoleBinding', 3600)],
    ],
  },
});
