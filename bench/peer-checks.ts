// The peers' own test fixtures against kubemoat (issue 18): for each peer check that has a
// counterpart in kubemoat, does kubemoat report on the fixtures the peer fails, and stay silent on
// the ones it passes? Checks without a counterpart are listed with why (a deliberate difference, or
// the RBAC part of the issue, which another change covers). Fixtures are read from git mirrors
// outside the repository, pinned by commit, never copied in; docs/peer-checks.md records a run.
//
//   npx tsc -p tsconfig.json
//   node dist/bench/peer-checks.js [--mirrors /work/.mirror] [--markdown] [--disagreements]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EMPTY_CONFIG } from '../src/core/config.js';
import { scanManifests } from '../src/core/pipeline.js';
import { catalogue } from '../src/rules/catalogue.js';

type Peer = 'checkov' | 'kube-score' | 'polaris' | 'kubescape';

interface PeerSource {
  peer: Peer;
  repo: string;
  commit: string;
  /** pathspecs of the fixtures */
  paths: string[];
}

export const SOURCES: readonly PeerSource[] = [
  { peer: 'checkov', repo: 'bridgecrewio/checkov', commit: '03d5fdad8d6154b1565799a7b1fb8070c158866f', paths: ['tests/kubernetes/checks/example_*'] },
  { peer: 'polaris', repo: 'FairwindsOps/polaris', commit: 'c0e23a233b2087272a7f524f1b922f4e3f2f9689', paths: ['test/checks'] },
  { peer: 'kube-score', repo: 'zegl/kube-score', commit: '06dedc9ccce58bff50a4f42a3ce0633dc72b0dfa', paths: ['score'] },
  { peer: 'kubescape', repo: 'kubescape/regolibrary', commit: 'ce7ef32aef7a7d272016c3f0d1105c60d6b266fb', paths: ['rules/*/test/*'] },
];

/** A peer check: the kubemoat rules that answer it, or why none does. */
type Answer = { rules: string[] } | { out: string };

const RBAC = { out: 'RBAC: the other half of issue 18 (KM-RB rules), compared there' };
const REMOVED_PSP = { out: 'PodSecurityPolicy was removed in Kubernetes 1.25; kubemoat judges Pod Security Admission (KM-NS-001) instead' };
const RELIABILITY = { out: 'reliability, not a door (probes, replicas, disruption budgets, anti-affinity): kubemoat reports doors attackers use' };
const HYGIENE = { out: 'hygiene without a security consequence (labels, selectors that match, dangling references)' };
const CLOUD = { out: 'cloud-provider or node-host posture that manifests do not show (kubemoat node and cluster judge the node)' };
const DEFAULT_NS_OBJECT = { out: 'a non-workload object in the default namespace: no door (kubemoat reports workloads there, KM-WL-024)' };

