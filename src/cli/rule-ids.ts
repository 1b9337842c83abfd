// The rule ids `.kubemoat.yaml` may name, from every catalogue: the config is read by every command,
// and a suppression names rules of scan, cluster, node, probe and images alike.

import type { RuleIds } from '../core/config.js';
import { catalogue } from '../rules/catalogue.js';
import { probeRules } from '../probe/rules/index.js';
import { IMAGE_SCAN_RULES } from '../images/rules.js';
import { detectionRules } from '../detect/rules/index.js';
import { runtimeRules } from '../detect/runtime/rules/index.js';

export function knownRuleIds(): RuleIds {
  return {
    scan: [...catalogue.map((r) => r.meta.id), ...probeRules.map((r) => r.meta.id), ...IMAGE_SCAN_RULES.map((r) => r.id)],
    detect: [...detectionRules.map((r) => r.meta.id), ...runtimeRules.map((r) => r.meta.id)],
  };
}
