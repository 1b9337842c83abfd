import type { Rule } from '../../core/rule.js';
import podSecurityLabel from './pod-security-label.js';

export const namespaceRules: Rule[] = [podSecurityLabel];