/** Checkov checks, by the name of their fixture directory (example_<name>). */
const CHECKOV: Record<string, Answer> = {
  AllowPrivilegeEscalation: { rules: ['KM-WL-011'] },
  AllowedCapabilities: { rules: ['KM-WL-009'] },
  AllowedCapabilitiesSysAdmin: { rules: ['KM-WL-009'] },
  ApiServerAdmissionControlAlwaysAdmit: { rules: ['KM-CP-007'] },
  ApiServerAdmissionControlEventRateLimit: { out: 'EventRateLimit guards the API server against event floods: availability, not a door' },
  ApiServerAlwaysPullImagesPlugin: { out: 'AlwaysPullImages matters where tenants share nodes and private images; CIS marks it manual, kubemoat does not require it' },
  ApiServerAnonymousAuth: { rules: ['KM-CP-001'] },
  ApiServerAuditLog: { rules: ['KM-CP-011'] },
  ApiServerAuditLogMaxAge: { rules: ['KM-CP-012'] },
  ApiServerAuditLogMaxBackup: { rules: ['KM-CP-012'] },
  ApiServerAuditLogMaxSize: { rules: ['KM-CP-012'] },
  ApiServerAuthorizationModeNode: { rules: ['KM-CP-003'] },
  ApiServerAuthorizationModeNotAlwaysAllow: { rules: ['KM-CP-002'] },
  ApiServerAuthorizationModeRBAC: { rules: ['KM-CP-003'] },
  ApiServerBasicAuthFile: { rules: ['KM-CP-005'] },
  ApiServerEncryptionProviders: { rules: ['KM-CP-015'] },
  ApiServerEtcdCaFile: { rules: ['KM-CP-013'] },
  ApiServerEtcdCertAndKey: { rules: ['KM-CP-013'] },
  ApiServerInsecureBindAddress: { rules: ['KM-CP-004'] },
  ApiServerInsecurePort: { rules: ['KM-CP-004'] },
  ApiServerKubeletClientCertAndKey: { rules: ['KM-CP-006'] },
  ApiServerKubeletHttps: { out: '`--kubelet-https=false` never gave plain HTTP (kubelets serve only HTTPS since before 1.0); the flag was deprecated in 1.19 and removed in 1.22' },
  ApiServerNamespaceLifecyclePlugin: { rules: ['KM-CP-009'] },
  ApiServerNodeRestrictionPlugin: { rules: ['KM-CP-008'] },
  ApiServerPodSecurityPolicyPlugin: REMOVED_PSP,
  ApiServerProfiling: { rules: ['KM-CP-010'] },
  ApiServerRequestTimeout: { out: 'request timeout is availability, not a door' },
  ApiServerSecurePort: { rules: ['KM-CP-014'] },
  ApiServerSecurityContextDenyPlugin: { out: 'SecurityContextDeny was removed in Kubernetes 1.30; Pod Security Admission replaces it (KM-NS-001)' },
  ApiServerServiceAccountKeyFile: { rules: ['KM-CP-016'] },
  ApiServerServiceAccountLookup: { rules: ['KM-CP-016'] },
  ApiServerServiceAccountPlugin: { rules: ['KM-CP-009'] },
  ApiServerStrongCryptographicCiphers: { out: 'an unset list means Go\'s defaults, which exclude the weak suites; kubemoat judges explicit kubelet cipher lists (KM-KL-010), not the API server\'s' },
  ApiServerTlsCertAndKey: { rules: ['KM-CP-014'] },
  ApiServerTokenAuthFile: { rules: ['KM-CP-005'] },
  ApiServerkubeletCertificateAuthority: { rules: ['KM-CP-006'] },
  ControllerManagerBindAddress: { rules: ['KM-CP-019'] },
  DangerousGitSync: { out: 'git-sync with a user-supplied --git-config or ssh options: not covered (a missed door, noted for a later rule)' },
  DefaultNamespace: { rules: ['KM-WL-024'] },
  DefaultServiceAccount: RBAC,
  DefaultServiceAccountBinding: RBAC,
  DockerSocketVolume: { rules: ['KM-WL-008'] },
  DropCapabilities: { rules: ['KM-WL-010'] },
  EtcdAutoTls: { rules: ['KM-ET-003'] },
  EtcdCertAndKey: { rules: ['KM-ET-002'] },
  EtcdClientCertAuth: { rules: ['KM-ET-001'] },
  EtcdPeerFiles: { rules: ['KM-ET-004', 'KM-ET-005'] },
  HostPort: { rules: ['KM-WL-019'] },
  ImageDigest: { rules: ['KM-IM-002'] },
  ImagePullPolicy: { out: 'imagePullPolicy is not a door; the mutable tag it guards against is KM-IM-001' },
  ImageTagFixed: { rules: ['KM-IM-001'] },
  KubeControllerManagerBlockProfiles: { rules: ['KM-CP-010'] },
  KubeControllerManagerRootCAFile: { rules: ['KM-CP-018'] },
  KubeControllerManagerServiceAccountCredentials: { rules: ['KM-CP-017'] },
  KubeControllerManagerServiceAccountPrivateKeyFile: { rules: ['KM-CP-018'] },
  KubeControllerManagerTerminatedPods: { out: 'terminated-pod-gc-threshold is availability, not a door' },
  KubeletAnonymousAuth: { rules: ['KM-KL-001'] },
  KubeletAuthorizationModeNotAlwaysAllow: { rules: ['KM-KL-002'] },
  KubeletClientCa: { rules: ['KM-KL-004'] },
  KubeletCryptographicCiphers: { rules: ['KM-KL-010'] },
  KubeletHostnameOverride: { out: '--hostname-override breaks the match between node name and certificate; not a door kubemoat reports' },
  KubeletKeyFilesSetAppropriate: { out: 'without --tls-cert-file the kubelet serves a self-signed certificate: kubemoat node reports that on the node (KM-ND-009), not from flags' },
  KubeletMakeIptablesUtilChains: { rules: ['KM-KL-007'] },
  KubeletProtectKernelDefaults: { out: 'protect-kernel-defaults is defence in depth for the node\'s sysctls; not reported' },
  KubeletReadOnlyPort: { rules: ['KM-KL-003'] },
  KubeletStreamingConnectionIdleTimeout: { rules: ['KM-KL-008'] },
  KubernetesDashboard: { rules: ['KM-CO-001', 'KM-SV-001'] },
  KubletEventCapture: { out: 'event-qps is about event volume, not a door' },
  KubletRotateCertificates: { rules: ['KM-KL-005'] },
  LivenessReadiness: RELIABILITY,
  NginxIngressCVE202125742: { rules: ['KM-SV-004'] },
  NoDefaultNamespace: { rules: ['KM-WL-024'] },
  PSP: REMOVED_PSP,
  PeerClientCertAuthTrue: { rules: ['KM-ET-005'] },
  PrivilegedContainers: { rules: ['KM-WL-001'] },
  RbacApproveCertificateSigningRequests: RBAC,
  RbacBindRoleBindings: RBAC,
  RbacControlWebhooks: RBAC,
  RbacEscalateRoles: RBAC,
  ReadOnlyFilesystem: { rules: ['KM-WL-014'] },
  Requests_Limits: { rules: ['KM-WL-020', 'KM-WL-021'] },
  RootContainers: { rules: ['KM-WL-012', 'KM-WL-013'] },
  RootContainersHighUID: { out: 'any non-zero uid is non-root; a uid above 10000 only avoids host users, which matters with host mounts (weighed there)' },
  RootContainersPSP: REMOVED_PSP,
  RotateKubeletServerCertificate: { rules: ['KM-KL-005'] },
  SchedulerBindAddress: { rules: ['KM-CP-019'] },
  SchedulerProfiling: { rules: ['KM-CP-010'] },
  Seccomp: { rules: ['KM-WL-015'] },
  Secrets: { rules: ['KM-SC-003'] },
  SecurityContexts: { rules: ['KM-WL-011', 'KM-WL-013', 'KM-WL-010', 'KM-WL-014', 'KM-WL-015'] },
  ServiceAccountTokens: { rules: ['KM-WL-023'] },
  ShareHost: { rules: ['KM-WL-002', 'KM-WL-003', 'KM-WL-004'] },
  Suppressed: { out: 'a test of checkov\'s own suppression comments' },
  Tiller: { rules: ['KM-CO-002'] },
  TillerDeploymentListener: { rules: ['KM-CO-002'] },
  TillerService: { rules: ['KM-CO-002'] },
  WildcardEntities: RBAC,
  WildcardRoles: RBAC,
};

