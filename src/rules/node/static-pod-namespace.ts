import { asObject, asString } from '../../core/json.js';
import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { nodeStaticPod } from './shared.js';

const example = (namespaceExists: boolean | undefined): string => `apiVersion: node.kubemoat.io/v1alpha1
kind: NodeStaticPod
metadata: {name: /etc/kubernetes/manifests/miner.yaml}
spec:
  file: /etc/kubernetes/manifests/miner.yaml${namespaceExists === undefined ? '' : `\n  namespaceExists: ${namespaceExists}`}
  manifest:
    apiVersion: v1
    kind: Pod
    metadata: {name: miner, namespace: does-not-exist}
    spec:
      containers: [{name: c, image: example.com/x:1}]`;

export default defineRule({
  meta: {
    id: 'KM-ND-005',
    title: 'Static pod in a namespace that does not exist: invisible in the API',
    severity: 'high',
    door: 'workload',
    description:
      'For each static pod the kubelet asks the API server to create a read-only "mirror pod", which is how `kubectl get pods` shows it. If the pod names a namespace that does not exist, the mirror pod is refused and the pod runs anyway: nothing in the API, no monitoring built on it, no audit event shows that it is there. It is a known way to hide a workload on a node. kubemoat checks the namespaces only when given `--kubeconfig`.',
    remediation: 'Remove the manifest unless you know why it is there; otherwise create its namespace so its mirror pod appears, and keep the static pod directory root-only.',
    references: ['https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/'],
    frameworks: { mitre: [MITRE.deployContainer, 'T1564'] },
    messages: { hidden: 'static pod {{pod}} (`{{file}}`) is in namespace `{{namespace}}`, which does not exist: it runs on the node but has no mirror pod in the API' },
  },
  examples: {
    fail: [example(false)],
    pass: [example(true), example(undefined)],
  },
  create(context) {
    return {
      kinds: {
        NodeStaticPod(o) {
          const sp = nodeStaticPod(o);
          if (sp === undefined || sp.namespaceExists !== false) return;
          const meta = asObject(sp.manifest?.metadata);
          const namespace = asString(meta?.namespace) ?? 'default';
          context.report({ node: o, messageId: 'hidden', at: ['spec', 'namespaceExists'], data: { pod: `${namespace}/${asString(meta?.name) ?? '?'}`, file: sp.file, namespace }, evidence: `namespace ${namespace}: 404 from the API server` });
        },
      },
    };
  },
});
