import { defineDetection, type ChainLink } from '../rule.js';
import { denied, resourceKey, succeeded } from '../../sources/audit/event.js';
import { auditEvent, podSA } from './examples.js';

interface Probe {
  start: number;
  count: number;
  first: ChainLink;
  /** `verb resource` the user was refused, with the first refusal of each */
  refused: Map<string, ChainLink>;
  burstAt: number;
  reported: Set<string>;
}

const SA = podSA('lab-apps', 'default', 'app', 'curl/7.88.1');
const TRIES = ['secrets', 'pods/exec', 'nodes', 'clusterrolebindings', 'serviceaccounts/token', 'daemonsets', 'namespaces', 'configmaps', 'roles', 'nodes/proxy'];

function attempt(i: number, code: number, resource = TRIES[i % TRIES.length], at = i) {
  const [res, sub] = resource.split('/');
  return auditEvent({ verb: 'get', uri: `/api/v1/namespaces/kube-system/${resource}`, resource: res, subresource: sub, namespace: 'kube-system', user: SA, code, at, sourceIP: '10.78.1.17' });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-030',
    title: 'Chain: permission probing, then a success',
    severity: 'high',
    description: 'A user was refused many times in a short window (see KM-DT-025) and then succeeded at one of the very requests it had been refused. That is an intruder who found the right credential, or the missing permission granted while they waited: the probing was not harmless.',
    response: 'Treat the credential as compromised: find what changed between the refusals and the success (a new binding, another token), revoke it, and review what the user did after the success.',
    mitre: ['T1069', 'T1078'],
    references: ['https://attack.mitre.org/techniques/T1078/'],
  },
  on: '*',
  exemptControlPlane: true,
  create: (settings) => {
    const users = new Map<string, Probe>();
    const burstSpan = settings.deniedBurstWindowSec * 1000;
    const chainSpan = settings.correlationWindowSec * 1000;
    return (e) => {
      const now = e.time || Date.now();
      const user = e.user.username;
      const ref = e.objectRef;
      const what = `${e.verb} ${resourceKey(e) || e.requestURI}${ref?.namespace ? ` in ${ref.namespace}` : ''}${ref?.name ? ` (${ref.name})` : ''}`;
      let p = users.get(user);
      if (denied(e)) {
        if (!p || (p.burstAt === 0 && now - p.start > burstSpan) || (p.burstAt > 0 && now - p.burstAt > chainSpan)) {
          if (users.size > 50_000) users.clear();
          const first = { auditID: e.auditID, time: e.timestamp, summary: `${what} denied (${e.code})` };
          p = { start: now, count: 0, first, refused: new Map(), burstAt: 0, reported: new Set() };
          users.set(user, p);
        }
        p.count++;
        if (!p.refused.has(what) && p.refused.size < 200) p.refused.set(what, { auditID: e.auditID, time: e.timestamp, summary: `${what} denied (${e.code})` });
        if (p.burstAt === 0 && p.count >= settings.deniedBurstCount) p.burstAt = now;
        return undefined;
      }
      if (!p || p.burstAt === 0 || now - p.burstAt > chainSpan || !succeeded(e)) return undefined;
      const refusal = p.refused.get(what);
      if (!refusal || p.reported.has(what)) return undefined;
      p.reported.add(what);
      const chain = refusal.auditID === p.first.auditID ? [p.first] : [p.first, refusal];
      return {
        // events without timestamps have no time to name (the detector then uses its own clock)
        message: `${user} succeeded at ${what} after ${p.count} denied requests${p.first.time ? ` (the first at ${p.first.time})` : ''}`,
        chain,
        details: { denied: String(p.count) },
      };
    };
  },
  examples: {
    trigger: [[...Array.from({ length: 10 }, (_, i) => attempt(i, 403)), attempt(0, 200, 'secrets', 30)]],
    ignore: [
      // probing that never succeeds
      Array.from({ length: 15 }, (_, i) => attempt(i, 403)),
      // a success at something never refused
      [...Array.from({ length: 10 }, (_, i) => attempt(i, 403)), attempt(0, 200, 'pods', 30)],
      // one refusal, then the success: no burst
      [attempt(0, 403), attempt(0, 200, 'secrets', 5)],
    ],
  },
});