/** Polaris checks, by fixture directory. */
const POLARIS: Record<string, Answer> = {
  automountServiceAccountToken: { rules: ['KM-WL-023'] },
  clusterrolePodExecAttach: RBAC,
  clusterrolebindingClusterAdmin: RBAC,
  clusterrolebindingPodExecAttach: RBAC,
  cpuLimitsMissing: { rules: ['KM-WL-020'] },
  cpuRequestsMissing: { rules: ['KM-WL-021'] },
  dangerousCapabilities: { rules: ['KM-WL-009'] },
  deploymentMissingReplicas: RELIABILITY,
  hostIPCSet: { rules: ['KM-WL-003'] },
  hostNetworkSet: { rules: ['KM-WL-004'] },
  hostPIDSet: { rules: ['KM-WL-002'] },
  hostPathSet: { rules: ['KM-WL-005', 'KM-WL-006', 'KM-WL-007', 'KM-WL-008'] },
  hostPortSet: { rules: ['KM-WL-019'] },
  hostProcess: { rules: ['KM-WL-022'] },
  hpaMaxAvailability: RELIABILITY,
  hpaMinAvailability: RELIABILITY,
  insecureCapabilities: { rules: ['KM-WL-010'] },
  linuxHardening: { rules: ['KM-WL-015', 'KM-WL-016'] },
  livenessProbeMissing: RELIABILITY,
  memoryLimitsMissing: { rules: ['KM-WL-020'] },
  memoryRequestsMissing: { rules: ['KM-WL-021'] },
  metadataAndInstanceMismatched: HYGIENE,
  missingNetworkPolicy: { rules: ['KM-NP-001', 'KM-NP-003'] },
  missingPodDisruptionBudget: RELIABILITY,
  nakedPod: RELIABILITY,
  notReadOnlyRootFilesystem: { rules: ['KM-WL-014'] },
  oneController: HYGIENE,
  pdbDisruptionsIsZero: RELIABILITY,
  pdbMinAvailableGreaterThanHPAMinReplicas: RELIABILITY,
  priorityClassNotSet: RELIABILITY,
  privilegeEscalationAllowed: { rules: ['KM-WL-011'] },
  procMount: { rules: ['KM-WL-017'] },
  pullPolicyNotAlways: { out: 'imagePullPolicy is not a door; the mutable tag it guards against is KM-IM-001' },
  readinessProbeMissing: RELIABILITY,
  resourceRange: RELIABILITY,
  rolePodExecAttach: RBAC,
  rolebindingClusterAdminClusterRole: RBAC,
  rolebindingClusterAdminRole: RBAC,
  rolebindingClusterRolePodExecAttach: RBAC,
  rolebindingRolePodExecAttach: RBAC,
  runAsPrivileged: { rules: ['KM-WL-001'] },
  runAsRootAllowed: { rules: ['KM-WL-012', 'KM-WL-013'] },
  sensitiveConfigmapContent: { rules: ['KM-SC-002'] },
  sensitiveContainerEnvVar: { rules: ['KM-SC-001'] },
  tagNotSpecified: { rules: ['KM-IM-001'] },
  tlsSettingsMissing: { rules: ['KM-SV-002'] },
  topologySpreadConstraint: RELIABILITY,
};

