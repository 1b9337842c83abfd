import { asArray, asObject, asString, isTrue } from '../../core/json.js';
import { defineRule } from '../../core/rule.js';
import { componentOf } from '../../inventory/components.js';
import { podSpecOf, toKubeObject } from '../../inventory/objects.js';
import { MITRE } from '../references.js';
import { nodeStaticPod } from './shared.js';

const CONTROL_PLANE = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']);

const example = (spec: string, namespaceExists?: boolean): string => `apiVersion: node.kubemoat.io/v1alpha1
kind: NodeStaticPod
metadata: {name: /etc/kubernetes/manifests/agent.yaml}
spec:
  file: /etc/kubernetes/manifests/agent.yaml${namespaceExists === undefined ? '' : `\n  namespaceExists: ${namespaceExists}`}
  manifest:
    apiVersion: v1
    kind: Pod
    metadata: {name: agent, namespace: monitoring}
    spec:
${spec.replace(/^/gm, '      ')}`;

export default defineRule({
  meta: {
    id: 'KM-ND-004',
    title: 'Static pod with host access, outside admission control',
    severity: 'high',
    door: 'workload',
    description:
      'A static pod is started by the kubelet from a file, not through the API server: Pod Security admission, policy engines (Kyverno, Gatekeeper) and every other admission check never see it — at most they reject its mirror pod, and the pod runs anyway. ' +
      'A static pod that is privileged, shares the host\'s PID or network namespace, or mounts host paths is host access that no cluster policy will ever report. The control-plane components kubeadm runs this way need host paths by design and are left to the KM-CP and KM-ET rules.',
    remediation: 'Run node agents as DaemonSets through the API server, where admission applies; keep only the control-plane components in the static pod directory, or remove the host access from the pod.',
    references: ['https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/', 'https://kubernetes.io/docs/concepts/security/pod-security-admission/'],
    frameworks: { mitre: [MITRE.escapeToHost, MITRE.deployContainer] },
    messages: { hostAccess: 'static pod {{pod}} (`{{file}}`) has {{what}}, and admission control never sees it' },
  },
  examples: {
    fail: [
      example(`containers:
  - name: agent
    image: example.com/agent:1
    securityContext: {privileged: true}`),
      example(`volumes:
  - name: root
    hostPath: {path: /}
containers:
  - name: agent
    image: example.com/agent:1
    volumeMounts: [{name: root, mountPath: /host}]`),
    ],
    pass: [
      example(`containers:
  - name: agent
    image: example.com/agent:1
    securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}`),
      // kubeadm's API server: host paths for its PKI by design
      `apiVersion: node.kubemoat.io/v1alpha1
kind: NodeStaticPod
metadata: {name: /etc/kubernetes/manifests/kube-apiserver.yaml}
spec:
  file: /etc/kubernetes/manifests/kube-apiserver.yaml
  manifest:
    apiVersion: v1
    kind: Pod
    metadata: {name: kube-apiserver, namespace: kube-system}
    spec:
      hostNetwork: true
      volumes: [{name: k8s-certs, hostPath: {path: /etc/kubernetes/pki}}]
      containers:
        - name: kube-apiserver
          image: registry.k8s.io/kube-apiserver:v1.30.2
          command: [kube-apiserver, --anonymous-auth=false]`,
    ],
  },
  create(context) {
    return {
      kinds: {
        NodeStaticPod(o) {
          const sp = nodeStaticPod(o);
          if (sp?.manifest === undefined) return;
          const pod = toKubeObject(sp.manifest, o.origin);
          const spec = pod ? podSpecOf(pod) : undefined;
          if (pod === undefined || spec === undefined) return;
          const regular = spec.containers.filter((c) => c.containerKind === 'container');
          if (regular.length > 0 && regular.every((c) => CONTROL_PLANE.has(componentOf(c) ?? ''))) return;
          const what: string[] = [];
          const privileged = spec.containers.filter((c) => isTrue(asObject(c.container.securityContext)?.privileged)).map((c) => c.name);
          if (privileged.length > 0) what.push(`privileged container${privileged.length > 1 ? 's' : ''} ${privileged.map((n) => `\`${n}\``).join(', ')}`);
          for (const ns of ['hostPID', 'hostIPC', 'hostNetwork']) if (isTrue(spec.spec[ns])) what.push(ns);
          const paths = asArray(spec.spec.volumes).map((v) => asString(asObject(asObject(v)?.hostPath)?.path)).filter((p): p is string => p !== undefined);
          if (paths.length > 0) what.push(`host path${paths.length > 1 ? 's' : ''} ${paths.map((p) => `\`${p}\``).join(', ')}`);
          if (what.length === 0) return;
          const severity = privileged.length > 0 || paths.some((p) => p === '/' || /\.sock$/.test(p) || /^\/(etc|root|var\/run|run|proc|sys|var\/lib\/kubelet)(\/|$)/.test(p)) || isTrue(spec.spec.hostPID) ? 'high' : 'medium';
          context.report({
            node: o,
            messageId: 'hostAccess',
            at: ['spec', 'manifest'],
            severity,
            data: { pod: `${pod.namespace ?? 'default'}/${pod.name}`, file: sp.file, what: what.join(', ') },
            evidence: what.join('; '),
          });
        },
      },
    };
  },
});
