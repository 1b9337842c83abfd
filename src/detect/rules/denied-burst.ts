import { defineDetection } from '../rule.js';
import { denied } from '../../sources/audit/event.js';
import { CONTROLLER_MANAGER, DEV, KUBELET, auditEvent, podSA } from './examples.js';
import { Windows } from '../windows.js';

interface Window {
  start: number;
  count: number;
  alerted: boolean;
  resources: Set<string>;
}

const PROBES = ['secrets', 'pods', 'nodes', 'clusterrolebindings', 'namespaces', 'deployments', 'configmaps', 'serviceaccounts', 'roles', 'daemonsets', 'pods/exec'];

function probe(i: number, user = podSA('lab-apps', 'default', 'app'), code = 403) {
  const resource = PROBES[i % PROBES.length];
  const [res, sub] = resource.split('/');
  return auditEvent({ verb: i % 2 ? 'list' : 'get', uri: `/api/v1/namespaces/kube-system/${res}`, resource: res, subresource: sub, namespace: 'kube-system', user, code, at: i, sourceIP: '10.78.1.17', userAgent: 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-025',
    title: 'Burst of denied requests (permission probing)',
    severity: 'medium',
    description: 'One user (not a control-plane component) from one address was refused (401/403) many times in a short window. That is what `kubectl auth can-i --list`, kube-hunter or a script trying a stolen token against many resources look like; real clients seldom hit RBAC walls over and over.',
    response: 'Find where the token or certificate comes from (the source address, the pod named in the user\'s token). If it is a misconfigured workload, fix its role; if not, revoke the credential. Watch for a KM-DT-030 chain alert: a success right after the probing.',
    mitre: ['T1069', 'T1613'],
    references: ['https://attack.mitre.org/techniques/T1613/'],
  },
  on: '*',
  exemptControlPlane: true,
  create: (settings) => {
    const windows = new Windows<Window>(settings.deniedBurstWindowSec * 1000, (start) => ({ start, count: 0, alerted: false, resources: new Set() }));
    return (e) => {
      // the controllers and kubelets are refused in bursts while a restarting API server
      // bootstraps its RBAC policy: noise, not probing
      if (!denied(e)) return undefined;
      const now = e.time || Date.now();
      const w = windows.at(`${e.user.username}\u0000${e.sourceIPs[0] ?? ''}`, now);
      w.count++;
      if (w.resources.size < 20) w.resources.add(`${e.verb} ${e.objectRef?.resource || e.requestURI}`);
      if (w.alerted || w.count < settings.deniedBurstCount) return undefined;
      w.alerted = true;
      return {
        message: `${e.user.username} from ${e.sourceIPs[0] ?? '?'} was denied ${w.count} times in ${Math.max(1, Math.round((now - w.start) / 1000))} s (${[...w.resources].slice(0, 6).join(', ')}${w.resources.size > 6 ? ', …' : ''})`,
        details: { denied: String(w.count), windowSec: String(settings.deniedBurstWindowSec) },
      };
    };
  },
  examples: {
    trigger: [Array.from({ length: 10 }, (_, i) => probe(i))],
    ignore: [Array.from({ length: 9 }, (_, i) => probe(i, DEV)), Array.from({ length: 12 }, (_, i) => probe(i, KUBELET, 200)), Array.from({ length: 30 }, (_, i) => probe(i, CONTROLLER_MANAGER))],
  },
});
