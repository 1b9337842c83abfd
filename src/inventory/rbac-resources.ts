// What the RBAC analysis needs to know about resource types without asking an API server: the API
// group of a plain resource name (so `who-can get deployments` means `deployments.apps`), and which
// resources are cluster-scoped (a RoleBinding never grants those, whatever its role says).

/** Built-in resources by plural name → API group. The first group is the one a bare name resolves to. */
const KNOWN_RESOURCES: Record<string, string> = {
  // core
  pods: '',
  services: '',
  endpoints: '',
  secrets: '',
  configmaps: '',
  serviceaccounts: '',
  namespaces: '',
  nodes: '',
  persistentvolumes: '',
  persistentvolumeclaims: '',
  replicationcontrollers: '',
  events: '',
  limitranges: '',
  resourcequotas: '',
  podtemplates: '',
  bindings: '',
  componentstatuses: '',
  // apps
  deployments: 'apps',
  replicasets: 'apps',
  statefulsets: 'apps',
  daemonsets: 'apps',
  controllerrevisions: 'apps',
  // batch
  jobs: 'batch',
  cronjobs: 'batch',
  // autoscaling, policy
  horizontalpodautoscalers: 'autoscaling',
  poddisruptionbudgets: 'policy',
  // networking
  networkpolicies: 'networking.k8s.io',
  ingresses: 'networking.k8s.io',
  ingressclasses: 'networking.k8s.io',
  endpointslices: 'discovery.k8s.io',
  // rbac
  roles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  // certificates, authn/z
  certificatesigningrequests: 'certificates.k8s.io',
  signers: 'certificates.k8s.io',
  clustertrustbundles: 'certificates.k8s.io',
  tokenreviews: 'authentication.k8s.io',
  selfsubjectreviews: 'authentication.k8s.io',
  subjectaccessreviews: 'authorization.k8s.io',
  selfsubjectaccessreviews: 'authorization.k8s.io',
  selfsubjectrulesreviews: 'authorization.k8s.io',
  localsubjectaccessreviews: 'authorization.k8s.io',
  // admission, extension
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingadmissionpolicies: 'admissionregistration.k8s.io',
  validatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  mutatingadmissionpolicies: 'admissionregistration.k8s.io',
  mutatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
  apiservices: 'apiregistration.k8s.io',
  // storage, scheduling, node
  storageclasses: 'storage.k8s.io',
  volumeattachments: 'storage.k8s.io',
  csidrivers: 'storage.k8s.io',
  csinodes: 'storage.k8s.io',
  csistoragecapacities: 'storage.k8s.io',
  priorityclasses: 'scheduling.k8s.io',
  runtimeclasses: 'node.k8s.io',
  leases: 'coordination.k8s.io',
  flowschemas: 'flowcontrol.apiserver.k8s.io',
  prioritylevelconfigurations: 'flowcontrol.apiserver.k8s.io',
};

/** Built-in cluster-scoped resources as `group/resource` (core: `/resource`). */
const CLUSTER_SCOPED = new Set([
  '/namespaces',
  '/nodes',
  '/persistentvolumes',
  '/componentstatuses',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
  'certificates.k8s.io/certificatesigningrequests',
  'certificates.k8s.io/signers',
  'certificates.k8s.io/clustertrustbundles',
  'authentication.k8s.io/tokenreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingadmissionpolicies',
  'admissionregistration.k8s.io/validatingadmissionpolicybindings',
  'admissionregistration.k8s.io/mutatingadmissionpolicies',
  'admissionregistration.k8s.io/mutatingadmissionpolicybindings',
  'apiextensions.k8s.io/customresourcedefinitions',
  'apiregistration.k8s.io/apiservices',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/volumeattachments',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/csinodes',
  'scheduling.k8s.io/priorityclasses',
  'node.k8s.io/runtimeclasses',
  'networking.k8s.io/ingressclasses',
  'flowcontrol.apiserver.k8s.io/flowschemas',
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations',
]);

/** Is this built-in resource cluster-scoped? Unknown resources (CRDs) are assumed namespaced. */
export function isClusterScoped(group: string, resource: string): boolean {
  return CLUSTER_SCOPED.has(`${group}/${resource}`);
}

export function knownGroupOf(resource: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(KNOWN_RESOURCES, resource) ? KNOWN_RESOURCES[resource] : undefined;
}

export interface ParsedResource {
  resource: string;
  subresource?: string;
  group: string;
  /** the name was neither known nor qualified with a group: the core group was assumed */
  guessed: boolean;
}

/**
 * Parse what a user types, as kubectl does: `pods`, `pods/exec`, `deployments.apps`,
 * `deployments.apps/scale`, `foos.example.com`, `*`. An explicit group wins.
 */
export function parseResource(text: string, explicitGroup?: string): ParsedResource {
  const slash = text.indexOf('/');
  const head = slash < 0 ? text : text.slice(0, slash);
  const subresource = slash < 0 ? undefined : text.slice(slash + 1) || undefined;
  let resource = head.toLowerCase();
  let group: string | undefined = explicitGroup;
  if (group === undefined) {
    const dot = resource.indexOf('.');
    if (dot > 0 && knownGroupOf(resource) === undefined) {
      group = resource.slice(dot + 1);
      resource = resource.slice(0, dot);
    }
  }
  if (group === undefined && resource === '*') group = '*';
  if (group !== undefined) return { resource, group, guessed: false, ...(subresource ? { subresource } : {}) };
  const known = knownGroupOf(resource);
  return { resource, group: known ?? '', guessed: known === undefined, ...(subresource ? { subresource } : {}) };
}

/** Workload kinds whose pod template a writer controls: the resources that create pods. */
export const POD_CONTROLLERS: readonly { group: string; resource: string }[] = [
  { group: 'apps', resource: 'deployments' },
  { group: 'apps', resource: 'replicasets' },
  { group: 'apps', resource: 'statefulsets' },
  { group: 'apps', resource: 'daemonsets' },
  { group: 'batch', resource: 'jobs' },
  { group: 'batch', resource: 'cronjobs' },
  { group: '', resource: 'replicationcontrollers' },
  // the long-removed extensions group still matches rules written for it
  { group: 'extensions', resource: 'deployments' },
  { group: 'extensions', resource: 'replicasets' },
  { group: 'extensions', resource: 'daemonsets' },
];

/** `deployments.apps`, `pods`, `deployments.apps/scale`, as kubectl prints a resource. */
export function qualifiedResource(group: string, resource: string): string {
  if (group === '') return resource;
  const slash = resource.indexOf('/');
  return slash < 0 ? `${resource}.${group}` : `${resource.slice(0, slash)}.${group}${resource.slice(slash)}`;
}
