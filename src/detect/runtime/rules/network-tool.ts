import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { NETWORK_TOOLS } from '../programs.js';
import { APP, WEB, child, entrypoint } from './examples.js';

// A workload whose entrypoint is one of these (a socat sidecar) is its own normal; only tools
// started later in the container are reported.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-008',
    title: 'Network or attack tool started in a container',
    severity: 'medium',
    description: 'A network tool (nmap, masscan, netcat, socat, tcpdump) or a Kubernetes attack tool (kube-hunter, peirates, cdk, kubeletctl) started in a running container. Workloads rarely run them; attackers use them to scan, to open shells, and to move to the kubelet.',
    response: 'Check who started it and why (the exec alert before it). If it was not a debugging session, treat the pod as compromised and remove the tool from images that do not need it.',
    mitre: ['T1046', 'T1059'],
    references: ['https://attack.mitre.org/techniques/T1046/'],
    repeatWindowSec: 60,
  },
  on: ['exec'],
  create: () => (e, view) => {
    if (e.kind !== 'exec' || !e.container) return undefined;
    const p = view.process(e.pid);
    if (!p || !NETWORK_TOOLS.has(p.program)) return undefined;
    if (/^containerd-shim/.test(e.parentComm)) return undefined;
    return { message: `\`${commandLine(e.argv)}\` started in ${where(e.container)}`, details: { ...containerDetails(e.container), tool: p.program } };
  },
  examples: {
    trigger: [child(APP, ['nc', '10.77.1.10', '10250']), child(WEB, ['/usr/bin/nmap', '-p-', '10.77.1.0/24'], { binary: '/usr/bin/nmap' })],
    ignore: [entrypoint(APP, ['socat', 'TCP-LISTEN:8080,fork', 'TCP:10.78.1.9:80']), child(WEB, ['curl', '-s', 'http://10.78.1.9/'])],
  },
});
