// Who the detector trusts, and why. Trust comes from what an identity is, never from the shape of
// its name: an exact list of the control plane's own identities, each with the request properties
// that identity always has (the kubelet's group, a controller token that is not bound to a pod, an
// address of the control plane when the operator lists them). Anything that only looks like the
// control plane (`kube-system:x-controller`, a controller's token replayed from a pod) is judged
// like everyone else. Every decision names its entry, so `kubemoat detect --explain-allow` can say
// which entry silenced which alert.

import type { AuditEvent, AuditUser } from '../sources/audit/event.js';
import { NetworkSet } from './networks.js';

/** One reason to trust a request; `id` is what --explain-allow prints. */
export interface TrustEntry {
  id: string;
  kind: 'component' | 'node' | 'controller' | 'managed';
  /** in plain words: who this is and what makes the request theirs */
  why: string;
}

/** The control plane's own client-certificate users (kubeadm and every distribution name them so). */
export const COMPONENT_USERS: readonly string[] = ['system:apiserver', 'system:kube-controller-manager', 'system:kube-scheduler'];

/**
 * kube-controller-manager's per-controller service accounts in kube-system, used with
 * `--use-service-account-credentials`: the subjects of the bootstrap `system:controller:*` bindings
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go and namespace_policy.go
 * at the time of writing; the feature-gated ones included). Exact names: a new account that merely ends
 * in -controller is not one of them.
 */
export const CONTROLLER_ACCOUNTS: readonly string[] = [
  'attachdetach-controller', 'bootstrap-signer', 'certificate-controller', 'clusterrole-aggregation-controller',
  'cronjob-controller', 'daemon-set-controller', 'deployment-controller', 'device-taint-eviction-controller',
  'disruption-controller', 'endpoint-controller', 'endpointslice-controller', 'endpointslicemirroring-controller',
  'ephemeral-volume-controller', 'expand-controller', 'generic-garbage-collector', 'horizontal-pod-autoscaler',
  'job-controller', 'kube-apiserver-serving-clustertrustbundle-publisher', 'leader-election-controller',
  'legacy-service-account-token-cleaner', 'namespace-controller', 'node-controller', 'persistent-volume-binder',
  'pod-garbage-collector', 'podcertificaterequestcleaner', 'pv-protection-controller', 'pvc-protection-controller',
  'replicaset-controller', 'replication-controller', 'resource-claim-controller', 'resourcequota-controller',
  'root-ca-cert-publisher', 'route-controller', 'selinux-warning-controller', 'service-account-controller',
  'service-cidrs-controller', 'service-controller', 'statefulset-controller', 'storage-version-garbage-collector',
  'storage-version-migrator-controller', 'token-cleaner', 'ttl-after-finished-controller', 'ttl-controller',
  'validatingadmissionpolicy-status-controller', 'volumeattributesclass-protection-controller',
];

const SA_PREFIX = 'system:serviceaccount:kube-system:';

/** user.extra keys the API server sets for a token bound to a pod or a node (kube-controller-manager's tokens are bound to neither). */
const BOUND_TOKEN_KEYS = ['authentication.kubernetes.io/pod-name', 'authentication.kubernetes.io/pod-uid', 'authentication.kubernetes.io/node-name'];

/**
 * A managed platform's own identity, trusted only for the rules and verbs its job needs. Names were
 * checked against the platforms' documentation and Falco's k8saudit lists; a name we could not
 * confirm is left out (add it to `detect.allow` with a reason).
 */
export interface ManagedIdentity {
  id: string;
  platform: 'EKS' | 'AKS' | 'GKE' | 'add-on';
  username: string;
  /** the rules it may silence */
  rules: readonly string[];
  /** the verbs it may silence them for */
  verbs: readonly string[];
  /** a group the identity always carries, when it has one */
  group?: string;
  /** a user-agent prefix the identity always sends, when it has one */
  userAgent?: string;
  /** a token bound to a pod (a workload), or never one (a platform user outside the cluster) */
  podBound: boolean;
  why: string;
}

const READ = ['get', 'list', 'watch'];

