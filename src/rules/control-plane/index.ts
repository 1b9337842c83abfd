import type { Rule } from '../../core/rule.js';
import anonymousAuth from './anonymous-auth.js';
import alwaysAllow from './always-allow.js';
import authorizationModes from './authorization-modes.js';
import insecurePort from './insecure-port.js';
import staticCredentials from './static-credentials.js';
import kubeletTls from './kubelet-tls.js';
import alwaysAdmit from './always-admit.js';
import nodeRestriction from './node-restriction.js';
import admissionDisabled from './admission-disabled.js';
import profiling from './profiling.js';
import auditLog from './audit-log.js';
import auditRetention from './audit-retention.js';
import etcdConnection from './etcd-connection.js';
import servingTls from './serving-tls.js';
import encryptionAtRest from './encryption-at-rest.js';
import serviceAccountTokens from './service-account-tokens.js';
import controllerCredentials from './controller-credentials.js';
import controllerKeys from './controller-keys.js';
import bindAddress from './bind-address.js';
import apiserviceTls from './apiservice-tls.js';

export const controlPlaneRules: Rule[] = [
  anonymousAuth,
  alwaysAllow,
  authorizationModes,
  insecurePort,
  staticCredentials,
  kubeletTls,
  alwaysAdmit,
  nodeRestriction,
  admissionDisabled,
  profiling,
  auditLog,
  auditRetention,
  etcdConnection,
  servingTls,
  encryptionAtRest,
  serviceAccountTokens,
  controllerCredentials,
  controllerKeys,
  bindAddress,
  apiserviceTls,
];
