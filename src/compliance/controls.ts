// The controls of each framework `--compliance` reports on, with the framework ids rules carry for
// them (`frameworks.cis`, `.nsa`, `.pss` in rule metadata: the only place a rule is mapped to a
// control). Every control of a framework is listed, those no rule checks too, so that a summary
// shows what kubemoat cannot see instead of leaving it out. Titles are kubemoat's short wording.

import type { Frameworks } from '../core/finding.js';
import type { ComplianceFramework } from '../core/report.js';
import { CIS_ITEMS } from '../report/cis-summary.js';
import { NSA, PSS } from '../rules/references.js';

export interface ControlDefinition {
  id: string;
  title: string;
  /** the framework ids (as rules carry them) that mean this control */
  tags: readonly string[];
  /** what the mapped rules leave unchecked: finding nothing then does not make the control pass */
  gap?: string;
}

export interface FrameworkDefinition {
  id: ComplianceFramework;
  title: string;
  /** where rules and findings carry this framework's ids */
  key: keyof Frameworks;
  controls: readonly ControlDefinition[];
}

const own = (id: string, title: string, gap?: string): ControlDefinition => ({ id, title, tags: [id], ...(gap ? { gap } : {}) });

/** CIS Kubernetes Benchmark v1.10 sections 3 and 5 (sections 1, 2 and 4 are the node items of cis-summary.ts). */
const CIS_POLICY_ITEMS: readonly ControlDefinition[] = [
  own('3.1.1', 'Client certificate authentication not used for users (Manual)'),
  own('3.1.2', 'Service account token authentication not used for users (Manual)'),
  own('3.1.3', 'Bootstrap token authentication not used for users (Manual)'),
  own('3.2.1', 'A minimal audit policy is created (Manual)'),
  own('3.2.2', 'The audit policy covers key security concerns (Manual)'),
  own('5.1.1', 'cluster-admin is bound only where required'),
  own('5.1.2', 'Minimal access to Secrets'),
  own('5.1.3', 'Minimal wildcards in Roles and ClusterRoles'),
  own('5.1.4', 'Minimal access to create pods'),
  own('5.1.5', 'Default service accounts are not used'),
  own('5.1.6', 'Service account tokens mounted only where needed'),
  own('5.1.7', 'The system:masters group is not used'),
  own('5.1.8', 'Minimal bind, impersonate and escalate permissions'),
  own('5.1.9', 'Minimal access to create PersistentVolumes'),
  own('5.1.10', 'Minimal access to the nodes/proxy subresource'),
  own('5.1.11', 'Minimal access to approve certificate signing requests'),
  own('5.1.12', 'Minimal access to webhook configuration objects'),
  own('5.1.13', 'Minimal access to create service account tokens'),
  own('5.2.1', 'At least one active policy control mechanism'),
  own('5.2.2', 'Minimal admission of privileged containers'),
  own('5.2.3', 'Minimal admission of containers sharing the host PID namespace'),
  own('5.2.4', 'Minimal admission of containers sharing the host IPC namespace'),
  own('5.2.5', 'Minimal admission of containers sharing the host network namespace'),
  own('5.2.6', 'Minimal admission of containers with allowPrivilegeEscalation'),
  own('5.2.7', 'Minimal admission of root containers'),
  own('5.2.8', 'Minimal admission of containers with the NET_RAW capability'),
  own('5.2.9', 'Minimal admission of containers with added capabilities'),
  own('5.2.10', 'Minimal admission of containers with capabilities assigned'),
  own('5.2.11', 'Minimal admission of Windows HostProcess containers'),
  own('5.2.12', 'Minimal admission of hostPath volumes'),
  own('5.2.13', 'Minimal admission of containers using hostPorts'),
  own('5.3.1', 'The CNI in use supports NetworkPolicies (Manual)'),
  own('5.3.2', 'Every namespace has NetworkPolicies'),
  own('5.4.1', 'Secrets as files rather than environment variables'),
  own('5.4.2', 'External secret storage considered (Manual)'),
  own('5.5.1', 'Image provenance through the ImagePolicyWebhook admission controller (Manual)'),
  own('5.7.1', 'Namespaces as administrative boundaries (Manual)'),
  own('5.7.2', 'A seccomp profile in pod definitions'),
  own('5.7.3', 'A security context on pods and containers'),
  own('5.7.4', 'The default namespace is not used'),
];

const CIS: FrameworkDefinition = {
  id: 'cis',
  title: 'CIS Kubernetes Benchmark v1.10',
  key: 'cis',
  controls: [...CIS_ITEMS.map((item) => own(item.id, `${item.title}${item.manual ? ' (Manual)' : ''}`)), ...CIS_POLICY_ITEMS],
};

