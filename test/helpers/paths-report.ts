// A realistic attack-path report for the reporters' tests, built the way `kubemoat paths` reports one:
// an unauthenticated caller runs a command in a privileged DaemonSet through the anonymous kubelet on
// worker-1 (KM-EX-002, with the node report's KM-KL-001 behind the same door), escapes to the node
// (KM-WL-001), or takes the pod's service-account token (KM-WL-023, accepted with a reason) that is
// bound to cluster-admin (KM-RB-001); and any pod of an unguarded namespace reads the node's cloud
// credentials from the metadata endpoint (KM-NP-005). As the builder does, a path to node root ends
// at the node's vertex.

import type { AttackPath, Door, Edge, PathStep, PathsReport, StepFinding, Vertex } from '../../src/paths/model.js';

export const NETWORK = 'entry:network';
export const LOG_SHIPPER = 'workload:DaemonSet/monitoring/log-shipper';
export const STOREFRONT = 'workload:Deployment/shop/storefront';
export const SHIPPER_SA = 'identity:ServiceAccount/monitoring/log-shipper';
export const WORKER_1 = 'node:worker-1';
export const CLUSTER_ADMIN = 'asset:cluster-admin';
export const CLOUD = 'asset:cloud-credentials';

const kubeletRun: StepFinding = {
  ruleId: 'KM-EX-002',
  severity: 'critical',
  title: 'Kubelet runs commands for anyone',
  fingerprint: '3f2a9c01d4e5b6a7',
  message: 'The kubelet on 10.0.0.11:10250 let an anonymous POST /run through authentication and authorization (404 "pod does not exist")',
  remediation: 'Turn off anonymous authentication on the kubelet (authentication.anonymous.enabled: false), use authorization.mode: Webhook, and firewall port 10250 to the control plane.',
  endpoint: { host: '10.0.0.11', port: 10250 },
  evidence: 'POST /run/kubemoat-probe-nonexistent/kubemoat-probe-1/c -> 404 pod does not exist',
};

const kubeletAnonymous: StepFinding = {
  ruleId: 'KM-KL-001',
  severity: 'critical',
  title: 'Kubelet accepts anonymous requests',
  fingerprint: '77aa0c3d5e1f2b90',
  message: 'The kubelet on worker-1 runs with authentication.anonymous.enabled: true',
  remediation: 'Set authentication.anonymous.enabled: false in the kubelet configuration and restart the kubelet.',
  location: { file: '/var/lib/kubelet/config.yaml', line: 4, column: 5 },
  evidence: 'authentication.anonymous.enabled: true',
};

const privileged: StepFinding = {
  ruleId: 'KM-WL-001',
  severity: 'critical',
  title: 'Privileged container',
  fingerprint: '9b1e77c2a0f3d845',
  message: 'Container "shipper" of DaemonSet monitoring/log-shipper runs privileged: it sees every device of the node',
  remediation: 'Remove securityContext.privileged; grant only the capabilities the container needs.',
  resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'log-shipper', container: 'shipper' },
  location: { file: 'deploy/monitoring/log-shipper.yaml', line: 31, column: 13 },
  evidence: 'securityContext.privileged: true',
};

const tokenMounted: StepFinding = {
  ruleId: 'KM-WL-023',
  severity: 'low',
  title: 'Service account token automounted',
  fingerprint: 'c04d5e6f7a8b9c10',
  message: 'Pods of DaemonSet monitoring/log-shipper mount the token of service account log-shipper',
  remediation: 'Set automountServiceAccountToken: false on the pod spec or the service account unless the pod calls the API server.',
  resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'log-shipper' },
  location: { file: 'deploy/monitoring/log-shipper.yaml', line: 18, column: 7 },
  suppressed: 'the shipper lists pods through the API server (reviewed 2026-11)',
};

const clusterAdminBinding: StepFinding = {
  ruleId: 'KM-RB-001',
  severity: 'critical',
  title: 'Binding grants cluster-admin',
  fingerprint: '5a6b7c8d9e0f1a2b',
  message: 'ClusterRoleBinding log-shipper-admin binds cluster-admin to ServiceAccount monitoring/log-shipper',
  remediation: 'Bind a role that grants only what the log shipper reads (get/list/watch pods and namespaces).',
  resource: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: 'log-shipper-admin' },
  location: { file: 'deploy/monitoring/rbac.yaml', line: 9, column: 3 },
  evidence: 'roleRef: ClusterRole/cluster-admin; subjects: ServiceAccount monitoring/log-shipper',
};

