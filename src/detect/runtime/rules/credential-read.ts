import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import type { WatchedPlace } from '../../../sources/runtime/event.js';
import { APP, PRIVILEGED, open } from './examples.js';

const WHAT: Partial<Record<WatchedPlace, string>> = {
  'cloud-credentials': 'cloud credentials',
  'ssh-key': 'SSH keys',
  'kubelet-credentials': 'the kubelet\'s credentials',
  'service-account-token': 'another pod\'s service-account token',
};

// A pod reads its own token all the time (client-go rereads it every minute); only a token on a
// file system other than the pod's own token mount is another pod's.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-013',
    title: 'Container read credentials that are not its own',
    severity: 'high',
    description: 'A process in a container opened credentials it should not hold: cloud credential files, SSH private keys, the kubelet\'s client certificate and kubeconfig, or the service-account token of another pod (through a host mount). Stolen tokens and keys are how one pod becomes the cluster or the cloud account.',
    response: 'Rotate what was read (the other pod\'s token by deleting that pod, the kubelet\'s certificate, the cloud keys). Remove the host mount that exposed them and check what the stolen identity did since (the audit log).',
    mitre: ['T1552.001', 'T1528'],
    references: ['https://attack.mitre.org/techniques/T1552/001/', 'https://attack.mitre.org/techniques/T1528/'],
    repeatWindowSec: 300,
  },
  on: ['open'],
  create: () => (e, view) => {
    if (e.kind !== 'open' || !e.container) return undefined;
    const what = WHAT[e.place];
    if (what === undefined) return undefined;
    if (e.place === 'service-account-token') {
      const own = view.ownTokenDevice(e);
      // unknown own mount: say nothing rather than call the pod's own token another's
      if (own === undefined || own === e.device) return undefined;
    }
    return { message: `${e.comm} in ${where(e.container)} opened ${what} (${e.path})`, details: { ...containerDetails(e.container), file: e.path, place: e.place } };
  },
  examples: {
    trigger: [open(APP, 'cloud-credentials', 'credentials', { comm: 'cat' }), open(PRIVILEGED, 'service-account-token', 'token', { device: 77, comm: 'cat' }), open(PRIVILEGED, 'kubelet-credentials', 'kubelet-client-current.pem')],
    ignore: [open(APP, 'service-account-token', 'token', { device: 41, comm: 'app' }), open(APP, 'log', 'app.log', { write: true })],
  },
});
