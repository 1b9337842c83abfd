import type { Rule } from '../../core/rule.js';
import clusterAdminBinding from './cluster-admin-binding.js';
import publicBinding from './public-binding.js';
import anonymousAccess from './anonymous-access.js';

export const rbacRules: Rule[] = [clusterAdminBinding, publicBinding, anonymousAccess];
