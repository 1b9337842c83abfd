import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { APP, WEB, child, entrypoint, exec } from './examples.js';

// The runtime's exec (runc as the parent) is how both `kubectl exec` and the kubelet's own /run and
// /exec start a command in a running container. With the audit stream attached the engine holds
// the alert until a matching pods/exec arrives: one that never does is the kubelet door.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-001',
    title: 'Command started in a container from outside it (runtime exec)',
    severity: 'high',
    description: 'A command was started inside a running container by the container runtime, as `kubectl exec` and the kubelet\'s /run and /exec endpoints do. Attackers who reach an anonymous kubelet on port 10250 use /run to start miners and steal tokens; that leaves no line in the API server\'s audit log. With the audit stream attached, an exec that no pods/exec explains is raised as critical.',
    response: 'Check who ran the command. If no one did through the API, the kubelet or the runtime socket was used directly: close anonymous kubelet access (authentication.anonymous.enabled: false, authorization.mode: Webhook), look for runtime sockets mounted into pods, and inspect the container.',
    mitre: ['T1609'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/', 'https://attack.mitre.org/techniques/T1609/'],
  },
  on: ['exec'],
  create: () => (e, view) => {
    if (e.kind !== 'exec' || !e.container) return undefined;
    const p = view.process(e.pid);
    if (!p?.session || p.session.rootPid !== e.pid) return undefined;
    return {
      message: `\`${commandLine(e.argv)}\` was started in ${where(e.container)} from outside the container (by ${e.parentComm}: the kubelet's /run or /exec, or kubectl exec)`,
      details: { ...containerDetails(e.container), command: commandLine(e.argv), binary: e.binary },
      awaitAudit: true,
    };
  },
  examples: {
    trigger: [
      exec(APP, ['id'], { binary: '/bin/id' }),
      // runc exited before the exec: the command was handed to the shim, but it is not the entrypoint
      exec(APP, ['id'], { binary: '/bin/id', parentComm: 'containerd-shim' }),
      [entrypoint(WEB, ['nginx', '-g', 'daemon off;']), exec(WEB, ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token'], { pid: 30211, ppid: 30200 })],
    ],
    ignore: [
      entrypoint(APP, ['sleep', '31536000']),
      [entrypoint(APP, ['sh', '-c', 'while true; do date; sleep 5; done']), child(APP, ['date'])],
      // a process of the node itself, started by runc outside any container
      exec(undefined, ['runc', '--version']),
    ],
  },
});
