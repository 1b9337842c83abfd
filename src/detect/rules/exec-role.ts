import { defineDetection } from '../rule.js';
import { DEV, controllerSA } from './examples.js';
import { policyRules, rbacWrite, roleLabel } from './rbac-body.js';
import { roleEvent } from './role-events.js';

const USE = new Set(['create', 'get', '*']);

// The shells a resource pattern of a policy rule reaches: pods/exec, pods/attach, nodes/proxy, and
// the wildcards that include them (pods/*, */exec, */attach, */proxy, nodes/*, */*). A bare `*` is
// every resource (KM-DT-012).
export function shellsReached(resource: string): string[] {
  const slash = resource.indexOf('/');
  if (slash < 0) return [];
  const res = resource.slice(0, slash);
  const sub = resource.slice(slash + 1);
  const out: string[] = [];
  if (res === 'pods' || res === '*') for (const s of ['exec', 'attach']) if (sub === s || sub === '*') out.push(`pods/${s}`);
  if ((res === 'nodes' || res === '*') && (sub === 'proxy' || sub === '*')) out.push('nodes/proxy');
  return out;
}

export default defineDetection({
  meta: {
    id: 'KM-DT-013',
    title: 'Role granting exec, attach or nodes/proxy written',
    severity: 'high',
    description: 'A Role or ClusterRole granting `pods/exec`, `pods/attach` or `nodes/proxy` was created or changed, by name or through a wildcard that includes them (`pods/*`, `*/exec`, `*/proxy`, `nodes/*`, `*/*`). Each lets its holders run commands in containers (nodes/proxy through the kubelet, outside the API server\'s audit log).',
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
    // what was written (`*/exec`) and what it reaches (pods/exec), both named in the alert
    const written = new Set<string>();
    const reached = new Set<string>();
    for (const r of policyRules(body)) {
      if (!r.verbs.some((v) => USE.has(v))) continue;
      for (const res of r.resources) {
        const shells = shellsReached(res);
        if (shells.length === 0) continue;
        written.add(res);
        for (const x of shells) reached.add(x);
      }
    }
    if (written.size === 0) return undefined;
    const wild = [...written].filter((w) => !reached.has(w));
    const what = wild.length === 0 ? [...written].join(', ') : `${[...written].join(', ')} (reaching ${[...reached].join(', ')})`;
    return { message: `${e.user.username} wrote ${roleLabel(e)} granting ${what}`, details: { role: e.objectRef?.name ?? '', resources: [...written].join(','), reaches: [...reached].join(',') } };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'debugger', [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] }], DEV),
      roleEvent('Role', 'node-peek', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }], undefined, 'monitoring'),
      // wildcards over subresources reach the same shells
      roleEvent('ClusterRole', 'any-exec', [{ apiGroups: [''], resources: ['*/exec'], verbs: ['create'] }], DEV),
      roleEvent('ClusterRole', 'proxy-all', [{ apiGroups: [''], resources: ['*/proxy'], verbs: ['get'] }], DEV),
      roleEvent('ClusterRole', 'node-stats', [{ apiGroups: [''], resources: ['nodes/*'], verbs: ['get'] }], DEV),
      roleEvent('Role', 'pod-everything', [{ apiGroups: [''], resources: ['pods/*'], verbs: ['*'] }], DEV, 'shop'),
    ],
    ignore: [
      roleEvent('ClusterRole', 'pod-logs', [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }], DEV),
      // other subresources' wildcards reach no shell
      roleEvent('ClusterRole', 'status-writer', [{ apiGroups: ['*'], resources: ['*/status', 'nodes/status'], verbs: ['get', 'update'] }], DEV),
      roleEvent('ClusterRole', 'list-subresources', [{ apiGroups: [''], resources: ['*/exec'], verbs: ['list', 'watch'] }], DEV),
      roleEvent('ClusterRole', 'edit', [{ apiGroups: [''], resources: ['pods/exec', 'pods/attach'], verbs: ['create', 'get'] }], controllerSA('clusterrole-aggregation-controller'), undefined, 'patch'),
    ],
  },
});
