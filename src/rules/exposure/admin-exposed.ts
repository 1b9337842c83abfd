import type { Severity } from '../../core/finding.js';
import { defineRule, type Report } from '../../core/rule.js';
import { asArray, asNumber, asObject, type Path } from '../../core/json.js';
import { describeObject, type KubeObject, type PodSpecNode } from '../../inventory/objects.js';
import { exposureOf, podIndex, resolveTargetPort, selectedPods, serviceSelector, type Exposure, type PodIndex } from './services.js';
import { parseImageRef, repositoryName } from '../image-ref.js';
import { commandWords, consoleOfContainer, consoleOfLabels, type Console } from './consoles.js';

const MITRE_EXTERNAL_REMOTE_SERVICES = 'T1133';
const MITRE_EXPLOIT_PUBLIC_FACING = 'T1190';
const NSA_CONTROL_PLANE = 'NSA-CISA Network separation: control plane hardening';
const NSA_NETWORK_POLICIES = 'NSA-CISA Network separation: network policies';
const DOCS_SERVICES = 'https://kubernetes.io/docs/concepts/services-networking/service/';
const DOCS_PORTS = 'https://kubernetes.io/docs/reference/networking/ports-and-protocols/';

/** Ports of the control plane, the kubelet, etcd and the Docker API, by the component that listens on them. */
const CONTROL_PORTS: Record<number, { component: string; severity: Severity }> = {
  6443: { component: 'Kubernetes API server', severity: 'critical' },
  2379: { component: 'etcd client API', severity: 'critical' },
  2380: { component: 'etcd peer API', severity: 'critical' },
  10250: { component: 'kubelet API', severity: 'critical' },
  10255: { component: 'kubelet read-only API', severity: 'critical' },
  2375: { component: 'Docker API without TLS', severity: 'critical' },
  2376: { component: 'Docker API', severity: 'high' },
  10257: { component: 'kube-controller-manager', severity: 'high' },
  10259: { component: 'kube-scheduler', severity: 'high' },
  8001: { component: 'kubectl proxy', severity: 'critical' },
};

/** Well-known workloads that listen on one of those ports for something else. */
const OTHER_USES: Record<number, (pods: PodSpecNode[]) => boolean> = {
  // metrics-server serves on 10250 inside its own pod
  10250: (pods) => pods.some((p) => p.containers.some((c) => /^metrics-server(?:-[a-z0-9]+)?$/.test(imageName(c.container.image)))),
  // 8001 is common; it is `kubectl proxy` only when the pod runs one
  8001: (pods) => !pods.some((p) => p.containers.some((c) => {
    const words = commandWords(c.container).map((w) => w.word);
    return (imageName(c.container.image) === 'kubectl' || words.some((w) => /(?:^|\/)kubectl$/.test(w))) && words.includes('proxy');
  })),
};

function imageName(image: unknown): string {
  const ref = typeof image === 'string' ? parseImageRef(image) : undefined;
  return ref === undefined ? '' : repositoryName(ref);
}

const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
const lower = (s: Severity): Severity => SEVERITIES[Math.max(0, SEVERITIES.indexOf(s) - 1)];
const worst = (a: Severity, b: Severity): Severity => (SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b);

export default defineRule({
  meta: {
    id: 'KM-SV-001',
    title: 'Admin console or control-plane port exposed outside the cluster',
    severity: 'high',
    door: 'exposure',
    description:
      'A Service of type NodePort or LoadBalancer, or one with externalIPs, is reachable from outside the cluster. In front of an admin ' +
      'console it hands the cluster to whoever finds it: the Tesla attackers found a Kubernetes Dashboard with no password, and Weave ' +
      'Scope and kube-ops-view have no login at all. In front of the API server, etcd, the kubelet, the Docker API or `kubectl proxy` it ' +
      'puts the cluster\'s own control ports on the network. The console is recognised from the images of the workloads the Service ' +
      'selects in the same namespace (or, when they are not in the input, from the app labels it selects); ports are read from `port` and ' +
      '`targetPort`, with named target ports resolved. Severity: critical for the Kubernetes Dashboard, Weave Scope, etcd, the kubelet, the ' +
      'API server, the plain Docker API and `kubectl proxy`; high for other consoles and control-plane ports; medium for Grafana, Prometheus ' +
      'and Alertmanager UIs; one step lower for an internal load balancer or one limited by loadBalancerSourceRanges.',
    remediation:
      'Make the Service ClusterIP and reach the console through `kubectl port-forward`, or through an Ingress behind single sign-on (oauth2-proxy, ' +
      'an identity-aware proxy). Never expose etcd, kubelet or Docker API ports; reach the API server through its own endpoint with authentication. ' +
      'If a load balancer is required, make it internal and set `loadBalancerSourceRanges`.',
    references: [DOCS_SERVICES, DOCS_PORTS, 'https://kubernetes.io/docs/tasks/access-application-cluster/web-ui-dashboard/'],
    frameworks: { nsa: [NSA_CONTROL_PLANE, NSA_NETWORK_POLICIES], mitre: [MITRE_EXTERNAL_REMOTE_SERVICES, MITRE_EXPLOIT_PUBLIC_FACING] },
    messages: {
      console: '{{resource}} exposes {{console}} ({{workload}}) outside the cluster through {{how}}: {{why}}',
      port: '{{resource}} exposes port {{port}} ({{component}}) outside the cluster through {{how}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  selector:
    matchLabels: {k8s-app: kubernetes-dashboard}
  template:
    metadata:
      labels: {k8s-app: kubernetes-dashboard}
    spec:
      containers:
        - name: kubernetes-dashboard
          image: kubernetesui/dashboard:v2.7.0
---
apiVersion: v1
kind: Service
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  type: NodePort
  selector: {k8s-app: kubernetes-dashboard}
  ports:
    - {port: 443, targetPort: 8443, nodePort: 30443}`,
      `apiVersion: v1
kind: Service
metadata: {name: etcd-public, namespace: kube-system}
spec:
  type: LoadBalancer
  selector: {component: etcd}
  ports:
    - {name: client, port: 2379}`,
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: dind, namespace: ci}
spec:
  selector:
    matchLabels: {app: dind}
  template:
    metadata:
      labels: {app: dind}
    spec:
      containers:
        - name: docker
          image: docker:27-dind
          ports:
            - {name: docker, containerPort: 2375}
---
apiVersion: v1
kind: Service
metadata: {name: dind, namespace: ci}
spec:
  selector: {app: dind}
  externalIPs: [203.0.113.10]
  ports:
    - {port: 80, targetPort: docker}`,
      `apiVersion: v1
kind: Service
metadata: {name: scope, namespace: weave}
spec:
  type: LoadBalancer
  selector: {name: weave-scope-app}
  ports:
    - {port: 80, targetPort: 4040}`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  selector:
    matchLabels: {k8s-app: kubernetes-dashboard}
  template:
    metadata:
      labels: {k8s-app: kubernetes-dashboard}
    spec:
      containers:
        - {name: kubernetes-dashboard, image: "kubernetesui/dashboard:v2.7.0"}
---
apiVersion: v1
kind: Service
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  selector: {k8s-app: kubernetes-dashboard}
  ports:
    - {port: 443, targetPort: 8443}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: shop}
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - {name: web, image: "registry.example.com/shop:1.0"}
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: shop}
  ports:
    - {port: 443, targetPort: 8443}
---
apiVersion: v1
kind: Service
metadata: {name: status-board, namespace: tools}
spec:
  type: NodePort
  selector: {k8s-app: kubernetes-dashboard}
  ports:
    - {port: 443, targetPort: 8443}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: status-board, namespace: tools}
spec:
  selector:
    matchLabels: {k8s-app: kubernetes-dashboard}
  template:
    metadata:
      labels: {k8s-app: kubernetes-dashboard}
    spec:
      containers:
        - {name: web, image: "registry.example.com/not-a-console:1.0"}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-server, namespace: kube-system}
