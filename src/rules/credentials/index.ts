import type { Rule } from '../../core/rule.js';
import envLiteralSecret from './env-literal-secret.js';
import configmapSecret from './configmap-secret.js';
import secretAsEnv from './secret-as-env.js';
import secretCommitted from './secret-committed.js';

export const credentialsRules: Rule[] = [envLiteralSecret, configmapSecret, secretAsEnv, secretCommitted];
