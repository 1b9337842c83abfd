import type { Rule } from '../../core/rule.js';
import latestTag from './latest-tag.js';
import digestMissing from './digest-missing.js';
import untrustedRegistry from './untrusted-registry.js';

export const imageRules: Rule[] = [latestTag, digestMissing, untrustedRegistry];
