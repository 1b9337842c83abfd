import type { Rule } from '../../core/rule.js';
import privileged from './privileged.js';
import limitsMissing from './limits-missing.js';

export const workloadRules: Rule[] = [privileged, limitsMissing];
