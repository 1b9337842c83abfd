// Rules over probed endpoints: the same metadata as every kubemoat rule (id, severity, door,
// frameworks, messages), examples that are probe results instead of manifests, and a pure
// `check` from one endpoint's facts to reports. No rule touches the network.

import type { Finding, Severity } from '../core/finding.js';
import type { RuleMeta } from '../core/rule.js';
import { endpointUrl, type ProbedEndpoint } from './model.js';

export interface ProbeReport {
  messageId: string;
  data?: Record<string, string | number>;
  evidence?: string;
  severity?: Severity;
  /** tells two findings of one rule on one endpoint apart in the fingerprint */
  key?: string;
}

export interface ProbeRule {
  meta: RuleMeta;
  examples: {
    /** endpoints on which the rule must stay silent */
    pass: ProbedEndpoint[];
    /** endpoints on which the rule must report */
    fail: ProbedEndpoint[];
  };
  check(endpoint: ProbedEndpoint): ProbeReport[];
}

export function defineProbeRule(rule: ProbeRule): ProbeRule {
  return rule;
}

function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x0100019d);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function fill(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

export interface ProbeRuleRun {
  findings: Finding[];
  errors: { target: string; reason: string }[];
}

export function runProbeRules(endpoints: readonly ProbedEndpoint[], rules: readonly ProbeRule[]): ProbeRuleRun {
  const findings: Finding[] = [];
  const errors: { target: string; reason: string }[] = [];
  for (const ep of endpoints) {
    const url = endpointUrl(ep);
    for (const rule of rules) {
      let reports: ProbeReport[];
      try {
        reports = rule.check(ep);
      } catch (e) {
        errors.push({ target: url, reason: `rule ${rule.meta.id} failed: ${e instanceof Error ? e.message : String(e)}` });
        continue;
      }
      for (const r of reports) {
        const template = rule.meta.messages[r.messageId];
        if (template === undefined) {
          errors.push({ target: url, reason: `rule ${rule.meta.id} reported unknown message id ${r.messageId}` });
          continue;
        }
        findings.push({
          ruleId: rule.meta.id,
          severity: r.severity ?? rule.meta.severity,
          title: rule.meta.title,
          message: fill(template, { endpoint: url, ...r.data }),
          endpoint: ep.scheme === 'tcp' ? { host: ep.host, port: ep.port } : { url },
          ...(r.evidence !== undefined ? { evidence: r.evidence } : {}),
          remediation: rule.meta.remediation,
          references: rule.meta.references,
          frameworks: rule.meta.frameworks,
          fingerprint: fnv64(`${rule.meta.id}\0${ep.host}\0${ep.port}\0${r.key ?? r.messageId}`),
        });
      }
    }
  }
  return { findings, errors };
}
