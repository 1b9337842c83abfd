import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString, type JsonObject } from '../../core/json.js';
import { canonicalName, parseImageRef } from '../image-ref.js';
import { MITRE, NSA } from '../references.js';
import { commandWords } from './consoles.js';

const HELM_V2_DOCS = 'https://helm.sh/blog/helm-v2-deprecation-timeline/';
const TILLER_SECURITY = 'https://v2.helm.sh/docs/securing_installation/';

/** Where Tiller's image was published. */
const TILLER_IMAGES = new Set(['gcr.io/kubernetes-helm/tiller', 'ghcr.io/helm/tiller', 'docker.io/helm/tiller']);

/** Tiller checks client certificates only with --tls-verify (or TILLER_TLS_VERIFY=1). */
function verifiesClients(container: JsonObject): boolean {
  if (commandWords(container).some((w) => /^--tls-verify(?:=true)?$/.test(w.word))) return true;
  return asArray(container.env).some((e) => {
    const env = asObject(e);
    return asString(env?.name) === 'TILLER_TLS_VERIFY' && asString(env?.value) === '1';
  });
}

export default defineRule({
  meta: {
    id: 'KM-CO-002',
    title: 'Helm v2 Tiller deployed',
    severity: 'critical',
    door: 'console',
    description:
      'Tiller, the in-cluster half of Helm v2, installs whatever chart it is sent on its gRPC port 44134, usually with cluster-admin rights. ' +
      'Without `--tls-verify` it asks no one who they are: any pod that can reach the port (every pod, without NetworkPolicy) can deploy a privileged pod or read every release\'s secrets, and `helm --host` makes that one command. ' +
      'Helm v2 has had no fixes since November 2020. Critical without client verification, high with it; medium when `--listen` keeps it on the pod\'s loopback, where only a port-forward (pods/portforward) reaches it.',
    remediation: 'Migrate the releases to Helm 3 (`helm-2to3`), which has no in-cluster component, and delete the tiller-deploy Deployment, its Service and its ServiceAccount binding.',
    references: [HELM_V2_DOCS, TILLER_SECURITY],
    frameworks: { nsa: [NSA.rbac], mitre: [MITRE.deployContainer, MITRE.exploitPublicFacingApplication] },
    messages: {
      local: '{{container}} in {{resource}} runs Helm v2 Tiller listening on `{{listen}}` only: whoever may port-forward to it installs what they like with Tiller\'s rights, and Helm v2 has had no security fixes since 2020',
      open: '{{container}} in {{resource}} runs Helm v2 Tiller without client certificate verification: any pod that reaches port 44134 installs what it likes with Tiller\'s rights',
      verified: '{{container}} in {{resource}} runs Helm v2 Tiller, which has had no security fixes since 2020',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: tiller-deploy, namespace: kube-system, labels: {app: helm, name: tiller}}
spec:
  selector: {matchLabels: {app: helm, name: tiller}}
  template:
    metadata: {labels: {app: helm, name: tiller}}
    spec:
      serviceAccountName: tiller
      containers:
        - name: tiller
          image: gcr.io/kubernetes-helm/tiller:v2.16.12
          ports: [{containerPort: 44134, name: tiller}]`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "registry.example.com/helm-docs:3.15"}]`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (c.containerKind !== 'container') return;
        const image = asString(c.container.image);
        const ref = image === undefined ? undefined : parseImageRef(image);
        if (ref === undefined || !TILLER_IMAGES.has(canonicalName(ref))) return;
        const verified = verifiesClients(c.container);
        const listen = commandWords(c.container).find((w) => w.word.startsWith('--listen='));
        const address = listen?.word.slice('--listen='.length) ?? '';
        if (listen !== undefined && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]):/.test(address)) {
          context.report({ node: c, messageId: 'local', data: { listen: address }, at: [listen.field, listen.index], evidence: `image: ${image}, ${listen.word}`, severity: 'medium' });
          return;
        }
        context.report({ node: c, messageId: verified ? 'verified' : 'open', at: ['image'], evidence: `image: ${image}`, severity: verified ? 'high' : 'critical' });
      },
    };
  },
});
