import { defineProbeRule } from '../rule.js';
import { doorOpen } from '../checks.js';
import { example, obs } from './facts.js';

const DOORS = ['run', 'exec', 'attach', 'portForward'] as const;
const nonexistent = (door: string, status: number, text: string) => ({ request: `POST /${door}/kubemoat-probe-nonexistent/kubemoat-probe-1/c`, status, text });

export default defineProbeRule({
  meta: {
    id: 'KM-EX-002',
    title: 'Kubelet runs commands for anyone',
    severity: 'critical',
    door: 'kubelet',
    description:
      'The kubelet let an anonymous request through authentication and authorization on `/run`, `/exec`, `/attach` or `/portForward`: asked about a pod that does not exist it answered 404 "pod does not exist", which it only says after both checks passed (otherwise 401 or 403). Anyone who reaches port 10250 can run commands in every container on the node — how cryptomining campaigns spread through exposed kubelets — without the API server ever seeing it. kubemoat proves this without running anything; with `--active` it runs `id` in one pod.',
    remediation: 'Turn off anonymous authentication on the kubelet (`authentication.anonymous.enabled: false`), use `authorization.mode: Webhook` so the API server decides who may use `nodes/proxy`, and firewall port 10250 to the control plane.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/', 'https://attack.mitre.org/techniques/T1609/'],
    frameworks: { cis: ['4.2.1', '4.2.2'], nsa: ['NSA-CISA Kubernetes Hardening: control plane hardening'], mitre: ['T1609', 'T1610'] },
    messages: { open: 'kubelet at {{endpoint}} lets anonymous requests use {{doors}}' },
  },
  examples: {
    fail: [example('kubelet', 'https', { 'kubelet.run': nonexistent('run', 404, 'pod does not exist'), 'kubelet.exec': nonexistent('exec', 404, 'pod does not exist') })],
    pass: [
      example('kubelet', 'https', { 'kubelet.run': nonexistent('run', 401, 'Unauthorized'), 'kubelet.exec': nonexistent('exec', 403, 'Forbidden (user=system:anonymous, verb=create, resource=nodes, subresource=proxy)') }),
      // a 404 that does not name the pod is a missing route, not an open door
      example('kubelet', 'https', { 'kubelet.run': nonexistent('run', 404, '404 page not found') }),
    ],
  },
  check(ep) {
    if (ep.service !== 'kubelet') return [];
    const open = DOORS.filter((d) => doorOpen(obs(ep, `kubelet.${d}`)));
    if (open.length === 0) return [];
    const evidence = open.map((d) => `${obs(ep, `kubelet.${d}`)!.request.split('?')[0]} → 404 "${obs(ep, `kubelet.${d}`)!.text}" (authentication and authorization passed; nothing ran)`);
    const active = obs(ep, 'kubelet.active.run');
    if (active?.status === 200) evidence.push(`--active: ${active.request.split('?')[0]} ran \`id\`: ${active.text}`);
    return [{ messageId: 'open', data: { doors: open.map((d) => `/${d}`).join(', ') }, evidence: evidence.join('; ') }];
  },
});
