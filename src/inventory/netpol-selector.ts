// Label selectors as NetworkPolicy uses them, compiled once: matchLabels and matchExpressions
// (In, NotIn, Exists, DoesNotExist), ANDed together. The semantics follow selectorMatches in
// objects.ts, extended with validation (what the API server would refuse matches nothing here) and
// with a printable form.

import { asArray, asObject, asString, isObject, type JsonValue } from '../core/json.js';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: readonly string[];
}

export interface Selector {
  /** no requirement at all: selects everything (`{}`) */
  readonly empty: boolean;
  /** the API server would refuse it (unknown operator, In without values, …): it selects nothing here */
  readonly invalid?: string;
  readonly requirements: readonly Requirement[];
  /** kubectl-style: `app=web,tier in (a,b),!legacy`, or `(all)` */
  readonly text: string;
  matches(labels: Readonly<Record<string, string>>): boolean;
}

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function scalarText(v: JsonValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function requirementText(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

function matchRequirement(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key]);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

function build(requirements: Requirement[], invalid: string | undefined): Selector {
  const text = invalid !== undefined ? `(invalid: ${invalid})` : requirements.length === 0 ? '(all)' : requirements.map(requirementText).join(',');
  return {
    empty: invalid === undefined && requirements.length === 0,
    ...(invalid !== undefined ? { invalid } : {}),
    requirements,
    text,
    matches:
      invalid !== undefined
        ? () => false
        : requirements.length === 0
          ? () => true
          : (labels) => requirements.every((r) => matchRequirement(r, labels)),
  };
}

export const SELECT_ALL: Selector = build([], undefined);

/** Compile a LabelSelector. `null` and a missing selector are for the caller to interpret (they mean different things in different fields). */
export function compileSelector(value: JsonValue | undefined): Selector {
  if (value === undefined || value === null) return SELECT_ALL;
  const sel = asObject(value);
  if (sel === undefined) return build([], 'not an object');
  const requirements: Requirement[] = [];
  const ml = sel.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isObject(ml)) return build([], 'matchLabels is not a map');
    for (const [key, v] of Object.entries(ml)) {
      const s = scalarText(v);
      if (s === undefined) return build([], `matchLabels.${key} is not a string`);
      requirements.push({ key, operator: 'In', values: [s] });
    }
  }
  const me = sel.matchExpressions;
  if (me !== undefined && me !== null && !Array.isArray(me)) return build([], 'matchExpressions is not a list');
  for (const raw of asArray(me)) {
    const e = asObject(raw);
    const key = asString(e?.key);
    const operator = asString(e?.operator);
    if (e === undefined || !key) return build([], 'a matchExpression has no key');
    if (operator === undefined || !OPERATORS.has(operator)) return build([], `unknown operator \`${String(e.operator)}\` for key ${key}`);
    const values: string[] = [];
    for (const v of asArray(e.values)) {
      const s = scalarText(v);
      if (s !== undefined) values.push(s);
    }
    const op = operator as SelectorOperator;
    if ((op === 'In' || op === 'NotIn') && values.length === 0) return build([], `${op} on ${key} needs values`);
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) return build([], `${op} on ${key} takes no values`);
    requirements.push({ key, operator: op, values });
  }
  return build(requirements, undefined);
}

/**
 * Does the selector also match namespaces nobody has listed yet? True when it has no positive
 * requirement beyond the label every namespace carries (`kubernetes.io/metadata.name` Exists):
 * `{}`, `NotIn`, `DoesNotExist`. A namespace created tomorrow, by anyone allowed to, is selected.
 */
export function isOpenEnded(s: Selector, universalKeys: ReadonlySet<string>): boolean {
  if (s.invalid !== undefined) return false;
  return s.requirements.every((r) => r.operator === 'NotIn' || r.operator === 'DoesNotExist' || (r.operator === 'Exists' && universalKeys.has(r.key)));
}
