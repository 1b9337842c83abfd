import type { Rule } from '../../core/rule.js';

export const namespaceRules: Rule[] = [];
