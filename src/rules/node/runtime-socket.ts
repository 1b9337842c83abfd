import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { fileExample, nodeFile, owner, showMode } from './shared.js';

export default defineRule({
  meta: {
    id: 'KM-ND-006',
    title: 'Container runtime socket open to non-root users',
    severity: 'critical',
    door: 'runtime-socket',
    description:
      'The container runtime\'s socket (containerd, CRI-O, Docker) starts containers as root with any mounts and privileges the caller asks for, and execs into every container on the node. Whoever can connect to it is root on the node: a socket writable by every user, by a group such as `docker`, or owned by an ordinary user hands that out. The kubelet reaches it as root; nobody else needs to.',
    remediation: 'Keep the socket root:root and mode 0660 or stricter with a group only root is in (containerd and CRI-O do this by default); do not add users to the `docker` group; never mount the socket into pods.',
    references: ['https://kubernetes.io/docs/concepts/security/multi-tenancy/', 'https://docs.docker.com/engine/security/#docker-daemon-attack-surface'],
    frameworks: { mitre: [MITRE.escapeToHost, MITRE.deployContainer] },
    messages: { open: 'the container runtime socket `{{path}}` ({{mode}}, {{owner}}) accepts {{who}}: they can start a privileged container, i.e. they are root on the node' },
  },
  examples: {
    fail: [
      fileExample('/run/containerd/containerd.sock', '0666', [{ role: 'runtime-socket', usedBy: 'containerd (pid 500)' }], { type: 'socket' }),
      fileExample('/var/run/docker.sock', '0660', [{ role: 'runtime-socket', usedBy: 'dockerd (pid 501)' }], { type: 'socket', gid: 999, group: 'docker' }),
    ],
    pass: [
      fileExample('/run/containerd/containerd.sock', '0660', [{ role: 'runtime-socket', usedBy: 'containerd (pid 500)' }], { type: 'socket' }),
      // the socket is not there: nothing to judge
      fileExample('/var/run/crio/crio.sock', '0666', [{ role: 'runtime-socket' }], { exists: false }),
    ],
  },
  create(context) {
    return {
      kinds: {
        NodeFile(o) {
          const f = nodeFile(o);
          if (f === undefined || !f.exists || f.mode === undefined) return;
          const use = f.roles.find((r) => r.role === 'runtime-socket');
          if (use === undefined) return;
          const others = (f.mode & 0o002) !== 0;
          const group = (f.mode & 0o020) !== 0 && f.gid !== undefined && f.gid !== 0;
          const user = f.uid !== undefined && f.uid !== 0;
          if (!others && !group && !user) return;
          const who = others ? 'every local user' : user ? `its owner ${f.user ?? f.uid}` : `every member of the group ${f.group ?? f.gid}`;
          context.report({
            node: o,
            messageId: 'open',
            at: ['spec', 'mode'],
            severity: others ? 'critical' : 'high',
            data: { path: f.path, mode: showMode(f.mode), owner: owner(f), who },
            evidence: `${f.path} mode ${showMode(f.mode)} owner ${owner(f)} (${use.usedBy})`,
          });
        },
      },
    };
  },
});