export const MANAGED_IDENTITIES: readonly ManagedIdentity[] = [
  { id: 'eks:addon-manager', platform: 'EKS', username: 'eks:addon-manager', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'EKS add-on manager: installs and reconciles managed add-ons, reading their secrets' },
  { id: 'eks:certificate-controller', platform: 'EKS', username: 'eks:certificate-controller', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'EKS certificate controller (CSR signing and approval on the managed control plane)' },
  { id: 'eks:node-manager', platform: 'EKS', username: 'eks:node-manager', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'EKS node manager: managed node groups and Fargate' },
  { id: 'eks:fargate-scheduler', platform: 'EKS', username: 'eks:fargate-scheduler', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'EKS Fargate scheduler' },
  { id: 'eks:cloud-controller-manager', platform: 'EKS', username: 'eks:cloud-controller-manager', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'EKS cloud controller manager (runs on the managed control plane)' },
  { id: 'eks:vpc-resource-controller', platform: 'EKS', username: 'eks:vpc-resource-controller', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'EKS VPC resource controller (runs on the managed control plane)' },
  { id: 'eks:k8s-metrics', platform: 'EKS', username: 'eks:k8s-metrics', rules: ['KM-DT-016'], verbs: ['list', 'watch'], podBound: false, why: 'EKS control-plane metrics collector: lists objects to count them' },
  { id: 'eks:cluster-event-watcher', platform: 'EKS', username: 'eks:cluster-event-watcher', rules: ['KM-DT-016'], verbs: ['list', 'watch'], podBound: false, why: 'EKS cluster event watcher' },
  { id: 'aksService', platform: 'AKS', username: 'aksService', group: 'system:masters', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'AKS resource provider (client certificate in system:masters) reconciling the cluster\'s add-ons' },
  { id: 'system:addon-manager', platform: 'GKE', username: 'system:addon-manager', rules: ['KM-DT-016'], verbs: READ, podBound: false, why: 'the addon manager on a GKE (and kube-up) control plane applying add-on manifests' },
  {
    id: 'kube-state-metrics', platform: 'add-on', username: 'system:serviceaccount:kube-system:kube-state-metrics', rules: ['KM-DT-016'], verbs: ['list', 'watch'],
    userAgent: 'kube-state-metrics/', podBound: true,
    why: 'kube-state-metrics in kube-system, from its own pod: lists and watches secrets to export their metadata as metrics (installed elsewhere, allow it in detect.allow)',
  },
];

export interface TrustOptions {
  /**
   * Addresses (IPs or CIDRs) the control plane's components connect from. When set, the component
   * users and controller accounts are trusted only from these; the last of an event's sourceIPs is
   * the one checked (the earlier ones come from X-Forwarded-For, which a client writes).
   */
  controlPlaneAddresses?: readonly string[];
  /** built-in managed-platform identities (default on) */
  managedIdentities?: boolean;
  /**
   * The cluster's own networks (`detect.internalNetworks`). When set, the kubelets, components and
   * controller accounts are trusted only when every address of the request is inside them: a node's
   * or component's credential used from anywhere else is someone holding a stolen key (KM-DT-041).
   */
  internalNetworks?: readonly string[];
}

const NO_TRUST: TrustEntry | undefined = undefined;

export class TrustPolicy {
  private readonly addresses: NetworkSet | undefined;
  private readonly internal: NetworkSet | undefined;
  private readonly managed = new Map<string, ManagedIdentity[]>();
  private readonly components = new Map<string, TrustEntry>();
  private readonly controllers = new Map<string, TrustEntry>();
  private readonly nodeEntry: TrustEntry;

  constructor(options: TrustOptions = {}) {
    const list = options.controlPlaneAddresses ?? [];
    if (list.length > 0) this.addresses = new NetworkSet(list);
    const internal = options.internalNetworks ?? [];
    if (internal.length > 0) this.internal = new NetworkSet(internal);
    const inside = this.internal ? `, from the internal networks (${internal.join(', ')})` : '';
    const from = (this.addresses ? `, from a control-plane address (${list.join(', ')})` : '') + inside;
    this.nodeEntry = { id: 'node', kind: 'node', why: `a kubelet: user system:node:NAME in group system:nodes (the Node authorizer limits it to its own pods' objects)${inside}` };
    for (const u of COMPONENT_USERS) this.components.set(u, { id: `component:${u}`, kind: 'component', why: `the control-plane component ${u}${from}` });
    for (const sa of CONTROLLER_ACCOUNTS) {
      this.controllers.set(sa, { id: `controller:${sa}`, kind: 'controller', why: `kube-controller-manager's own service account kube-system/${sa} (--use-service-account-credentials), with a token bound to no pod${from}` });
    }
    if (options.managedIdentities ?? true) {
      for (const m of MANAGED_IDENTITIES) {
        const list2 = this.managed.get(m.username) ?? [];
        list2.push(m);
        this.managed.set(m.username, list2);
      }
    }
  }