/** kube-score checks, by their name in its tests. */
const KUBE_SCORE: Record<string, Answer> = {
  'Container Security Context User Group ID': { rules: ['KM-WL-012', 'KM-WL-013', 'KM-WL-026'] },
  'Container Security Context Privileged': { rules: ['KM-WL-001'] },
  'Container Security Context ReadOnlyRootFilesystem': { rules: ['KM-WL-014'] },
  'Container Seccomp Profile': { rules: ['KM-WL-015'] },
  'Container Resources': { rules: ['KM-WL-020', 'KM-WL-021'] },
  'Container Image Tag': { rules: ['KM-IM-001'] },
  'Pod NetworkPolicy': { rules: ['KM-NP-001', 'KM-NP-002', 'KM-NP-003'] },
  'NetworkPolicy targets Pod': { rules: ['KM-NP-006'] },
  'Service Type': { rules: ['KM-SV-003'] },
  'Container Image Pull Policy': { out: 'imagePullPolicy is not a door; the mutable tag it guards against is KM-IM-001' },
  'Container Ephemeral Storage Request and Limit': RELIABILITY,
  'Stable version': { out: 'deprecated API versions: an upgrade concern, not a door' },
  'Service Targets Pod': HYGIENE,
  'Ingress targets Service': HYGIENE,
  'Pod Probes': RELIABILITY,
  'Pod Probes Identical': RELIABILITY,
  'Pod Topology Spread Constraints': RELIABILITY,
  'Deployment has PodDisruptionBudget': RELIABILITY,
  'StatefulSet has PodDisruptionBudget': RELIABILITY,
  'PodDisruptionBudget has policy': RELIABILITY,
  'StatefulSet has ServiceName': HYGIENE,
  'HorizontalPodAutoscaler has target': HYGIENE,
  'HorizontalPodAutoscaler Replicas': RELIABILITY,
  'Deployment has host PodAntiAffinity': RELIABILITY,
  'StatefulSet has host PodAntiAffinity': RELIABILITY,
  'Deployment Strategy': RELIABILITY,
  'Deployment Replicas': RELIABILITY,
  'Deployment targeted by HPA does not have replicas configured': RELIABILITY,
  'StatefulSet Pod Selector labels match template metadata labels': HYGIENE,
  'Environment Variable Key Duplication': HYGIENE,
  'Label values': HYGIENE,
};

