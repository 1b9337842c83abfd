import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { fileExample, nodeFile, owner, showMode } from './shared.js';

export default defineRule({
  meta: {
    id: 'KM-ND-003',
    title: 'Static pod directory or manifest writable by non-root',
    severity: 'critical',
    door: 'runtime-socket',
    description:
      'The kubelet runs every manifest in its static pod directory, as root, without asking the API server: no authentication, no RBAC, no admission control, no Pod Security. Anyone who can create or change a file there — a local user, a container with that host path mounted — runs a privileged pod with the host\'s file system on the node, which is root on the node and usually the cluster\'s credentials with it.',
    remediation: 'chown root:root and chmod 700 the static pod directory (kubeadm: /etc/kubernetes/manifests) and 600 its files; never mount it into a pod.',
    references: ['https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/'],
    frameworks: { mitre: [MITRE.deployContainer, MITRE.escapeToHost] },
    messages: {
      writable: '{{what}} `{{path}}` ({{mode}}, {{owner}}) can be written by {{who}}: they can run any pod on the node, outside admission control',
    },
  },
  examples: {
    fail: [
      fileExample('/etc/kubernetes/manifests', '0777', [{ role: 'static-pod-dir' }], { type: 'directory' }),
      fileExample('/etc/kubernetes/manifests/web.yaml', '0666', [{ role: 'static-pod-manifest' }]),
      fileExample('/etc/kubernetes/manifests', '0755', [{ role: 'static-pod-dir' }], { type: 'directory', uid: 1000, user: 'ubuntu' }),
    ],
    pass: [
      fileExample('/etc/kubernetes/manifests', '0700', [{ role: 'static-pod-dir' }], { type: 'directory' }),
      fileExample('/etc/kubernetes/manifests/web.yaml', '0644', [{ role: 'static-pod-manifest' }]),
    ],
  },
  create(context) {
    return {
      kinds: {
        NodeFile(o) {
          const f = nodeFile(o);
          if (f === undefined || !f.exists || f.mode === undefined) return;
          const i = f.roles.findIndex((r) => r.role === 'static-pod-dir' || r.role === 'static-pod-manifest');
          if (i < 0) return;
          const groupWrite = (f.mode & 0o020) !== 0 && f.gid !== 0;
          const otherWrite = (f.mode & 0o002) !== 0;
          const notRoot = f.uid !== undefined && f.uid !== 0;
          if (!groupWrite && !otherWrite && !notRoot) return;
          const who = otherWrite ? 'any local user' : notRoot ? `its owner ${f.user ?? f.uid}` : `the group ${f.group ?? f.gid}`;
          context.report({
            node: o,
            messageId: 'writable',
            at: ['spec', 'mode'],
            data: { what: f.roles[i].role === 'static-pod-dir' ? 'The static pod directory' : 'The static pod manifest', path: f.path, mode: showMode(f.mode), owner: owner(f), who },
            evidence: `${f.path} mode ${showMode(f.mode)} owner ${owner(f)} (${f.roles[i].usedBy})`,
          });
        },
      },
    };
  },
});
