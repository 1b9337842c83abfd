import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-006',
    title: 'Kubelet runs pods fetched from a URL (staticPodURL)',
    severity: 'high',
    door: 'kubelet',
    description:
      'With `staticPodURL` (`--manifest-url`) the kubelet fetches pod manifests over HTTP(S) and runs them as static pods, re-reading the URL every few seconds. Whoever controls that URL — or, over plain HTTP, anyone on the path to it — runs any pod on the node, privileged and with host mounts included, and no admission control or Pod Security stops it: the API server only ever sees a mirror pod, and only if its namespace exists.',
    remediation: 'Remove `staticPodURL` (and `--manifest-url`) from the kubelet configuration; deploy node agents as DaemonSets through the API server so admission applies. If it is really needed, serve it over HTTPS from a host only administrators control.',
    references: ['https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/', 'https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/'],
    frameworks: { mitre: ['T1610'] },
    messages: { url: '{{subject}} runs the pods it fetches from {{url}}: whoever controls that URL runs pods on the node, outside admission control' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodURL: http://config.internal.example/pods.yaml`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: /etc/kubernetes/manifests`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodURL: ""`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const url = kubelet.staticPodURL(k);
      if (url.value !== '') context.report({ node: reportNode(k), messageId: 'url', at: url.at, evidence: url.shown, data: { subject: subject(k), url: url.value } });
    });
  },
});
