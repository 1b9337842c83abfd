import { defineRule } from '../../core/rule.js';
import { asObject, asString, isTrue } from '../../core/json.js';
import { MITRE, NSA } from '../references.js';

const AGGREGATION = 'https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/';
const APISERVICE_API = 'https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/api-service-v1/';

export default defineRule({
  meta: {
    id: 'KM-CP-020',
    title: 'Aggregated API served without TLS verification (APIService insecureSkipTLSVerify)',
    severity: 'medium',
    door: 'control-plane',
    description:
      'An APIService tells the API server to forward every request for an API group (`metrics.k8s.io`, `custom.metrics.k8s.io`, an operator\'s API) to a Service. ' +
      'With `insecureSkipTLSVerify: true` the API server accepts any certificate from whatever answers at that Service, so whoever can run a pod behind it, or take over its endpoints, answers for the whole group: ' +
      'forged metrics that drive the autoscalers, forged objects of a custom API, and the requests of every user who calls it, with their identity in the front-proxy headers.',
    remediation:
      'Set `caBundle` to the CA that signs the backend\'s serving certificate (cert-manager\'s CA injector fills it in: annotate the APIService with `cert-manager.io/inject-ca-from`) and remove `insecureSkipTLSVerify`.',
    references: [AGGREGATION, APISERVICE_API],
    frameworks: { nsa: [NSA.controlPlane], mitre: [MITRE.validAccounts] },
    messages: { insecure: '{{resource}} forwards `{{group}}` to Service {{service}} without verifying its certificate (insecureSkipTLSVerify: true)' },
  },
  examples: {
    fail: [
      `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service: {name: metrics-server, namespace: kube-system}`,
    ],
    pass: [
      `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
  annotations: {cert-manager.io/inject-ca-from: kube-system/metrics-server}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics-server, namespace: kube-system}`,
      // a local APIService (no service) is served by the API server itself
      `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.apps}
spec:
  group: apps
  version: v1
  insecureSkipTLSVerify: true`,
    ],
  },
  create(context) {
    return {
      kinds: {
        APIService(o) {
          const spec = asObject(o.raw.spec);
          const service = asObject(spec?.service);
          if (spec === undefined || service === undefined || !isTrue(spec.insecureSkipTLSVerify)) return;
          const name = `${asString(service.namespace) ?? ''}/${asString(service.name) ?? ''}`;
          context.report({ node: o, messageId: 'insecure', data: { group: asString(spec.group) ?? '?', service: `\`${name}\`` }, at: ['spec', 'insecureSkipTLSVerify'], evidence: 'insecureSkipTLSVerify: true' });
        },
      },
    };
  },
});
