import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asString, dig, isObject } from '../../core/json.js';
import { podOfToken, serviceAccountOf } from '../actors.js';
import { ADMIN, auditEvent, busybox, createPod, podSA } from './examples.js';

interface Exec {
  auditID: string;
  time: string;
  at: number;
  user: string;
  pod: string;
}

const READ = new Set(['get', 'list', 'watch']);

function exec(at: number, pod = 'app') {
  return auditEvent({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', at, uri: `/api/v1/namespaces/lab-apps/pods/${pod}/exec?command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken&container=app&stdout=true`, resource: 'pods', subresource: 'exec', namespace: 'lab-apps', name: pod, user: ADMIN });
}
function readSecrets(at: number, pod?: string) {
  return auditEvent({ verb: 'list', at, uri: '/api/v1/namespaces/lab-apps/secrets', resource: 'secrets', namespace: 'lab-apps', user: podSA('lab-apps', 'ci-deployer', pod) });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-032',
    title: 'Chain: exec into a pod, then secrets read with its service account',
    severity: 'critical',
    description: 'Someone exec\'d into a pod, and soon after secrets were read with that pod\'s service-account token (the token names its pod, or the account is the one the pod was created with). That is the token being lifted out of the container and used: the exec was not debugging.',
    response: 'Treat the pod\'s service account as compromised: rotate its tokens (delete and recreate the account or the pod), rotate the secrets it read, and restrict who may exec into that workload.',
    mitre: ['T1609', 'T1528', 'T1552.007'],
    references: ['https://kubernetes.io/docs/concepts/security/service-accounts/#bound-service-account-tokens'],
  },
  on: ['pods', 'pods/exec', 'pods/attach', 'secrets'],
  create: (settings) => {
    const span = settings.correlationWindowSec * 1000;
    const execs = new Map<string, Exec>();
    /** `ns/pod` → service account, learnt from pod creations */
    const podAccounts = new Map<string, string>();
    return (e) => {
      const ref = e.objectRef!;
      const now = e.time || Date.now();
      if (ref.resource === 'pods' && !ref.subresource) {
        if (e.verb === 'create' && succeeded(e) && e.requestObject && isObject(e.requestObject.spec)) {
          const name = ref.name || (asString(dig(e.requestObject, 'metadata', 'name')) ?? '');
          if (podAccounts.size > 100_000) podAccounts.clear();
          if (name) podAccounts.set(`${ref.namespace}/${name}`, asString(dig(e.requestObject, 'spec', 'serviceAccountName')) ?? 'default');
        }
        return undefined;
      }
      if (ref.subresource === 'exec' || ref.subresource === 'attach') {
        if (!succeeded(e)) return undefined;
        if (execs.size > 10_000) for (const [k, x] of execs) if (now - x.at > span) execs.delete(k);
        execs.set(`${ref.namespace}/${ref.name}`, { auditID: e.auditID, time: e.timestamp, at: now, user: e.user.username, pod: `${ref.namespace}/${ref.name}` });
        return undefined;
      }
      if (ref.resource !== 'secrets' || execs.size === 0 || !READ.has(e.verb) || !succeeded(e)) return undefined;
      const sa = serviceAccountOf(e.user.username);
      if (!sa) return undefined;
      const tokenPod = podOfToken(e.user);
      let hitExec: Exec | undefined;
      if (tokenPod) hitExec = execs.get(`${sa.namespace}/${tokenPod}`);
      else
        for (const x of execs.values())
          if (x.pod.startsWith(`${sa.namespace}/`) && podAccounts.get(x.pod) === sa.name) {
            hitExec = x;
            break;
          }
      if (!hitExec || now - hitExec.at > span) return undefined;
      execs.delete(hitExec.pod); // one chain per exec session
      return {
        message: `${hitExec.user} exec'd into ${hitExec.pod}, then its service account ${sa.namespace}/${sa.name} ${e.verb === 'get' ? 'read' : e.verb === 'list' ? 'listed' : 'watched'} secrets${ref.name ? ` (${ref.name})` : ''}${ref.namespace ? ` in ${ref.namespace}` : ''}`,
        chain: [{ auditID: hitExec.auditID, time: hitExec.time, summary: `${hitExec.user} exec into ${hitExec.pod}` }],
        details: { pod: hitExec.pod, execBy: hitExec.user },
      };
    };
  },
  examples: {
    trigger: [
      [exec(0), readSecrets(30, 'app')],
      // an older token without the pod name: the pod's account is known from its creation
      [createPod('app', 'lab-apps', { serviceAccountName: 'ci-deployer', containers: [busybox()] }), exec(5), readSecrets(30)],
    ],
    ignore: [
      [exec(0, 'other'), readSecrets(30, 'app')],
      [readSecrets(0, 'app'), exec(30)],
      [exec(0), readSecrets(3600, 'app')],
    ],
  },
});
