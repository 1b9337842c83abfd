// The probe's inventory: every endpoint that answered, what it was recognised as, and what each
// read-only request to it answered. Rules judge these facts; they never touch the network.

export interface CertFacts {
  subject: string;
  issuer: string;
  /** subject and issuer are the same name */
  selfSigned: boolean;
  validFrom: string;
  validTo: string;
  altNames: string[];
  protocol: string;
}

/** What an open port was recognised as, from what it answered (never from the port number alone). */
export type ServiceKind =
  | 'kube-apiserver'
  | 'kubelet'
  | 'kubelet-read-only'
  | 'etcd'
  | 'kubernetes-dashboard'
  | 'docker'
  | 'cadvisor'
  | 'kube-proxy'
  /** kube-controller-manager or kube-scheduler: the same secure-serving stack, told apart only by port */
  | 'kube-component'
  /** an HTTP(S) server that is not a Kubernetes component */
  | 'http'
  /** TLS that would not let us speak HTTP (client certificate required, or no HTTP behind it) */
  | 'tls'
  | 'ssh'
  /** accepted the connection and never said anything */
  | 'silent'
  /** accepted and closed without a word */
  | 'closes'
  /** said something that is neither TLS nor HTTP */
  | 'unknown';

export const KUBERNETES_SERVICES: ReadonlySet<ServiceKind> = new Set([
  'kube-apiserver',
  'kubelet',
  'kubelet-read-only',
  'etcd',
  'kubernetes-dashboard',
  'docker',
  'cadvisor',
  'kube-proxy',
  'kube-component',
]);

/** One read-only request and what came back, reduced to what a rule or a reader needs. */
export interface Observation {
  /** e.g. "GET /pods" */
  request: string;
  /** HTTP status; absent when no HTTP answer came */
  status?: number;
  /** why no HTTP answer came: timeout, reset, not-http, client-cert-required, … */
  failure?: string;
  /** a short description of what came back, e.g. "PodList" or "404 pod does not exist" */
  shape?: string;
  /** counts worth showing as evidence (pods, keys, secrets…) */
  counts?: Record<string, number>;
  /** redacted examples (credential-looking env values, …) */
  samples?: string[];
  /** short non-secret text (an error message, the output of `id` under --active) */
  text?: string;
}

export interface ProbedEndpoint {
  host: string;
  port: number;
  scheme: 'https' | 'http' | 'tcp';
  tls?: CertFacts;
  /** the TLS server refused to go on without a client certificate */
  clientCertRequired?: boolean;
  service: ServiceKind;
  /** why it was recognised as `service`, in a few words */
  identifiedBy: string;
  version?: string;
  /** keyed by check id, e.g. `kubelet.pods`, `etcd.v3.count` */
  observations: Record<string, Observation>;
}

export function endpointUrl(ep: Pick<ProbedEndpoint, 'host' | 'port' | 'scheme'>): string {
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `${ep.scheme}://${host}:${ep.port}`;
}

export interface HostSummary {
  host: string;
  open: { port: number; service: ServiceKind; scheme: ProbedEndpoint['scheme']; version?: string }[];
  findings: number;
  worst?: string;
}
