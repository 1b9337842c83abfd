import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { APP, WEB, connect } from './examples.js';

const RUNTIME_SOCKETS = /(?:^|\/)(?:containerd|docker|crio|cri-dockerd|podman|dockershim)\.sock$/;

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-012',
    title: 'Container talked to the container runtime\'s socket',
    severity: 'critical',
    description: 'A process in a container connected to a container runtime socket (containerd, Docker, CRI-O). Whoever talks to it starts privileged containers on the node and reads every container\'s files, with no API server, audit log or admission control in the way.',
    response: 'Find the pod that mounts the socket and remove the mount unless the workload is a reviewed node agent; treat containers it could reach as compromised.',
    mitre: ['T1610', 'T1611'],
    references: ['https://attack.mitre.org/techniques/T1610/', 'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath'],
    repeatWindowSec: 300,
  },
  on: ['connect'],
  create: () => (e, view) => {
    if (e.kind !== 'connect' || !e.container || e.family !== 'unix' || !RUNTIME_SOCKETS.test(e.address)) return undefined;
    const p = view.process(e.pid);
    return { message: `${p?.program ?? e.comm} in ${where(e.container)} connected to the runtime socket ${e.address}`, details: { ...containerDetails(e.container), socket: e.address } };
  },
  examples: {
    trigger: [connect(APP, '/run/containerd/containerd.sock', 0, { family: 'unix', comm: 'ctr' }), connect(WEB, '/var/run/docker.sock', 0, { family: 'unix', comm: 'docker' })],
    ignore: [connect(APP, '/var/run/nscd/socket', 0, { family: 'unix', comm: 'id' }), connect(WEB, '10.78.1.9', 2375, { comm: 'curl' })],
  },
});
