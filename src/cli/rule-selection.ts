// `--rules` and `--skip-rules`: rule ids or globs over them (`KM-WL-*`), comma-separated and
// repeatable, as in `.kubemoat.yaml`. A word that names no rule of the command is a usage error:
// a typo must not silently run every rule, or none.

import { nameMatches } from '../core/glob.js';
import { UsageError } from './exit.js';

export interface RuleSelectionFlags {
  rules?: string[];
  skipRules?: string[];
}

/** commander's collector for comma-separated, repeatable lists */
export function commaList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function matching(flag: string, patterns: readonly string[], ids: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const hits = ids.filter((id) => nameMatches(pattern.toUpperCase(), id));
    if (hits.length === 0) throw new UsageError(`${flag} ${pattern}: no rule of this command matches (\`kubemoat rules\` lists them)`);
    for (const h of hits) out.add(h);
  }
  return out;
}

/** The rules to run: those `--rules` names (all without it), less those `--skip-rules` names. */
export function selectRules<R extends { meta: { id: string } }>(rules: readonly R[], flags: RuleSelectionFlags): R[] {
  const ids = rules.map((r) => r.meta.id);
  const wanted = flags.rules?.length ? matching('--rules', flags.rules, ids) : undefined;
  const skipped = flags.skipRules?.length ? matching('--skip-rules', flags.skipRules, ids) : new Set<string>();
  return rules.filter((r) => (wanted === undefined || wanted.has(r.meta.id)) && !skipped.has(r.meta.id));
}
