// The default ClusterRoles and namespaced Roles every API server creates at start (Kubernetes
// bootstrap policy, as of v1.37 with default feature gates). Manifests bind to them without defining
// them (`cluster-admin`, `view`, `system:auth-delegator`, `extension-apiserver-authentication-reader`
// in kube-system); the graph uses these definitions when the inventory lacks the role. A live cluster
// lists its own copies, which win.

export interface BuiltinRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface BuiltinClusterRole {
  name: string;
  labels: Record<string, string>;
  /** matchLabels of each clusterRoleSelector, for the aggregated roles */
  aggregate?: Record<string, string>[];
  rules: BuiltinRule[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

/** The label the API server puts on every object of its bootstrap policy. */
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
export const BOOTSTRAP_VALUE = 'rbac-defaults';

function r(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): BuiltinRule {
  return { verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) };
}
function url(verbs: string[], nonResourceURLs: string[]): BuiltinRule {
  return { verbs, nonResourceURLs };
}

const DISCOVERY_URLS = ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'];
const PUBLIC_INFO_URLS = ['/livez', '/readyz', '/healthz', '/version', '/version/'];
const ISSUER_DISCOVERY_URLS = ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'];

const VIEW_RULES: BuiltinRule[] = [
  r(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
  r(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
  r(READ, [''], ['namespaces']),
  r(READ, ['', 'events.k8s.io'], ['events']),
  r(READ, ['discovery.k8s.io'], ['endpointslices']),
  r(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
  r(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  r(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
  r(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
  r(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  r(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
  r(READ, ['resource.k8s.io'], ['resourceclaims', 'resourceclaims/status', 'resourceclaimtemplates']),
];

const EDIT_RULES: BuiltinRule[] = [
  r(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
  r(['impersonate'], [''], ['serviceaccounts']),
  r(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  r(['create'], [''], ['pods/eviction']),
  r(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets']),
  r(['create'], [''], ['serviceaccounts/token']),
  r(WRITE, ['', 'events.k8s.io'], ['events']),
  r(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
  r(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  r(WRITE, ['batch'], ['jobs', 'cronjobs']),
  r(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
  r(WRITE, ['policy'], ['poddisruptionbudgets']),
  r(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  r(READ_WRITE, ['coordination.k8s.io'], ['leases']),
  r(WRITE, ['resource.k8s.io'], ['resourceclaims', 'resourceclaimtemplates']),
];

const DEFAULTS = { [BOOTSTRAP_LABEL]: BOOTSTRAP_VALUE };

function role(name: string, rules: BuiltinRule[], labels: Record<string, string> = {}, aggregate?: Record<string, string>[]): BuiltinClusterRole {
  return { name, labels: { ...DEFAULTS, ...labels }, rules, ...(aggregate ? { aggregate } : {}) };
}

export const BUILTIN_CLUSTER_ROLES: readonly BuiltinClusterRole[] = [
  role('cluster-admin', [r(['*'], ['*'], ['*']), url(['*'], ['*'])]),
  role('system:discovery', [url(['get'], DISCOVERY_URLS)]),
  role('system:monitoring', [url(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*']), r(['get'], [''], ['nodes/metrics'])]),
  role('system:basic-user', [r(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), r(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])]),
  role('system:public-info-viewer', [url(['get'], PUBLIC_INFO_URLS)]),
  role('system:service-account-issuer-discovery', [url(['get'], ISSUER_DISCOVERY_URLS)]),
  role('admin', [], {}, [{ [AGG_ADMIN]: 'true' }]),
  role('edit', [], { [AGG_ADMIN]: 'true' }, [{ [AGG_EDIT]: 'true' }]),
  role('view', [], { [AGG_EDIT]: 'true' }, [{ [AGG_VIEW]: 'true' }]),
  role('system:aggregate-to-admin', [r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), r(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings'])], { [AGG_ADMIN]: 'true' }),
  role('system:aggregate-to-edit', EDIT_RULES, { [AGG_EDIT]: 'true' }),
  role('system:aggregate-to-view', VIEW_RULES, { [AGG_VIEW]: 'true' }),
  role('system:heapster', [r(READ, [''], ['events', 'pods', 'nodes', 'namespaces']), r(READ, ['extensions'], ['deployments'])]),
  role('system:node', [
    r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    r(READ, [''], ['services']),
    r(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    r(['update', 'patch'], [''], ['nodes/status']),
    r(['update', 'patch'], [''], ['nodes']),
    r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
    r(READ, [''], ['pods']),
    r(['create', 'delete'], [''], ['pods']),
    r(['update', 'patch'], [''], ['pods/status']),
    r(['create'], [''], ['pods/eviction']),
    r(READ, [''], ['secrets', 'configmaps']),
    r(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    r(['get'], [''], ['endpoints']),
    r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    r(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    r(['get'], ['storage.k8s.io'], ['volumeattachments']),
    r(['create'], [''], ['serviceaccounts/token']),
    r(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
    r(READ, ['storage.k8s.io'], ['csidrivers']),
    r(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
    r(READ, ['node.k8s.io'], ['runtimeclasses']),
  ]),
  role('system:node-problem-detector', [r(['get'], [''], ['nodes']), r(['patch'], [''], ['nodes/status']), r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events'])]),
  role('system:node-bootstrapper', [r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
  role('system:auth-delegator', [r(['create'], ['authentication.k8s.io'], ['tokenreviews']), r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])]),
  role('system:kube-aggregator', [r(READ, [''], ['services', 'endpoints'])]),
  role('system:kube-controller-manager', [
    r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
    r(['create'], ['coordination.k8s.io'], ['leases']),
    r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
    r(['create'], [''], ['secrets', 'serviceaccounts']),
    r(['delete'], [''], ['secrets']),
    r(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
    r(['update'], [''], ['secrets', 'serviceaccounts']),
    r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    r(['list', 'watch'], ['*'], ['*']),
    r(['create'], [''], ['serviceaccounts/token']),
  ]),
  role('system:kube-dns', [r(['list', 'watch'], [''], ['endpoints', 'services'])]),
  role('system:persistent-volume-provisioner', [
    r(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
    r(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
    r(READ, ['storage.k8s.io'], ['storageclasses']),
    r(['watch'], [''], ['events']),
    r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
  ]),
  role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [r(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
  role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [r(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
  role('system:volume-scheduler', [r([...READ, 'update', 'patch'], [''], ['persistentvolumes']), r(READ, ['storage.k8s.io'], ['storageclasses']), r([...READ, 'update', 'patch'], [''], ['persistentvolumeclaims'])]),
  role('system:certificates.k8s.io:legacy-unknown-approver', [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown'])]),
  role('system:certificates.k8s.io:kubelet-serving-approver', [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-approver', [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
  role('system:kubelet-api-admin', [r(READ, [''], ['nodes']), r(['proxy'], [''], ['nodes']), r(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log']), r(['*'], [''], ['nodes/pods', 'nodes/healthz', 'nodes/configz'])]),
  role('system:node-proxier', [r(['list', 'watch'], [''], ['services', 'endpoints']), r(READ, [''], ['nodes']), r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']), r(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])]),
];

export interface BuiltinRole {
  namespace: string;
  name: string;
  rules: BuiltinRule[];
}

const LEADER_LOCKING = [r(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases']), r(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leasecandidates'])];
const CONTROLLER_EVENTS = r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']);

/**
 * The namespaced Roles of the bootstrap policy (its namespace-roles): aggregated API servers such as
 * metrics-server bind `extension-apiserver-authentication-reader` in kube-system to read the
 * front proxy's CA, and the role is there in every cluster.
 */
export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  { namespace: 'kube-public', name: 'system:controller:bootstrap-signer', rules: [r(READ, [''], ['configmaps']), r(['update'], [''], ['configmaps'], ['cluster-info']), CONTROLLER_EVENTS] },
  { namespace: 'kube-system', name: 'extension-apiserver-authentication-reader', rules: [r(READ, [''], ['configmaps'], ['extension-apiserver-authentication'])] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-controller-manager', rules: LEADER_LOCKING },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-scheduler', rules: LEADER_LOCKING },
  { namespace: 'kube-system', name: 'system:controller:bootstrap-signer', rules: [r(READ, [''], ['secrets'])] },
  { namespace: 'kube-system', name: 'system:controller:cloud-provider', rules: [r(['create', 'get', 'list', 'watch'], [''], ['configmaps'])] },
  { namespace: 'kube-system', name: 'system:controller:token-cleaner', rules: [r(['delete', 'get', 'list', 'watch'], [''], ['secrets']), CONTROLLER_EVENTS] },
];

/** The ClusterRoles the default bindings give every caller (and, for public-info-viewer, anonymous ones). */
export const DISCOVERY_ROLES: ReadonlySet<string> = new Set(['system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:service-account-issuer-discovery']);

/** The default ClusterRoleBindings, by name → the subjects the bootstrap policy gives them. */
export const BUILTIN_CLUSTER_ROLE_BINDINGS: ReadonlyMap<string, readonly string[]> = new Map([
  ['cluster-admin', ['Group:system:masters']],
  ['system:monitoring', ['Group:system:monitoring']],
  ['system:discovery', ['Group:system:authenticated']],
  ['system:basic-user', ['Group:system:authenticated']],
  ['system:public-info-viewer', ['Group:system:authenticated', 'Group:system:unauthenticated']],
  ['system:node-proxier', ['User:system:kube-proxy']],
  ['system:kube-controller-manager', ['User:system:kube-controller-manager']],
  ['system:kube-dns', ['ServiceAccount:kube-system/kube-dns']],
  ['system:kube-scheduler', ['User:system:kube-scheduler']],
  ['system:volume-scheduler', ['User:system:kube-scheduler']],
  ['system:node', []],
  ['system:service-account-issuer-discovery', ['Group:system:serviceaccounts']],
  ['system:cluster-trust-bundle-discovery', ['Group:system:serviceaccounts']],
]);
