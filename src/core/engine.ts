// Walks the inventory once and dispatches every object, pod spec and container to the rules that
// asked for it; turns their reports into findings.

import { createHash } from 'node:crypto';
import type { CoverageGap, Finding, ResourceRef, SourceLocation } from './finding.js';
import type { Path } from './json.js';
import type { Report, Rule, RuleContext, ScanSettings, Visitors } from './rule.js';
import type { Inventory } from '../inventory/inventory.js';
import { apiGroup, describeContainer, describeObject, type ContainerNode, type KubeObject } from '../inventory/objects.js';
import { resolvePosition, unpack } from '../sources/manifests/positions.js';

export class RuleError extends Error {}

export interface RuleRun {
  findings: Finding[];
  /** the object each finding is about (for annotation suppressions) */
  objectOf: Map<Finding, KubeObject>;
  /** rules that threw on an object: reported, and the rest of the scan goes on */
  errors: CoverageGap[];
}

export function runRules(inventory: Inventory, rules: readonly Rule[], settings: ScanSettings): RuleRun {
  const findings: Finding[] = [];
  const objectOf = new Map<Finding, KubeObject>();
  const errors: CoverageGap[] = [];
  const visitors: { rule: Rule; v: Visitors }[] = rules.map((rule) => {
    const context: RuleContext = {
      inventory,
      settings,
      report: (r) => {
        const finding = toFinding(rule, r);
        findings.push(finding);
        objectOf.set(finding, objectOfNode(r.node));
      },
    };
    return { rule, v: rule.create(context) };
  });
  const objectVisitors = visitors.filter((x) => x.v.object);
  const podVisitors = visitors.filter((x) => x.v.podSpec);
  const containerVisitors = visitors.filter((x) => x.v.container);
  const kindVisitors = new Map<string, { rule: Rule; fn: (o: KubeObject) => void }[]>();
  for (const { rule, v } of visitors) {
    for (const [kind, fn] of Object.entries(v.kinds ?? {})) {
      let list = kindVisitors.get(kind);
      if (list === undefined) kindVisitors.set(kind, (list = []));
      list.push({ rule, fn });
    }
  }
  const guard = (rule: Rule, what: KubeObject, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      // A rule tripping over an odd object must not lose the findings of every other rule.
      const target = what.origin.type === 'file' ? what.origin.file : describeObject(what);
      errors.push({ target, reason: `rule ${rule.meta.id} failed on ${describeObject(what)}: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' });
    }
  };
  for (const object of inventory.objects) {
    for (const { rule, v } of objectVisitors) guard(rule, object, () => v.object!(object));
    for (const { rule, fn } of kindVisitors.get(object.kind) ?? []) guard(rule, object, () => fn(object));
    const pod = inventory.podSpecOf(object);
    if (pod === undefined) continue;
    for (const { rule, v } of podVisitors) guard(rule, object, () => v.podSpec!(pod));
    for (const container of pod.containers) {
      for (const { rule, v } of containerVisitors) guard(rule, object, () => v.container!(container));
    }
  }
  return { findings, objectOf, errors };
}

function isContainer(n: Report['node']): n is ContainerNode {
  return 'containerKind' in n;
}

function objectOfNode(n: Report['node']): KubeObject {
  if ('raw' in n) return n;
  return isContainer(n) ? n.pod.object : n.object;
}

function interpolate(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

export function toFinding(rule: Rule, r: Report): Finding {
  const object = objectOfNode(r.node);
  const container = isContainer(r.node) ? r.node : undefined;
  const nodePath: Path = 'raw' in r.node ? [] : r.node.path;
  const at = r.at ?? [];
  const fieldPath: Path = 'fromObject' in at ? at.fromObject : [...nodePath, ...at];
  const template = rule.meta.messages[r.messageId];
  if (template === undefined) throw new RuleError(`rule ${rule.meta.id} reported unknown message id ${r.messageId}`);
  const data = {
    resource: `${describeObject(object)}`,
    container: container ? describeContainer(container) : '',
    ...(r.data ?? {}),
  };
  const resource: ResourceRef = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    ...(object.namespace ? { namespace: object.namespace } : {}),
    name: object.name,
    ...(container ? { container: container.name } : {}),
  };
  return {
    ruleId: rule.meta.id,
    severity: r.severity ?? rule.meta.severity,
    title: rule.meta.title,
    message: interpolate(template, data),
    resource,
    ...locate(object, fieldPath),
    ...(r.evidence !== undefined ? { evidence: r.evidence } : {}),
    remediation: rule.meta.remediation,
    references: rule.meta.references,
    frameworks: rule.meta.frameworks,
    fingerprint: fingerprint(rule.meta.id, object, container?.name, fieldPath),
  };
}

function locate(object: KubeObject, fieldPath: Path): { location?: SourceLocation } {
  const origin = object.origin;
  if (origin.type !== 'file') return {};
  const packed = resolvePosition(origin.document, [...origin.pathInDocument, ...fieldPath], origin.documentPosition);
  const { line, column } = unpack(packed);
  return { location: { file: origin.file, line, column } };
}

export function fingerprint(ruleId: string, object: KubeObject, container: string | undefined, fieldPath: Path): string {
  const identity = [ruleId, apiGroup(object.apiVersion), object.kind, object.namespace ?? '', object.name, container ?? '', fieldPath.join('/')].join('\0');
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}
