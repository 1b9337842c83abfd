// Every rule kubemoat knows, in id order. A rule file is listed in its group's index.

import type { Rule } from '../core/rule.js';
import { workloadRules } from './workload/index.js';
import { imageRules } from './image/index.js';
import { credentialsRules } from './credentials/index.js';
import { exposureRules } from './exposure/index.js';
import { namespaceRules } from './namespace/index.js';
import { rbacRules } from './rbac/index.js';
import { rbacAnalysisRules } from './rbac-analysis/index.js';
import { networkRules } from './network/index.js';
import { kubeletRules } from './kubelet/index.js';
import { controlPlaneRules } from './control-plane/index.js';
import { etcdRules } from './etcd/index.js';
import { nodeRules } from './node/index.js';

export const catalogue: readonly Rule[] = [
  ...workloadRules,
  ...imageRules,
  ...credentialsRules,
  ...exposureRules,
  ...namespaceRules,
  ...rbacRules,
  ...rbacAnalysisRules,
  ...networkRules,
  ...kubeletRules,
  ...controlPlaneRules,
  ...etcdRules,
  ...nodeRules,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

export function findRule(id: string): Rule | undefined {
  const wanted = id.toUpperCase();
  return catalogue.find((r) => r.meta.id === wanted);
}
