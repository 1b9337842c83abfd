import type { Rule } from '../../core/rule.js';
import clusterAdminBinding from './cluster-admin-binding.js';
import publicBinding from './public-binding.js';

export const rbacRules: Rule[] = [clusterAdminBinding, publicBinding];
