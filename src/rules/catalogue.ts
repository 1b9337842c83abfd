// Every rule kubemoat knows, in id order. A rule file is listed in its group's index.

import type { Rule } from '../core/rule.js';
import { workloadRules } from './workload/index.js';

export const catalogue: readonly Rule[] = [...workloadRules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

export function findRule(id: string): Rule | undefined {
  const wanted = id.toUpperCase();
  return catalogue.find((r) => r.meta.id === wanted);
}
