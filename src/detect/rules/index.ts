// Every detection rule, in id order. Each rule is one file with its metadata and examples.

import type { DetectionRule } from '../rule.js';
import exec from './exec.js';
import attach from './attach.js';
import portForward from './port-forward.js';
import ephemeralContainer from './ephemeral-container.js';
import anonymousAllowed from './anonymous-allowed.js';
import privilegedPod from './privileged-pod.js';
import sensitiveMount from './sensitive-mount.js';
import hostNamespaces from './host-namespaces.js';
import kubeSystemPod from './kube-system-pod.js';
import kubeSystemSA from './kube-system-sa.js';
import clusterAdminBinding from './cluster-admin-binding.js';
import wildcardRole from './wildcard-role.js';
import execRole from './exec-role.js';
import secretsRole from './secrets-role.js';
import systemRoleModified from './system-role-modified.js';
import secretsRead from './secrets-read.js';
import tokenMinted from './token-minted.js';
import csrApproved from './csr-approved.js';
import admissionWebhook from './admission-webhook.js';
import nodePortService from './nodeport-service.js';
import configMapCredentials from './configmap-credentials.js';
import ingressWithoutTls from './ingress-without-tls.js';
import nodesProxy from './nodes-proxy.js';
import suspiciousUserAgent from './suspicious-user-agent.js';
import deniedBurst from './denied-burst.js';
import probeThenSuccess from './chain-probe-then-success.js';
import bindingUsed from './chain-binding-used.js';
import execThenSecrets from './chain-exec-then-secrets.js';
import controllerPod from './controller-pod.js';
import powerfulBinding from './powerful-binding.js';
import dangerousCapabilities from './dangerous-capabilities.js';
import rootUser from './root-user.js';
import csrCreated from './csr-created.js';
import credentialOutside from './credential-outside.js';
import reconnaissance from './reconnaissance.js';
import eventsDeleted from './events-deleted.js';
import massDeletion from './mass-deletion.js';
import persistentWorkload from './persistent-workload.js';
import clusterConfigMap from './cluster-config-map.js';
import impersonation from './impersonation.js';
import escalationRole from './escalation-role.js';

export const detectionRules: readonly DetectionRule[] = [
  exec, attach, portForward, ephemeralContainer, anonymousAllowed, privilegedPod, sensitiveMount, hostNamespaces,
  kubeSystemPod, kubeSystemSA, clusterAdminBinding, wildcardRole, execRole, secretsRole, systemRoleModified, secretsRead,
  tokenMinted, csrApproved, admissionWebhook, nodePortService, configMapCredentials, ingressWithoutTls, nodesProxy,
  suspiciousUserAgent, deniedBurst, probeThenSuccess, bindingUsed, execThenSecrets, controllerPod, powerfulBinding,
  dangerousCapabilities, rootUser, csrCreated, credentialOutside, reconnaissance, eventsDeleted, massDeletion,
  persistentWorkload, clusterConfigMap, impersonation, escalationRole,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

export function findDetectionRule(id: string): DetectionRule | undefined {
  return detectionRules.find((r) => r.meta.id === id.toUpperCase());
}
