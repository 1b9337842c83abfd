import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asString, dig, type JsonObject } from '../../core/json.js';
import { imagesOf, podSpecOf } from '../podspec.js';
import { DEV, auditEvent, busybox, controllerSA, podSA } from './examples.js';

const KIND: Record<string, string> = { cronjobs: 'CronJob', daemonsets: 'DaemonSet' };

function create(resource: 'cronjobs' | 'daemonsets', name: string, namespace: string, user = DEV, verb = 'create') {
  const group = resource === 'cronjobs' ? 'batch' : 'apps';
  const template = { metadata: { labels: { app: name } }, spec: { containers: [busybox({ name, image: 'docker.io/library/alpine:3.20' })] } };
  const spec: JsonObject = resource === 'cronjobs' ? { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: name } }, template };
  return auditEvent({
    verb, code: verb === 'create' ? 201 : 200, uri: `/apis/${group}/v1/namespaces/${namespace}/${resource}${verb === 'create' ? '' : `/${name}`}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
    user, resource, apiGroup: group, namespace, name,
    requestObject: { kind: KIND[resource], apiVersion: `${group}/v1`, metadata: { name, namespace }, spec },
  });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-045',
    title: 'CronJob or DaemonSet created by a user',
    severity: 'medium',
    description: 'A user (not the control plane) created a CronJob or a DaemonSet. Both come back on their own: a CronJob runs its command again on schedule, a DaemonSet puts a pod on every node, new nodes included. That is why intruders use them for persistence and miners for reach. Deploying one through a pipeline is normal; allow-list the pipeline\'s identity for this rule so the alert means a person or a stolen token.',
    response: 'Check that the CronJob or DaemonSet is part of an approved release (its image, schedule, service account). If not, delete it and find how the user came to write workloads there.',
    mitre: ['T1053.007', 'T1610'],
    references: ['https://attack.mitre.org/techniques/T1053/007/', 'https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'],
  },
  on: ['cronjobs', 'daemonsets'],
  exemptControlPlane: true,
  create: () => (e) => {
    if (e.verb !== 'create' || !succeeded(e)) return undefined;
    const ref = e.objectRef!;
    const kind = KIND[ref.resource];
    const name = ref.name || asString(dig(e.requestObject, 'metadata', 'name')) || '?';
    const spec = podSpecOf(e);
    const schedule = ref.resource === 'cronjobs' ? asString(dig(e.requestObject, 'spec', 'schedule')) : undefined;
    const images = spec ? imagesOf(spec) : [];
    return {
      message: `${e.user.username} created ${kind} ${ref.namespace}/${name}${schedule ? ` (schedule ${schedule})` : ''}${images.length > 0 ? ` running ${images.join(', ')}` : ''}`,
      images,
      details: { kind, ...(schedule ? { schedule } : {}) },
    };
  },
  examples: {
    trigger: [create('cronjobs', 'cleanup', 'default'), create('daemonsets', 'node-agent', 'kube-system'), create('cronjobs', 'sync', 'shop', podSA('shop', 'default', 'web-6d4cf56db6-2xq9z', 'curl/7.88.1'))],
    ignore: [
      // a change to one that exists, and the CronJob controller's Jobs
      create('cronjobs', 'cleanup', 'default', DEV, 'update'),
      auditEvent({ verb: 'create', code: 201, uri: '/apis/batch/v1/namespaces/default/jobs', resource: 'jobs', apiGroup: 'batch', namespace: 'default', name: 'cleanup-29410560', user: controllerSA('cronjob-controller') }),
      create('daemonsets', 'kube-proxy', 'kube-system', controllerSA('daemon-set-controller')),
    ],
  },
});
