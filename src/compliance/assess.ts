// `--compliance`: a stage after the rules that reads findings, never objects. Each control of the
// framework is failed by a finding that carries its id, passes only when every rule that checks it
// ran, at least one of them had something in the target to examine, and none found anything; in
// every other case it is not assessed, and says why. A pass is never claimed for what no rule saw.

import { subjectOf, type Finding, type Frameworks } from '../core/finding.js';
import type { ComplianceFramework, ComplianceSummary, ControlResult, ControlStatus } from '../core/report.js';
import type { RuleMeta } from '../core/rule.js';
import { COMPLIANCE_DEFINITIONS, type ControlDefinition } from './controls.js';

export interface ComplianceInput {
  framework: ComplianceFramework;
  /** every rule the command has, selected or not: a control's rules are looked up here */
  catalogue: readonly { meta: Pick<RuleMeta, 'id' | 'frameworks'> }[];
  /** ids of the rules that ran (after --rules and --skip-rules) */
  ran: ReadonlySet<string>;
  /** ids of the rules that were given something to examine */
  examined: ReadonlySet<string>;
  /** every finding of the run, suppressed ones too, before --severity */
  findings: readonly Finding[];
  /** whether what a control is about is in the target; undefined when that cannot be told */
  applies?: (controlId: string) => boolean | undefined;
}

export function assessCompliance(input: ComplianceInput): ComplianceSummary {
  const definition = COMPLIANCE_DEFINITIONS[input.framework];
  const key = definition.key;
  const controls = definition.controls.map((control) => assessControl(control, key, input));
  const totals: Record<ControlStatus, number> = { pass: 0, fail: 0, 'not-assessed': 0 };
  for (const c of controls) totals[c.status]++;
  return { framework: input.framework, title: definition.title, totals, controls };
}

function assessControl(control: ControlDefinition, key: keyof Frameworks, input: ComplianceInput): ControlResult {
  const tags = new Set(control.tags);
  const about = (ids: readonly string[] | undefined): boolean => (ids ?? []).some((id) => tags.has(id));
  const rules = input.catalogue.filter((r) => about(r.meta.frameworks[key])).map((r) => r.meta.id);
  const frameworksOf = coveredFrameworks(input.catalogue, key);
  const against = input.findings.filter((f) => about(f.frameworks[key]) || (f.covers ?? []).some((fact) => about(frameworksOf(fact.ruleId))));
  const active = against.filter((f) => f.suppressed === undefined);
  const subjects = [...new Set(active.map(subjectOf))];
  const judged = judge(control, rules, active.length, input);
  return {
    id: control.id,
    title: control.title,
    ...judged,
    rules,
    findings: active.length,
    suppressed: against.length - active.length,
    resources: subjects,
  };
}

/**
 * A finding that stands for several rules' facts (an RBAC grant: KM-RB-012 exec that also reads
 * Secrets, KM-RB-011) is against the controls of each fact's rule too.
 */
function coveredFrameworks(catalogue: ComplianceInput['catalogue'], key: keyof Frameworks): (ruleId: string) => readonly string[] | undefined {
  const byId = new Map(catalogue.map((r) => [r.meta.id, r.meta.frameworks[key]]));
  return (ruleId) => byId.get(ruleId);
}

function judge(control: ControlDefinition, rules: readonly string[], failing: number, input: ComplianceInput): { status: ControlStatus; reason?: string } {
  if (failing > 0) return { status: 'fail' };
  if (rules.length === 0) return { status: 'not-assessed', reason: 'no kubemoat rule checks it' };
  const notRun = rules.filter((id) => !input.ran.has(id));
  if (notRun.length > 0) return { status: 'not-assessed', reason: `${notRun.join(', ')} not run (--rules, --skip-rules)` };
  if (input.applies?.(control.id) === false) return { status: 'not-assessed', reason: 'what it is about is not in this target' };
  if (!rules.some((id) => input.examined.has(id))) return { status: 'not-assessed', reason: 'nothing in this target for its rules to examine' };
  if (control.gap !== undefined) return { status: 'not-assessed', reason: `nothing found, but ${control.gap}` };
  return { status: 'pass' };
}