spec:
  selector:
    matchLabels: {k8s-app: metrics-server}
  template:
    metadata:
      labels: {k8s-app: metrics-server}
    spec:
      containers:
        - name: metrics-server
          image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
          ports:
            - {name: https, containerPort: 10250}
---
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec:
  type: NodePort
  selector: {k8s-app: metrics-server}
  ports:
    - {port: 443, targetPort: https}
---
apiVersion: v1
kind: Service
metadata: {name: api-docs, namespace: docs}
spec:
  type: NodePort
  selector: {app: api-docs}
  ports:
    - {port: 8001}`,
    ],
  },
  create(context) {
    let index: PodIndex | undefined;
    return {
      kinds: {
        Service(o) {
          const exposure = exposureOf(o);
          if (exposure === undefined) return;
          index ??= podIndex(context.inventory.podSpecs);
          for (const hit of adminExposures(o, exposure, selectedPods(index, o, serviceSelector(o)))) context.report({ node: o, ...hit });
        },
      },
    };
  },
});

export type AdminExposure = Pick<Report, 'messageId' | 'data' | 'at' | 'severity'>;

/** What KM-SV-001 reports on an exposed Service: the console behind it and the control ports it opens (KM-SV-003 stays silent on these). */
export function adminExposures(o: KubeObject, exposure: Exposure, pods: PodSpecNode[]): AdminExposure[] {
  const hits: AdminExposure[] = [];
  const spec = asObject(o.raw.spec) ?? {};
  const labels = serviceSelector(o);
  const adjust = (s: Severity): Severity => (exposure.restricted ? lower(s) : s);

  // the console behind the Service
  let found: { console: Console; workload: string } | undefined;
  for (const p of pods) {
    for (const c of p.containers) {
      if (c.containerKind !== 'container') continue;
      const console = consoleOfContainer(c.container);
      if (console !== undefined && (found === undefined || worst(console.severity, found.console.severity) !== found.console.severity)) {
        found = { console, workload: describeObject(p.object) };
      }
    }
  }
  if (found === undefined && pods.length === 0) {
    const console = consoleOfLabels(labels);
    if (console !== undefined) found = { console, workload: `selected by ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}` };
  }
  if (found !== undefined) {
    hits.push({
      messageId: 'console',
      data: { console: found.console.name, workload: found.workload, how: exposure.how, why: found.console.why },
      at: exposure.at,
      severity: adjust(found.console.severity),
    });
  }

  // control-plane, kubelet, etcd and Docker ports
  asArray(spec.ports).forEach((item, i) => {
    const port = asObject(item);
    if (port === undefined) return;
    const number = asNumber(port.port);
    const rawTarget = port.targetPort;
    const target = rawTarget === undefined ? number : resolveTargetPort(rawTarget, pods);
    const candidates: [number | undefined, string][] = [[number, 'port'], [target, 'targetPort']];
    for (const [n, field] of candidates) {
      if (n === undefined) continue;
      const known = CONTROL_PORTS[n];
      if (known === undefined) continue;
      const otherUse = OTHER_USES[n];
      if (otherUse !== undefined && otherUse(pods)) continue;
      const at: Path = field === 'targetPort' && rawTarget === undefined ? ['spec', 'ports', i, 'port'] : ['spec', 'ports', i, field];
      hits.push({ messageId: 'port', data: { port: n, component: known.component, how: exposure.how }, at, severity: adjust(known.severity) });
      break;
    }
  });
  return hits;
}
