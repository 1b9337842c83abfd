// The attack-path report: how the doors kubemoat found chain from an entry point to an asset.
// Every step is proved by one or more findings of the catalogue; a path never claims what no rule
// proved. This is the JSON contract of `kubemoat paths -f json` and what the HTML report draws.

import type { CoverageGap, Endpoint, ResourceRef, Severity, SourceLocation, SubjectRef } from '../core/finding.js';

export type { SubjectRef };

/** Where an attacker starts. */
export type EntryKind =
  /** anyone who can open a TCP connection to the cluster's endpoints, with no credentials */
  | 'network'
  /** code running in one pod of the cluster (a compromised application): paths start at the pod */
  | 'any-pod'
  /** any user or service account the API server authenticates (group system:authenticated) */
  | 'authenticated'
  /** a subject named with `--from` */
  | 'subject';

/** What an attacker wants. */
export type AssetKind = 'cluster-admin' | 'node-root' | 'all-secrets' | 'cloud-credentials' | 'etcd';

export const ENTRY_KINDS: readonly EntryKind[] = ['network', 'any-pod', 'authenticated', 'subject'];
export const ASSET_KINDS: readonly AssetKind[] = ['cluster-admin', 'node-root', 'all-secrets', 'cloud-credentials', 'etcd'];

/** A place on the graph an attacker can stand. `id` is stable across runs on the same cluster. */
export type Vertex =
  | { type: 'entry'; id: string; label: string; entry: EntryKind; subject?: SubjectRef }
  /** code execution in the pods of a workload */
  | { type: 'workload'; id: string; label: string; resource: ResourceRef; nodes: string[]; serviceAccount?: string }
  /** holding an identity's credentials (a service account token, a user) */
  | { type: 'identity'; id: string; label: string; subject: SubjectRef }
  /** root on one node */
  | { type: 'node'; id: string; label: string; node: string }
  | { type: 'asset'; id: string; label: string; asset: AssetKind };

/** How a step is taken. */
export type Technique =
  | 'kubelet-exec' // run a command in a pod through the kubelet API
  | 'kubelet-read' // read pod specs (env) through the kubelet API
  | 'api-unauthenticated' // use the API server with no credentials
  | 'etcd-direct' // read and write etcd with no client certificate
  | 'console' // act through a console with no login
  | 'runtime-api' // a container runtime API (Docker) open on the network
  | 'container-escape' // from a container to its node
  | 'token-theft' // take the service account token mounted in a pod
  | 'node-credentials' // from node root to what the node holds
  | 'rbac' // what the identity's RBAC grants: exec, pod create, secrets, bind, …
  | 'metadata' // reach the cloud metadata endpoint
  | 'credential-in-spec'; // a credential written in a pod's spec

/** A finding behind a step, as much of it as a reader needs to find and fix it. */
export interface StepFinding {
  ruleId: string;
  severity: Severity;
  title: string;
  fingerprint: string;
  message: string;
  remediation: string;
  resource?: ResourceRef;
  location?: SourceLocation;
  endpoint?: Endpoint;
  evidence?: string;
  /** an accepted finding still opens the step: the reason it was accepted */
  suppressed?: string;
}

/** A runtime or audit alert that shows a step was taken. */
export interface ObservedAlert {
  ruleId: string;
  at: string;
  summary: string;
}

export interface Edge {
  from: string;
  to: string;
  technique: Technique;
  /** what the attacker does, in plain words */
  action: string;
  /** every finding this step needs (all of them: fixing any one closes the step) */
  findings: string[];
}

export interface PathStep extends Omit<Edge, 'findings'> {
  findings: StepFinding[];
  observed?: ObservedAlert[];
}

export interface AttackPath {
  /** stable: entry, target and the fingerprints of its steps */
  id: string;
  from: EntryKind;
  /** the start vertex (the entry, or for any-pod the pod) */
  start: string;
  to: AssetKind;
  /** the asset vertex reached */
  target: string;
  length: number;
  steps: PathStep[];
  /** every step was seen happening (runtime or audit alerts); `partly` when some were */
  observed: 'no' | 'partly' | 'happening';
}

/** A finding that sits on paths, and what fixing it would close. */
export interface Door {
  fingerprint: string;
  ruleId: string;
  title: string;
  severity: Severity;
  remediation: string;
  resource?: ResourceRef;
  location?: SourceLocation;
  endpoint?: Endpoint;
  /** the other findings of the same door (the kubelet's settings and what the probe saw on its port): one fix */
  also?: string[];
  /** reported paths that take a step through it */
  paths: number;
  /** reported paths that lose every way from their start to their asset once it is fixed */
  cuts: number;
}

export interface PathsSummary {
  vertices: number;
  edges: number;
  paths: number;
  /** entry → asset pairs joined by at least one path */
  pairs: number;
  byEntry: Partial<Record<EntryKind, number>>;
  byAsset: Partial<Record<AssetKind, number>>;
  findingsUsed: number;
}

export interface PathsReport {
  schemaVersion: string;
  tool: string;
  version: string;
  startedAt: string;
  target: { type: 'cluster'; context: string } | { type: 'manifests'; paths: string[] };
  /** the evidence read: which commands' findings went into the graph */
  evidence: { source: 'cluster' | 'manifests' | 'probe' | 'node' | 'store'; what: string; findings: number }[];
  /** doors ranked by how much fixing each one cuts, the best single change first */
  doors: Door[];
  /** shortest paths, ranked by length then by their worst door's cut */
  paths: AttackPath[];
  /** the part of the graph the reported paths use, for drawing */
  graph: { vertices: Vertex[]; edges: Edge[] };
  summary: PathsSummary;
  coverage: CoverageGap[];
}