/** kubescape rules by name pattern, first match wins. */
const KUBESCAPE: [RegExp, Answer][] = [
  [/^CVE-2021-25742$/, { rules: ['KM-SV-004'] }],
  [/^CVE-2021-25741$|^CVE-2022-/, CLOUD],
  [/^alert-any-hostpath$/, { rules: ['KM-WL-005', 'KM-WL-006', 'KM-WL-007', 'KM-WL-008'] }],
  [/^alert-rw-hostpath$/, { rules: ['KM-WL-006', 'KM-WL-007', 'KM-WL-008'] }],
  [/^alert-mount-potential-credentials-paths$/, { rules: ['KM-WL-007'] }],
  [/^containers-mounting-docker-socket$/, { rules: ['KM-WL-008'] }],
  [/^container-hostPort$/, { rules: ['KM-WL-019'] }],
  [/^host-ipc-privileges$/, { rules: ['KM-WL-003'] }],
  [/^host-network-access$/, { rules: ['KM-WL-004'] }],
  [/^host-pid-privileges$/, { rules: ['KM-WL-002'] }],
  [/^host-pid-ipc-privileges$/, { rules: ['KM-WL-002', 'KM-WL-003'] }],
  [/^rule-privileged-container$/, { rules: ['KM-WL-001', 'KM-WL-009'] }],
  [/^rule-allow-privilege-escalation$/, { rules: ['KM-WL-011'] }],
  [/^non-root-containers$/, { rules: ['KM-WL-012', 'KM-WL-013'] }],
  [/^immutable-container-filesystem$/, { rules: ['KM-WL-014'] }],
  [/^insecure-capabilities$/, { rules: ['KM-WL-009'] }],
  [/^drop-capability-netraw$/, { rules: ['KM-WL-010'] }],
  [/^linux-hardening$/, { rules: ['KM-WL-015', 'KM-WL-016', 'KM-WL-010'] }],
  [/^set-seccomp-profile/, { rules: ['KM-WL-015'] }],
  [/^set-procmount-default$/, { rules: ['KM-WL-017'] }],
  [/^set-sysctls-params$/, { rules: ['KM-WL-018'] }],
  [/^set-hostprocess-true$/, { rules: ['KM-WL-022'] }],
  [/^set-supplementalgroups-values$|^set-fsgroup-value$/, { rules: ['KM-WL-026'] }],
  [/^resources-(cpu|memory)-limit/, { rules: ['KM-WL-020'] }],
  [/^resources-(cpu|memory)-request/, { rules: ['KM-WL-021'] }],
  [/^resources-(cpu|memory)-limit-and-request$/, { rules: ['KM-WL-020', 'KM-WL-021'] }],
  [/^automount-service-account$|^serviceaccount-token-mount$/, { rules: ['KM-WL-023'] }],
  [/^image-not-pinned-to-digest$/, { rules: ['KM-IM-002'] }],
  [/^rule-credentials-in-env-var$/, { rules: ['KM-SC-001'] }],
  [/^rule-credentials-configmap$/, { rules: ['KM-SC-002'] }],
  [/^rule-secrets-in-env-var$/, { rules: ['KM-SC-003'] }],
  [/^ingress-no-tls$/, { rules: ['KM-SV-002'] }],
  [/^exposure-to-internet$/, { rules: ['KM-SV-003', 'KM-SV-001'] }],
  [/^exposed-sensitive-interfaces-v1$/, { rules: ['KM-SV-001'] }],
  [/^rule-access-dashboard/, RBAC],
  [/^ensure-that-the-api-server-DenyServiceExternalIPs-is-(not-)?set$/, { rules: ['KM-SV-003'] }],
  [/^pod-security-admission/, { rules: ['KM-NS-001'] }],
  [/^ingress-and-egress-blocked$|^ensure_network_policy_configured_in_labels$/, { rules: ['KM-NP-001', 'KM-NP-002', 'KM-NP-003'] }],
  [/^pods-in-default-namespace$/, { rules: ['KM-WL-024'] }],
  [/-in-default-namespace$/, DEFAULT_NS_OBJECT],
  [/^ensure-that-the-api-server-anonymous-auth/, { rules: ['KM-CP-001'] }],
  [/^ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow$/, { rules: ['KM-CP-002'] }],
  [/^ensure-that-the-api-server-authorization-mode-argument-includes/, { rules: ['KM-CP-003'] }],
  [/^insecure-port-flag$/, { rules: ['KM-CP-004'] }],
  [/^ensure-that-the-api-server-token-auth-file/, { rules: ['KM-CP-005'] }],
  [/^ensure-that-the-api-server-kubelet-/, { rules: ['KM-CP-006'] }],
  [/^ensure-that-the-admission-control-plugin-AlwaysAdmit/, { rules: ['KM-CP-007'] }],
  [/^ensure-that-the-admission-control-plugin-NodeRestriction/, { rules: ['KM-CP-008'] }],
  [/^ensure-that-the-admission-control-plugin-(NamespaceLifecycle|ServiceAccount)/, { rules: ['KM-CP-009'] }],
  [/^ensure-that-the-admission-control-plugin-(EventRateLimit|AlwaysPullImages|SecurityContextDeny)/, { out: 'availability (EventRateLimit), manual in CIS (AlwaysPullImages), or removed in 1.30 (SecurityContextDeny)' }],
  [/-profiling-argument-is-set-to-false$/, { rules: ['KM-CP-010'] }],
  [/^ensure-that-the-api-server-audit-log-path/, { rules: ['KM-CP-011'] }],
  [/^ensure-that-the-api-server-audit-log-max/, { rules: ['KM-CP-012'] }],
  [/^ensure-that-the-api-server-etcd-/, { rules: ['KM-CP-013'] }],
  [/^ensure-that-the-api-server-(tls-cert-file|client-ca-file|secure-port)/, { rules: ['KM-CP-014'] }],
  [/^ensure-that-the-api-server-encryption-provider/, { rules: ['KM-CP-015'] }],
  [/^ensure-that-the-api-server-encryption-providers-are-appropriately-configured$/, { rules: ['KM-CP-015'] }],
  [/^ensure-that-the-api-server-service-account-/, { rules: ['KM-CP-016'] }],
  [/^ensure-that-the-controller-manager-use-service-account-credentials/, { rules: ['KM-CP-017'] }],
  [/^ensure-that-the-controller-manager-(root-ca-file|service-account-private-key-file)/, { rules: ['KM-CP-018'] }],
  [/^ensure-that-the-(controller-manager|scheduler)-bind-address/, { rules: ['KM-CP-019'] }],
  [/^ensure-that-the-kube-proxy-metrics-service-is-bound-to-localhost$/, { rules: ['KM-ND-010'] }],
  [/^ensure-that-the-controller-manager-(terminated-pod-gc|RotateKubeletServerCertificate)/, { out: 'availability (terminated-pod-gc-threshold), or a feature gate locked on since 1.19 (RotateKubeletServerCertificate)' }],
  [/^ensure-that-the-api-server-request-timeout/, { out: 'request timeout is availability, not a door' }],
  [/^ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers/, { out: 'an unset list means Go\'s defaults, which exclude the weak suites; not reported for the API server' }],
  [/^etcd-tls-enabled$/, { rules: ['KM-ET-002'] }],
  [/^etcd-client-auth-cert$/, { rules: ['KM-ET-001'] }],
  [/^etcd-auto-tls-disabled$|^etcd-peer-auto-tls-disabled$/, { rules: ['KM-ET-003'] }],
  [/^etcd-peer-tls-enabled$/, { rules: ['KM-ET-004'] }],
  [/^etcd-peer-client-auth-cert$/, { rules: ['KM-ET-005'] }],
  [/^etcd-unique-ca$/, { rules: ['KM-ND-007'] }],
  [/^rule-can-|^rule-list-all-cluster-admins|^cluster-admin-role$|^workload-with-|^system-authenticated|^ensure-default-service-accounts|^exec-into-container|^anonymous-access-enabled$|^access-container-service-account|^rule-excessive-delete|^review-roles/, RBAC],
  [/^psp-|^psp-enabled-native$/, REMOVED_PSP],
  [/^(configured-(liveness|readiness)-probe|naked-pods|no-rolling-update-strategy|resource-policies|resources-sandbox-|hpa-has-target)/, RELIABILITY],
  [/^(k8s-common-labels-usage|label-usage-for-resources|mismatching-selector|dangling-|duplicate-env-var|service-with-no-workload|non-existent-service-account|deprecated-service-account-field|list-all-(mutating|validating)-webhooks)/, HYGIENE],
  [/^(ensure-|alert-container-optimized|alert-fargate|k8s-audit-logs-enabled-native|rbac-enabled-native|pv-without-encryption|encrypt-traffic|ensure-https-loadbalancers|excessive_amount_of_vulnerabilities|agent-sandbox-)/, CLOUD],
];