/** NSA/CISA Kubernetes Hardening Guide v1.2, by section and topic. */
const NSA_CISA: FrameworkDefinition = {
  id: 'nsa',
  title: 'NSA/CISA Kubernetes Hardening Guide v1.2',
  key: 'nsa',
  controls: [
    { id: 'pod-security/non-root', title: 'Pod security: non-root containers and rootless container engines', tags: [NSA.nonRoot] },
    { id: 'pod-security/immutable-fs', title: 'Pod security: immutable container file systems', tags: [NSA.immutableFs] },
    { id: 'pod-security/secure-images', title: 'Pod security: building secure container images', tags: [NSA.secureImages] },
    { id: 'pod-security/enforcement', title: 'Pod security: pod security enforcement', tags: [NSA.podSecurity] },
    { id: 'pod-security/service-account-tokens', title: 'Pod security: protecting pod service account tokens', tags: [NSA.serviceAccountTokens] },
    { id: 'pod-security/hardening', title: 'Pod security: hardening container environments', tags: [NSA.hardeningContainerEnv] },
    { id: 'network/namespaces', title: 'Network separation: namespaces', tags: [NSA.namespaces] },
    { id: 'network/network-policies', title: 'Network separation: network policies', tags: [NSA.networkPolicies] },
    { id: 'network/resource-policies', title: 'Network separation: resource policies', tags: [NSA.resourcePolicies] },
    { id: 'network/control-plane', title: 'Network separation: control plane hardening', tags: [NSA.controlPlane] },
    { id: 'network/etcd', title: 'Network separation: etcd', tags: [NSA.etcd] },
    { id: 'network/kubeconfig-files', title: 'Network separation: kubeconfig files', tags: [] },
    { id: 'network/worker-node-segmentation', title: 'Network separation: worker node segmentation', tags: [] },
    { id: 'network/secrets', title: 'Network separation: secrets', tags: [NSA.secrets] },
    { id: 'network/cloud-infrastructure', title: 'Network separation: protecting sensitive cloud infrastructure', tags: [] },
    { id: 'authn-authz/authentication', title: 'Authentication and authorization: authentication (anonymous access disabled)', tags: [NSA.authentication, NSA.anonymousAccess] },
    { id: 'authn-authz/rbac', title: 'Authentication and authorization: role-based access control', tags: [NSA.rbac] },
    { id: 'audit/logging', title: 'Audit logging and threat detection: logging', tags: [NSA.logging] },
    { id: 'audit/threat-detection', title: 'Audit logging and threat detection: threat detection and alerting (kubemoat detect)', tags: [] },
    { id: 'upgrading/application-security', title: 'Upgrading and application security practices', tags: [] },
  ],
};

const PSS_BASELINE_CONTROLS: readonly ControlDefinition[] = [
  own(PSS.hostProcess, 'HostProcess: no Windows HostProcess containers'),
  own(PSS.hostNamespaces, 'Host namespaces: no hostNetwork, hostPID or hostIPC'),
  own(PSS.privileged, 'Privileged containers: none'),
  own(PSS.capabilities, 'Capabilities: none added beyond the baseline set'),
  own(PSS.hostPath, 'HostPath volumes: none'),
  own(PSS.hostPorts, 'Host ports: none'),
  own(PSS.appArmor, 'AppArmor: not Unconfined'),
  own(PSS.seLinux, 'SELinux: no custom type, user or role'),
  own(PSS.procMount, '/proc mount type: Default'),
  own(PSS.seccomp, 'Seccomp: not Unconfined'),
  own(PSS.sysctls, 'Sysctls: only the safe set'),
];

const PSS_RESTRICTED_CONTROLS: readonly ControlDefinition[] = [
  own(PSS.volumeTypes, 'Volume types: only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret', 'only hostPath volumes are checked, not the other types the profile refuses (nfs, iscsi…)'),
  own(PSS.privilegeEscalation, 'Privilege escalation: allowPrivilegeEscalation false'),
  own(PSS.runAsNonRoot, 'Running as non-root: runAsNonRoot true'),
  own(PSS.runAsNonRootUser, 'Running as non-root user: runAsUser not 0'),
  own(PSS.seccompRestricted, 'Seccomp: RuntimeDefault or Localhost set'),
  own(PSS.capabilitiesRestricted, 'Capabilities: drop ALL, add only NET_BIND_SERVICE', 'of the baseline set added back after drop ALL, only DAC_OVERRIDE, SETFCAP and SYS_CHROOT are reported'),
];

const PSS_BASELINE: FrameworkDefinition = { id: 'pss-baseline', title: 'Pod Security Standards: baseline', key: 'pss', controls: PSS_BASELINE_CONTROLS };

/** The restricted profile includes every baseline control. */
const PSS_RESTRICTED: FrameworkDefinition = { id: 'pss-restricted', title: 'Pod Security Standards: restricted', key: 'pss', controls: [...PSS_BASELINE_CONTROLS, ...PSS_RESTRICTED_CONTROLS] };

export const COMPLIANCE_DEFINITIONS: Readonly<Record<ComplianceFramework, FrameworkDefinition>> = {
  cis: CIS,
  nsa: NSA_CISA,
  'pss-baseline': PSS_BASELINE,
  'pss-restricted': PSS_RESTRICTED,
};
