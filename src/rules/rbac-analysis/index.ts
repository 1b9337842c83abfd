// RBAC analysis on the resolved graph (src/inventory/rbac.ts): what each binding really grants, and
// where chains of grants lead. Simple binding checks (cluster-admin, anonymous) live in ../rbac.
// The capability rules and the default-service-account fact are reported together (./grants.ts):
// one finding per subject, binding and granting role rule.

import type { Rule } from '../../core/rule.js';
import { grantRules } from './grants.js';
import wildcard from './wildcard.js';
import secretsRead from './secrets-read.js';
import podExec from './pod-exec.js';
import nodesProxy from './nodes-proxy.js';
import podCreate from './pod-create.js';
import escalateBindImpersonate from './escalate-bind-impersonate.js';
import tokenCreate from './token-create.js';
import csrApprove from './csr-approve.js';
import webhookConfig from './webhook-config.js';
import persistentVolumeCreate from './persistent-volume-create.js';
import defaultServiceAccount from './default-service-account.js';
import danglingRoleRef from './dangling-role-ref.js';
import escalationPath from './escalation-path.js';

export const rbacAnalysisRules: Rule[] = [
  ...grantRules([
    wildcard,
    secretsRead,
    podExec,
    nodesProxy,
    podCreate,
    escalateBindImpersonate,
    tokenCreate,
    csrApprove,
    webhookConfig,
    persistentVolumeCreate,
    defaultServiceAccount,
  ]),
  danglingRoleRef,
  escalationPath,
];