interface Case {
  peer: Peer;
  check: string;
  /** a file, or a directory of inputs */
  input: string;
  /** what the peer expects: it reports (fail) or stays silent (pass) */
  expected: 'fail' | 'pass';
}

function walk(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, keep) : keep(n) ? [p] : [];
  });
}

const MANIFEST = (n: string): boolean => /\.(ya?ml|json)$/.test(n);

function checkovCases(root: string): Case[] {
  const base = join(root, 'tests/kubernetes/checks');
  return readdirSync(base).flatMap((d) =>
    walk(join(base, d), MANIFEST).flatMap((f): Case[] => {
      const name = basename(f);
      const expected = /FAILED/.test(name) ? 'fail' : /PASSED/.test(name) ? 'pass' : undefined;
      return expected === undefined ? [] : [{ peer: 'checkov', check: d.replace(/^example_/, ''), input: f, expected }];
    }),
  );
}

function polarisCases(root: string): Case[] {
  const base = join(root, 'test/checks');
  return readdirSync(base).flatMap((d) =>
    walk(join(base, d), MANIFEST).flatMap((f): Case[] => {
      const name = basename(f);
      const expected = /^failure/.test(name) ? 'fail' : /^success/.test(name) ? 'pass' : undefined;
      return expected === undefined ? [] : [{ peer: 'polaris', check: d, input: f, expected }];
    }),
  );
}

