import { defineDetection } from '../rule.js';
import { DEV, controllerSA } from './examples.js';
import { policyRules, rbacWrite, roleLabel } from './rbac-body.js';
import { roleEvent } from './role-events.js';

const SHELL = new Set(['pods/exec', 'pods/attach', 'pods/*', 'nodes/proxy']);
const USE = new Set(['create', 'get', '*']);

export default defineDetection({
  meta: {
    id: 'KM-DT-013',
    title: 'Role granting exec, attach or nodes/proxy written',
    severity: 'high',
    description: 'A Role or ClusterRole granting `pods/exec`, `pods/attach` or `nodes/proxy` was created or changed. Each lets its holders run commands in containers (nodes/proxy through the kubelet, outside the API server\'s audit log).',
    response: 'Check who is bound to the role and whether they need a shell in workloads; restrict to break-glass roles.',
    mitre: ['T1098.006', 'T1609'],
    references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/#nodes-proxy-subresource'],
    falco: ['ClusterRole With Pod Exec Created'],
  },
  on: ['roles', 'clusterroles'],
  exemptControlPlane: true,
  create: () => (e) => {
    const body = rbacWrite(e);
    if (!body) return undefined;
    const found = new Set<string>();
    for (const r of policyRules(body)) {
      if (!r.verbs.some((v) => USE.has(v))) continue;
      for (const res of r.resources) if (SHELL.has(res)) found.add(res);
    }
    if (found.size === 0) return undefined;
    return { message: `${e.user.username} wrote ${roleLabel(e)} granting ${[...found].join(', ')}`, details: { role: e.objectRef?.name ?? '', resources: [...found].join(',') } };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'debugger', [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] }], DEV),
      roleEvent('Role', 'node-peek', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }], undefined, 'monitoring'),
    ],
    ignore: [
      roleEvent('ClusterRole', 'pod-logs', [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }], DEV),
      roleEvent('ClusterRole', 'edit', [{ apiGroups: [''], resources: ['pods/exec', 'pods/attach'], verbs: ['create', 'get'] }], controllerSA('clusterrole-aggregation-controller'), undefined, 'patch'),
    ],
  },
});