const metadataReachable: StepFinding = {
  ruleId: 'KM-NP-005',
  severity: 'medium',
  title: 'Workload can reach the cloud metadata endpoint',
  fingerprint: 'e1f2a3b4c5d6e7f8',
  message: 'No NetworkPolicy in namespace shop blocks egress from Deployment shop/storefront to 169.254.169.254',
  remediation: 'Add an egress NetworkPolicy in namespace shop that allows only what storefront needs and excludes 169.254.169.254/32.',
  resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'storefront' },
  location: { file: 'deploy/shop/storefront.yaml', line: 1, column: 1 },
  evidence: 'namespace shop: 0 NetworkPolicies with egress rules',
};

const vertices: Vertex[] = [
  { type: 'entry', id: NETWORK, label: 'unauthenticated network caller', entry: 'network' },
  {
    type: 'workload',
    id: LOG_SHIPPER,
    label: 'DaemonSet monitoring/log-shipper',
    resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'log-shipper' },
    nodes: ['worker-1'],
    serviceAccount: 'log-shipper',
  },
  {
    type: 'workload',
    id: STOREFRONT,
    label: 'Deployment shop/storefront',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'storefront' },
    nodes: ['worker-1', 'worker-2'],
    serviceAccount: 'default',
  },
  { type: 'identity', id: SHIPPER_SA, label: 'ServiceAccount monitoring/log-shipper', subject: { kind: 'ServiceAccount', namespace: 'monitoring', name: 'log-shipper' } },
  { type: 'node', id: WORKER_1, label: 'root on worker-1', node: 'worker-1' },
  { type: 'asset', id: CLUSTER_ADMIN, label: 'cluster-admin', asset: 'cluster-admin' },
  { type: 'asset', id: CLOUD, label: 'cloud credentials', asset: 'cloud-credentials' },
];

function step(from: string, to: string, technique: PathStep['technique'], action: string, findings: StepFinding[], observed?: PathStep['observed']): PathStep {
  return observed ? { from, to, technique, action, findings, observed } : { from, to, technique, action, findings };
}

const execThroughKubelet = step(NETWORK, LOG_SHIPPER, 'kubelet-exec', 'run a command in log-shipper through the anonymous kubelet on worker-1', [kubeletRun, kubeletAnonymous]);

const paths: AttackPath[] = [
  {
    id: 'network>node-root:3f2a9c01d4e5b6a7.9b1e77c2a0f3d845',
    from: 'network',
    start: NETWORK,
    to: 'node-root',
    target: WORKER_1,
    length: 2,
    steps: [
      { ...execThroughKubelet, observed: [{ ruleId: 'KM-DT-004', at: '2026-12-07T09:12:44Z', summary: 'exec into monitoring/log-shipper-7xk2p through the kubelet, no API-server audit' }] },
      step(LOG_SHIPPER, WORKER_1, 'container-escape', 'escape the privileged container to root on worker-1', [privileged], [
        { ruleId: 'KM-RT-002', at: '2026-12-07T09:13:02Z', summary: 'nsenter --target 1 --mount in container shipper on worker-1' },
      ]),
    ],
    observed: 'happening',
  },
  {
    id: 'network>cluster-admin:3f2a9c01d4e5b6a7.c04d5e6f7a8b9c10.5a6b7c8d9e0f1a2b',
    from: 'network',
    start: NETWORK,
    to: 'cluster-admin',
    target: CLUSTER_ADMIN,
    length: 3,
    steps: [
      execThroughKubelet,
      step(LOG_SHIPPER, SHIPPER_SA, 'token-theft', 'read the token of service account log-shipper mounted in the pod', [tokenMounted]),
      step(SHIPPER_SA, CLUSTER_ADMIN, 'rbac', 'act as cluster-admin with the token (ClusterRoleBinding log-shipper-admin)', [clusterAdminBinding]),
    ],
    observed: 'no',
  },
  {
    id: 'any-pod>cloud-credentials:e1f2a3b4c5d6e7f8',
    from: 'any-pod',
    start: STOREFRONT,
    to: 'cloud-credentials',
    target: CLOUD,
    length: 1,
    steps: [step(STOREFRONT, CLOUD, 'metadata', 'read the node role\'s cloud keys from 169.254.169.254 in a storefront pod', [metadataReachable])],
    observed: 'no',
  },
];