/** kube-score's expectations are in its Go tests: a fixture file, a check name and a grade in one call. */
function kubeScoreCases(root: string): Case[] {
  const base = join(root, 'score');
  const out: Case[] = [];
  for (const test of readdirSync(base).filter((n) => n.endsWith('_test.go'))) {
    const text = readFileSync(join(base, test), 'utf8');
    for (const m of text.matchAll(/"([\w.-]+\.ya?ml)"\)?(?:\}[^"]*?)?(?:[^"]|"[^"]*")*?"([^"]+)", scorecard\.(Grade\w+)\)/g)) {
      const file = join(base, 'testdata', m[1]);
      if (!existsSync(file)) continue;
      out.push({ peer: 'kube-score', check: m[2], input: file, expected: m[3] === 'GradeAllOK' ? 'pass' : 'fail' });
    }
  }
  return out;
}

function kubescapeCases(root: string): Case[] {
  const base = join(root, 'rules');
  const out: Case[] = [];
  for (const rule of readdirSync(base)) {
    const tests = join(base, rule, 'test');
    if (!existsSync(tests)) continue;
    for (const c of readdirSync(tests)) {
      const dir = join(tests, c);
      const expectedFile = join(dir, 'expected.json');
      const input = join(dir, 'input');
      if (!existsSync(expectedFile) || !existsSync(input) || walk(input, (n) => /\.ya?ml$/.test(n)).length === 0) continue;
      let alerts: unknown;
      try {
        alerts = JSON.parse(readFileSync(expectedFile, 'utf8'));
      } catch {
        continue;
      }
      out.push({ peer: 'kubescape', check: rule, input, expected: Array.isArray(alerts) && alerts.length > 0 ? 'fail' : 'pass' });
    }
  }
  return out;
}

