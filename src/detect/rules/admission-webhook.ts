import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, APISERVER, auditEvent } from './examples.js';

const CHANGE = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

function webhookWrite(resource: string, verb: string, name: string, user = ADMIN) {
  return auditEvent({
    verb, uri: `/apis/admissionregistration.k8s.io/v1/${resource}${verb === 'create' ? '' : `/${name}`}`, resource, apiGroup: 'admissionregistration.k8s.io', name, user, code: verb === 'create' ? 201 : 200,
    requestObject: verb === 'delete' ? undefined : { kind: resource === 'mutatingwebhookconfigurations' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration', apiVersion: 'admissionregistration.k8s.io/v1', metadata: { name }, webhooks: [{ name: `${name}.example.com`, clientConfig: { url: 'https://203.0.113.7/mutate' }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], sideEffects: 'None', admissionReviewVersions: ['v1'] }] },
  });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-019',
    title: 'Admission control changed',
    severity: 'high',
    description: 'A mutating or validating admission webhook, or an admission policy, was created, changed or deleted. A rogue mutating webhook sees every object written (secrets included) and can inject containers into every pod; deleting a validating one switches a guard rail off.',
    response: 'Check the change against your deployment history; look at where a new webhook sends requests (`clientConfig`). Revert it if it was not planned.',
    mitre: ['T1562.001', 'T1546'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/'],
  },
  on: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'],
  exemptControlPlane: true,
  create: () => (e) => {
    if (!CHANGE.has(e.verb) || !succeeded(e)) return undefined;
    const verb = e.verb === 'create' ? 'created' : e.verb.startsWith('delete') ? 'deleted' : 'changed';
    return { message: `${e.user.username} ${verb} ${e.objectRef?.resource} ${e.objectRef?.name || '(all)'}`, severity: e.objectRef?.resource?.startsWith('mutating') && e.verb === 'create' ? 'critical' : undefined };
  },
  examples: {
    trigger: [webhookWrite('mutatingwebhookconfigurations', 'create', 'pod-injector'), webhookWrite('validatingwebhookconfigurations', 'delete', 'policy-guard')],
    ignore: [webhookWrite('validatingwebhookconfigurations', 'create', 'apiserver-internal', APISERVER), auditEvent({ verb: 'list', uri: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', resource: 'mutatingwebhookconfigurations', apiGroup: 'admissionregistration.k8s.io' })],
  },
});
