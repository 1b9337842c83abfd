import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { ROLE_REQUIREMENTS, permissionSeverity } from './file-roles.js';
import { excessBits, fileExample, nodeFile, showMode } from './shared.js';

export default defineRule({
  meta: {
    id: 'KM-ND-001',
    title: 'Node file permissions looser than the CIS Benchmark allows',
    severity: 'high',
    door: 'kubelet',
    description:
      'Kubeconfigs and private keys on a node are credentials: any local user, or any container that mounts the path, who can read them becomes that component — the node, the scheduler, or cluster-admin. Static pod manifests, the kubelet configuration and its systemd unit decide what runs as root: whoever can write them owns the node. ' +
      'kubemoat finds these files from the running components (their flags, their effective configuration), not from fixed paths, and judges only the files that exist. A certificate or CA file readable by others is public material: CIS still asks for 600, so it is reported at low severity.',
    remediation: 'chmod the file to the mode CIS asks for (600 for kubeconfigs, keys, manifests and configuration; 700 for the etcd data directory), and find what created it world-readable (an installer, a copy with the wrong umask).',
    references: ['https://www.cisecurity.org/benchmark/kubernetes', 'https://kubernetes.io/docs/setup/best-practices/certificates/'],
    frameworks: { cis: ['1.1.1', '1.1.3', '1.1.5', '1.1.7', '1.1.11', '1.1.13', '1.1.15', '1.1.17', '1.1.20', '1.1.21', '4.1.1', '4.1.3', '4.1.5', '4.1.7', '4.1.9'], mitre: [MITRE.credentialsInFiles] },
    messages: {
      loose: '{{what}} `{{path}}` has mode {{mode}}: {{who}} (CIS {{cis}} asks for {{max}} or stricter)',
    },
  },
  examples: {
    fail: [
      fileExample('/etc/kubernetes/kubelet.conf', '0644', [{ role: 'kubelet-kubeconfig' }]),
      fileExample('/etc/kubernetes/manifests/kube-apiserver.yaml', '0666', [{ role: 'apiserver-manifest' }]),
      fileExample('/var/lib/etcd', '0755', [{ role: 'etcd-data-dir' }], { type: 'directory' }),
    ],
    pass: [
      fileExample('/etc/kubernetes/kubelet.conf', '0600', [{ role: 'kubelet-kubeconfig' }]),
      fileExample('/var/lib/etcd', '0700', [{ role: 'etcd-data-dir' }], { type: 'directory' }),
      // a referenced file that does not exist is not applicable, not a failure
      fileExample('/etc/kubernetes/admin.conf', '0644', [{ role: 'admin-kubeconfig' }], { exists: false }),
    ],
  },
  create(context) {
    return {
      kinds: {
        NodeFile(o) {
          const f = nodeFile(o);
          if (f === undefined || !f.exists || f.mode === undefined) return;
          f.roles.forEach((use, i) => {
            const req = ROLE_REQUIREMENTS[use.role];
            if (req?.maxMode === undefined || req.permCis === undefined) return;
            const excess = excessBits(f.mode as number, req.maxMode);
            if (excess === 0) return;
            const writable = (excess & 0o022) !== 0;
            const readable = (excess & 0o044) !== 0;
            const others = (excess & 0o007) !== 0 ? 'any local user' : 'its group';
            const who = writable ? `${others} can change it` : readable ? `${others} can read it` : `${others} can traverse or run it`;
            context.report({
              node: o,
              messageId: 'loose',
              at: ['spec', 'roles', i],
              severity: permissionSeverity(req.kind, excess),
              frameworks: { cis: [req.permCis], mitre: [MITRE.credentialsInFiles] },
              data: { what: req.what, path: f.path, mode: showMode(f.mode as number), who, cis: req.permCis, max: showMode(req.maxMode) },
              evidence: `${f.path} mode ${showMode(f.mode as number)} (used by ${use.usedBy})`,
            });
          });
        },
      },
    };
  },
});
