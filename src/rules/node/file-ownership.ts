import { defineRule } from '../../core/rule.js';
import { ROLE_REQUIREMENTS } from './file-roles.js';
import { fileExample, nodeFile, owner } from './shared.js';

export default defineRule({
  meta: {
    id: 'KM-ND-002',
    title: 'Node file not owned by root (or by the user its component runs as)',
    severity: 'medium',
    door: 'kubelet',
    description:
      'The owner of a file can change its mode and its content whatever the mode says: a kubeconfig, key, manifest or kubelet configuration owned by an ordinary user is that user\'s to rewrite. CIS asks for root:root. ' +
      'For etcd\'s data directory CIS asks for etcd:etcd; kubemoat asks instead that it belong to the user etcd actually runs as (root for kubeadm\'s etcd), which is what the rule protects: kube-bench fails every kubeadm cluster on this item because no `etcd` user exists there.',
    remediation: 'chown root:root the file (for etcd\'s data directory: the user etcd runs as).',
    references: ['https://www.cisecurity.org/benchmark/kubernetes'],
    frameworks: { cis: ['1.1.2', '1.1.4', '1.1.6', '1.1.8', '1.1.12', '1.1.14', '1.1.16', '1.1.18', '1.1.19', '4.1.2', '4.1.4', '4.1.6', '4.1.8', '4.1.10'] },
    messages: {
      owner: '{{what}} `{{path}}` belongs to {{owner}}, not {{expected}} (CIS {{cis}})',
    },
  },
  examples: {
    fail: [
      fileExample('/etc/kubernetes/kubelet.conf', '0600', [{ role: 'kubelet-kubeconfig' }], { uid: 1000, user: 'ubuntu' }),
      fileExample('/var/lib/etcd', '0700', [{ role: 'etcd-data-dir', ownerUid: 0 }], { type: 'directory', uid: 1000, gid: 1000, user: 'ubuntu', group: 'ubuntu' }),
    ],
    pass: [
      fileExample('/etc/kubernetes/kubelet.conf', '0600', [{ role: 'kubelet-kubeconfig' }]),
      // etcd runs as uid 998 and owns its data
      fileExample('/var/lib/etcd', '0700', [{ role: 'etcd-data-dir', ownerUid: 998 }], { type: 'directory', uid: 998, gid: 998, user: 'etcd', group: 'etcd' }),
    ],
  },
  create(context) {
    return {
      kinds: {
        NodeFile(o) {
          const f = nodeFile(o);
          if (f === undefined || !f.exists || f.uid === undefined) return;
          f.roles.forEach((use, i) => {
            const req = ROLE_REQUIREMENTS[use.role];
            if (req?.ownerCis === undefined) return;
            const wantUid = use.ownerUid ?? 0;
            // the group matters for root-owned files; for a component's own user, its group may be its own
            const ok = f.uid === wantUid && (wantUid !== 0 || f.gid === 0 || f.gid === undefined);
            if (ok) return;
            const expected = wantUid === 0 ? 'root:root' : `uid ${wantUid} (the user its component runs as)`;
            context.report({
              node: o,
              messageId: 'owner',
              at: ['spec', 'roles', i],
              frameworks: { cis: [req.ownerCis] },
              data: { what: req.what, path: f.path, owner: owner(f), expected, cis: req.ownerCis },
              evidence: `${f.path} owner ${owner(f)} (used by ${use.usedBy})`,
            });
          });
        },
      },
    };
  },
});
