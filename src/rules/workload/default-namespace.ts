import { defineRule } from '../../core/rule.js';
import { DOCS, MITRE, NSA } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-024',
    title: 'Workload in the default namespace',
    severity: 'low',
    door: 'workload',
    description:
      'The `default` namespace is where everything lands by accident: its `default` ServiceAccount, RoleBindings and the lack of NetworkPolicies and Pod Security labels are shared by whatever else ends up there, ' +
      'so a compromise of one workload is a compromise of the others, and RBAC and policies cannot tell them apart. ' +
      'Only manifests that say `namespace: default` are reported: a manifest without a namespace is installed into whatever namespace is chosen at deploy time (`kubectl -n`, Helm, Argo CD), so nothing is known yet.',
    remediation: 'Deploy the workload into its own namespace, with its own ServiceAccount, NetworkPolicies and Pod Security labels.',
    references: [DOCS.namespaces],
    frameworks: { cis: ['5.7.4'], nsa: [NSA.namespaces], mitre: [MITRE.defaultAccounts] },
    messages: { defaultNamespace: '{{resource}} is deployed in the `default` namespace' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  template:
    spec:
      containers:
        - {name: web, image: "nginx:1.27"}`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - {name: web, image: "nginx:1.27"}`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {mode: fast}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        if (pod.object.namespace !== 'default') return;
        context.report({ node: pod.object, messageId: 'defaultNamespace', at: ['metadata', 'namespace'], evidence: 'metadata.namespace: default' });
      },
    };
  },
});