/** The graph's edges: each distinct step once, with its findings as fingerprints. */
function edgesOf(ps: readonly AttackPath[]): Edge[] {
  const byKey = new Map<string, Edge>();
  for (const p of ps) {
    for (const s of p.steps) {
      const key = `${s.from}|${s.to}|${s.technique}`;
      if (!byKey.has(key)) byKey.set(key, { from: s.from, to: s.to, technique: s.technique, action: s.action, findings: s.findings.map((f) => f.fingerprint) });
    }
  }
  return [...byKey.values()];
}

function door(f: StepFinding, onPaths: number, cuts: number, also: StepFinding[] = []): Door {
  const { ruleId, title, severity, remediation, fingerprint, resource, location, endpoint } = f;
  const d: Door = { fingerprint, ruleId, title, severity, remediation, resource, location, endpoint, paths: onPaths, cuts };
  return also.length ? { ...d, also: also.map((a) => a.fingerprint) } : d;
}

/** A fresh copy each call, so a test may change it (a hostile name, more paths) without touching another's. */
export function pathsReportFixture(): PathsReport {
  const report: PathsReport = {
    schemaVersion: '1',
    tool: 'kubemoat',
    version: '0.1.0',
    startedAt: '2026-12-07T09:30:00Z',
    target: { type: 'cluster', context: 'kind-shop' },
    evidence: [
      { source: 'cluster', what: 'context kind-shop', findings: 41 },
      { source: 'probe', what: 'API server and 2 kubelets from the kubeconfig', findings: 3 },
      { source: 'store', what: 'runtime and audit alerts of the last 24 h', findings: 2 },
    ],
    doors: [door(kubeletRun, 2, 2, [kubeletAnonymous]), door(privileged, 1, 1), door(tokenMounted, 1, 1), door(clusterAdminBinding, 1, 1), door(metadataReachable, 1, 1)],
    paths,
    graph: { vertices, edges: edgesOf(paths) },
    summary: {
      vertices: vertices.length,
      edges: edgesOf(paths).length,
      paths: paths.length,
      pairs: 3,
      byEntry: { network: 2, 'any-pod': 1 },
      byAsset: { 'node-root': 1, 'cluster-admin': 1, 'cloud-credentials': 1 },
      findingsUsed: 6,
    },
    coverage: [{ target: 'node worker-2', reason: 'no node report given (--node-report)', severity: 'warning' }],
  };
  return structuredClone(report);
}

/**
 * The fixture with `extra` more network paths, each through its own workload to root on one of 7 nodes:
 * a report as large as a big cluster gives, for the "draw the top N, list all" behaviour.
 */
export function manyPathsReport(extra: number): PathsReport {
  const report = pathsReportFixture();
  for (let i = 0; i < extra; i++) {
    const workload = `workload:Deployment/team-${i}/api-${i}`;
    const node = `node:worker-${10 + (i % 7)}`;
    const fp = (n: number) => `${(0x10000000 + i * 16 + n).toString(16)}00000000`;
    report.graph.vertices.push({
      type: 'workload',
      id: workload,
      label: `Deployment team-${i}/api-${i}`,
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: `team-${i}`, name: `api-${i}` },
      nodes: [node.slice('node:'.length)],
    });
    if (!report.graph.vertices.some((v) => v.id === node)) report.graph.vertices.push({ type: 'node', id: node, label: `root on ${node.slice('node:'.length)}`, node: node.slice('node:'.length) });
    const exec: StepFinding = { ...kubeletRun, fingerprint: fp(1), message: `The kubelet of ${node.slice('node:'.length)} runs commands for anyone` };
    const escape: StepFinding = { ...privileged, fingerprint: fp(2), message: `Container "api" of Deployment team-${i}/api-${i} runs privileged`, resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: `team-${i}`, name: `api-${i}`, container: 'api' } };
    const steps: PathStep[] = [
      step(NETWORK, workload, 'kubelet-exec', `run a command in api-${i} through the kubelet`, [exec]),
      step(workload, node, 'container-escape', `escape api-${i} to its node`, [escape]),
    ];
    report.paths.push({ id: `network>node-root:${fp(1)}.${fp(2)}`, from: 'network', start: NETWORK, to: 'node-root', target: node, length: 2, steps, observed: 'no' });
  }
  report.graph.edges = edgesOf(report.paths);
  report.summary = { ...report.summary, vertices: report.graph.vertices.length, edges: report.graph.edges.length, paths: report.paths.length, byEntry: { ...report.summary.byEntry, network: (report.summary.byEntry.network ?? 0) + extra }, byAsset: { ...report.summary.byAsset, 'node-root': (report.summary.byAsset['node-root'] ?? 0) + extra }, findingsUsed: report.summary.findingsUsed + 2 * extra };
  return report;
}