function answerOf(peer: Peer, check: string): Answer | undefined {
  switch (peer) {
    case 'checkov':
      return CHECKOV[check];
    case 'polaris':
      return POLARIS[check];
    case 'kube-score':
      return KUBE_SCORE[check];
    case 'kubescape':
      return KUBESCAPE.find(([re]) => re.test(check))?.[1];
  }
}

function extract(mirrors: string, s: PeerSource, into: string): void {
  const gitDir = join(mirrors, s.repo.replace('/', '+'), 'repo');
  const archive = execFileSync('git', ['--git-dir', gitDir, 'archive', s.commit, '--', ...s.paths], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
}

interface Row {
  peer: Peer;
  check: string;
  answer: Answer | undefined;
  fail: { total: number; reported: number };
  pass: { total: number; silent: number };
  disagreements: string[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mirrors: { type: 'string', default: '/work/.mirror' }, disagreements: { type: 'boolean', default: false } } });
  const mirrors = values.mirrors ?? '/work/.mirror';
  const work = mkdtempSync(join(tmpdir(), 'kubemoat-peers-'));
  const rows = new Map<string, Row>();
  try {
    const cases: Case[] = [];
    for (const s of SOURCES) {
      const dir = join(work, s.peer);
      extract(mirrors, s, dir);
      const found = s.peer === 'checkov' ? checkovCases(dir) : s.peer === 'polaris' ? polarisCases(dir) : s.peer === 'kube-score' ? kubeScoreCases(dir) : kubescapeCases(dir);
      cases.push(...found);
    }
    for (const c of cases) {
      const key = `${c.peer}\0${c.check}`;
      const answer = answerOf(c.peer, c.check);
      let row = rows.get(key);
      if (row === undefined) rows.set(key, (row = { peer: c.peer, check: c.check, answer, fail: { total: 0, reported: 0 }, pass: { total: 0, silent: 0 }, disagreements: [] }));
      if (answer === undefined || !('rules' in answer)) continue;
      const { report } = await scanManifests([c.input], { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info', threads: 0 });
      const hits = report.findings.filter((f) => answer.rules.includes(f.ruleId));
      const reported = hits.length > 0;
      const where = c.input.slice(work.length + 1);
      if (c.expected === 'fail') {
        row.fail.total++;
        if (reported) row.fail.reported++;
        else row.disagreements.push(`silent on ${where}`);
      } else {
        row.pass.total++;
        if (!reported) row.pass.silent++;
        else row.disagreements.push(`reports on ${where}: ${[...new Set(hits.map((h) => `${h.ruleId} ${h.severity}`))].join(', ')} — ${hits[0].message}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('| peer | check | kubemoat | peer fails: kubemoat reports | peer passes: kubemoat silent |');
  console.log('|---|---|---|---|---|');
  const sorted = [...rows.values()].sort((a, b) => a.peer.localeCompare(b.peer) || a.check.localeCompare(b.check));
  for (const r of sorted) {
    const answer = r.answer === undefined ? 'not mapped' : 'rules' in r.answer ? r.answer.rules.join(', ') : `— ${r.answer.out}`;
    const compared = r.answer !== undefined && 'rules' in r.answer;
    console.log(`| ${r.peer} | ${r.check} | ${answer} | ${compared ? `${r.fail.reported}/${r.fail.total}` : ''} | ${compared ? `${r.pass.silent}/${r.pass.total}` : ''} |`);
  }
  const compared = sorted.filter((r) => r.answer !== undefined && 'rules' in r.answer);
  const sum = (f: (r: Row) => number): number => compared.reduce((n, r) => n + f(r), 0);
  console.log(`\nchecks: ${sorted.length}, compared: ${compared.length}, not mapped: ${sorted.filter((r) => r.answer === undefined).length}`);
  console.log(`peer-failed fixtures reported: ${sum((r) => r.fail.reported)}/${sum((r) => r.fail.total)}; peer-passed fixtures kept silent: ${sum((r) => r.pass.silent)}/${sum((r) => r.pass.total)}`);
  if (values.disagreements) {
    for (const r of compared) for (const d of r.disagreements) console.error(`${r.peer}\t${r.check}\t${d}`);
  }
}

await main();
