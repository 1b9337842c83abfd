import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString } from '../../core/json.js';
import { commandWords } from '../exposure/consoles.js';
import { DOCS, MITRE, NSA } from '../references.js';

const METRICS_SERVER_FLAGS = 'https://github.com/kubernetes-sigs/metrics-server#configuration';

/** Flags that turn certificate verification off, with what then goes unverified (facts from each tool's flag reference). */
const FLAGS: Record<string, string> = {
  '--kubelet-insecure-tls': "the kubelets' serving certificates (metrics-server, prometheus-adapter): a rogue endpoint at a node address gets its service account token and feeds the autoscalers",
  '--insecure-skip-tls-verify': 'the API server or registry it talks to (kubectl, helm, argocd): whoever sits on the path gets its credentials',
  '--insecure-skip-verify': 'the servers it talks to',
  '--tls-insecure-skip-verify': 'the servers it talks to',
  '--tls-skip-verify': 'the servers it talks to',
  '--skip-tls-verify': 'the registry it pushes to or pulls from (kaniko) or the server it talks to',
  '--skip-tls-verify-pull': 'the registry it pulls base images from (kaniko)',
  '--insecure-tls': 'the servers it talks to',
};

/** `--tls-verify=false` (podman, buildah, skopeo and their --src-/--dest- forms) says the opposite way. */
const VERIFY_FALSE = /^--(?:src-|dest-)?tls-verify=false$/i;

/** Environment variables that turn verification off in a language runtime or tool. */
const ENV: Record<string, { off: RegExp; what: string }> = {
  NODE_TLS_REJECT_UNAUTHORIZED: { off: /^0$/, what: 'every HTTPS connection of the Node.js process' },
  GIT_SSL_NO_VERIFY: { off: /^(?:1|true|yes)$/i, what: 'the Git servers it clones from' },
  PYTHONHTTPSVERIFY: { off: /^0$/, what: 'HTTPS connections of the Python standard library' },
  HELM_KUBEINSECURE_SKIP_TLS_VERIFY: { off: /^(?:1|true)$/i, what: "the API server's certificate (helm)" },
};

function flagOff(word: string): { flag: string; what: string } | undefined {
  if (VERIFY_FALSE.test(word)) return { flag: word, what: 'the registry it talks to' };
  const [flag, value] = word.split('=', 2);
  const what = FLAGS[flag];
  if (what === undefined) return undefined;
  // `--kubelet-insecure-tls=false` keeps verification on
  if (value !== undefined && !/^(?:true|1)$/i.test(value)) return undefined;
  return { flag: word, what };
}

export default defineRule({
  meta: {
    id: 'KM-WL-025',
    title: 'Container turns off TLS certificate verification',
    severity: 'medium',
    door: 'workload',
    description:
      'A flag such as metrics-server\'s `--kubelet-insecure-tls`, `--insecure-skip-tls-verify` (kubectl, helm, argocd), kaniko\'s `--skip-tls-verify`, podman\'s `--tls-verify=false`, or an environment variable such as `NODE_TLS_REJECT_UNAUTHORIZED=0` ' +
      'makes the container accept any certificate. Anyone who can answer in the server\'s place (ARP or DNS spoofing on the node network, a rogue pod behind a Service name, a compromised node) then reads the credentials the container sends and forges the answers it trusts: metrics that drive the autoscalers, images that get deployed, API responses.',
    remediation:
      'Give the container the CA that signs the server (metrics-server: `--kubelet-certificate-authority`, or kubelets with serving certificates signed by the cluster CA, `serverTLSBootstrap: true`); for other tools mount the CA bundle and point the tool at it. Remove the flag or variable.',
    references: [METRICS_SERVER_FLAGS, DOCS.securityContext],
    frameworks: { nsa: [NSA.controlPlane], mitre: [MITRE.unsecuredCredentials] },
    notForControlPlane: true,
    messages: {
      flag: '{{container}} in {{resource}} runs with `{{flag}}`: it does not verify {{what}}',
      env: '{{container}} in {{resource}} sets {{name}}={{value}}: it does not verify {{what}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-server, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: metrics-server}}
  template:
    metadata: {labels: {k8s-app: metrics-server}}
    spec:
      containers:
        - name: metrics-server
          image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
          args: [--cert-dir=/tmp, --secure-port=10250, --kubelet-insecure-tls]`,
      `apiVersion: batch/v1
kind: Job
metadata: {name: notify, namespace: ops}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: notify
          image: node:22-alpine
          env: [{name: NODE_TLS_REJECT_UNAUTHORIZED, value: "0"}]`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-server, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: metrics-server}}
  template:
    metadata: {labels: {k8s-app: metrics-server}}
    spec:
      containers:
        - name: metrics-server
          image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
          args: [--cert-dir=/tmp, --kubelet-insecure-tls=false, --kubelet-preferred-address-types=InternalIP]
          env: [{name: NODE_TLS_REJECT_UNAUTHORIZED, value: "1"}]`,
    ],
  },
  create(context) {
    return {
      container(c) {
        for (const w of commandWords(c.container)) {
          const off = flagOff(w.word);
          if (off !== undefined) {
            context.report({ node: c, messageId: 'flag', data: off, at: [w.field, w.index], evidence: `${w.field}: ${off.flag}` });
            break;
          }
        }
        asArray(c.container.env).forEach((item, i) => {
          const env = asObject(item);
          const name = asString(env?.name);
          const value = asString(env?.value);
          const known = name === undefined ? undefined : ENV[name];
          if (known === undefined || value === undefined || !known.off.test(value.trim())) return;
          context.report({ node: c, messageId: 'env', data: { name: name ?? '', value, what: known.what }, at: ['env', i, 'value'], evidence: `env ${name}=${value}` });
        });
      },
    };
  },
});