  /** Whether trust depends on addresses (the header fast path then reads them too). */
  get checksAddresses(): boolean {
    return this.addresses !== undefined || this.internal !== undefined;
  }

  /** The peer (the last of sourceIPs) is a control-plane address, when those are configured. */
  private fromControlPlane(sourceIPs: readonly string[]): boolean {
    if (!this.addresses) return true;
    const peer = sourceIPs[sourceIPs.length - 1];
    return peer !== undefined && this.addresses.has(peer);
  }

  /**
   * No address of the request is outside the internal networks, when those are configured (an
   * event without sourceIPs, which the API server never writes, names no outside address).
   */
  private fromInside(sourceIPs: readonly string[]): boolean {
    return !this.internal || this.internal.outside(sourceIPs).length === 0;
  }

  /**
   * The entry that makes this identity the control plane, or undefined. `sourceIPs` as the event
   * has them. An impersonated request is never trusted: who acts is the impersonated user.
   */
  identity(user: AuditUser, sourceIPs: readonly string[], impersonated = false): TrustEntry | undefined {
    if (impersonated) return NO_TRUST;
    const name = user.username;
    // one map lookup per call, chosen by prefix (this runs on most lines of a log)
    if (name.startsWith(SA_PREFIX)) {
      const entry = this.controllers.get(name.slice(SA_PREFIX.length));
      if (!entry) return NO_TRUST;
      // a real service-account token carries the account's groups; a controller token used from a
      // pod (or bound to a node) was minted for a workload, not for kube-controller-manager
      if (!user.groups.includes('system:serviceaccounts') || !user.groups.includes('system:serviceaccounts:kube-system')) return NO_TRUST;
      for (const k of BOUND_TOKEN_KEYS) if (user.extra[k] !== undefined) return NO_TRUST;
      return this.fromControlPlane(sourceIPs) && this.fromInside(sourceIPs) ? entry : NO_TRUST;
    }
    // kubelets run on every node: which node says nothing, their group, the Node authorizer and
    // (when configured) the cluster's own networks do
    if (name.startsWith('system:node:')) return user.groups.includes('system:nodes') && this.fromInside(sourceIPs) ? this.nodeEntry : NO_TRUST;
    const component = this.components.get(name);
    if (component) return this.fromControlPlane(sourceIPs) && this.fromInside(sourceIPs) ? component : NO_TRUST;
    return NO_TRUST;
  }

  /** The control-plane entry for an event (see `identity`). */
  controlPlane(e: AuditEvent): TrustEntry | undefined {
    return this.identity(e.user, e.sourceIPs, e.impersonatedUser !== undefined);
  }

  /** A managed-platform identity doing its job: the entry that silences `ruleId` on this event. */
  managedFor(ruleId: string, e: AuditEvent): TrustEntry | undefined {
    if (this.managed.size === 0 || e.impersonatedUser !== undefined) return NO_TRUST;
    const list = this.managed.get(e.user.username);
    if (!list) return NO_TRUST;
    for (const m of list) {
      if (!m.rules.includes(ruleId) || !m.verbs.includes(e.verb)) continue;
      if (m.group && !e.user.groups.includes(m.group)) continue;
      if (m.userAgent && !e.userAgent.startsWith(m.userAgent)) continue;
      const bound = e.user.extra['authentication.kubernetes.io/pod-name'] !== undefined;
      if (bound !== m.podBound) continue;
      return { id: `managed:${m.id}`, kind: 'managed', why: `${m.platform}: ${m.why} (only ${m.rules.join(', ')} on ${m.verbs.join('/')})` };
    }
    return NO_TRUST;
  }
}

/** The policy with no configured addresses, for callers without a config. */
export const DEFAULT_TRUST = new TrustPolicy();
