// Example Role/ClusterRole writes shared by the role rules.

import type { JsonObject } from '../../core/json.js';
import { ADMIN, auditEvent, type ExampleUser } from './examples.js';

export function roleEvent(kind: 'ClusterRole' | 'Role', name: string, rules: JsonObject[], user: ExampleUser = ADMIN, namespace?: string, verb = 'create'): JsonObject {
  const resource = kind === 'ClusterRole' ? 'clusterroles' : 'roles';
  const body: JsonObject = { kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: namespace ? { name, namespace } : { name }, rules };
  return auditEvent({
    verb, level: 'RequestResponse', code: verb === 'create' ? 201 : 200, user, resource, apiGroup: 'rbac.authorization.k8s.io', name, namespace,
    uri: `/apis/rbac.authorization.k8s.io/v1/${namespace ? `namespaces/${namespace}/` : ''}${resource}${verb === 'create' ? '' : `/${name}`}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
    requestObject: body, responseObject: body,
  });
}
