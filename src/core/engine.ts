// Walks the inventory once and dispatches every object, pod spec and container to the rules that
// asked for it; turns their reports into findings.

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
  const fail = (rule: Rule, what: KubeObject, e: unknown): void => {
    // A rule tripping over an odd object must not lose the findings of every other rule.
    const target = what.origin.type === 'file' ? what.origin.file : describeObject(what);
    errors.push({ target, reason: `rule ${rule.meta.id} failed on ${describeObject(what)}: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' });
  };
  // One try per rule and object, no closure per visit: on 10,000 resources the engine makes about
  // a million visits.
  for (const object of inventory.objects) {
    const pod = inventory.podSpecOf(object);
    const controlPlane = pod !== undefined && inventory.isControlPlanePod(object);
    // a component process (kubemoat node) has components but no pod spec: only component visitors see it
    const components = inventory.componentsOf(object);
    for (const { rule, v } of visitors) {
      const byKind = v.kinds?.[object.kind];
      if (v.object === undefined && byKind === undefined && (pod === undefined || !(v.podSpec || v.container)) && (components.length === 0 || !v.component)) continue;
      try {
        if (v.object) v.object(object);
        if (byKind) byKind(object);
        if (pod !== undefined && !(controlPlane && rule.meta.notForControlPlane)) {
          if (v.podSpec) v.podSpec(pod);
          if (v.container) for (const container of pod.containers) v.container(container);
        }
        if (v.component) for (const component of components) v.component(component);
      } catch (e) {
        fail(rule, object, e);
      }
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

/** A message template split once into literal text and `{{name}}` slots: [text, name, text, name, …, text]. */
const compiledTemplates = new Map<string, string[]>();

function compileTemplate(template: string): string[] {
  let parts = compiledTemplates.get(template);
  if (parts === undefined) {
    parts = template.split(/\{\{(\w+)\}\}/);
    compiledTemplates.set(template, parts);
  }
  return parts;
}

function interpolate(template: string, data: Record<string, string | number> | undefined, resource: string, container: string): string {
  const parts = compileTemplate(template);
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i];
    const value = data !== undefined && key in data ? data[key] : key === 'resource' ? resource : key === 'container' ? container : `{{${key}}}`;
    out += String(value) + parts[i + 1];
  }
  return out;
}

export function toFinding(rule: Rule, r: Report): Finding {
  const object = objectOfNode(r.node);
  const container = isContainer(r.node) ? r.node : undefined;
  const nodePath: Path = 'raw' in r.node ? [] : r.node.path;
  const at = r.at ?? [];
  const fieldPath: Path = 'fromObject' in at ? at.fromObject : nodePath.concat(at);
  const template = rule.meta.messages[r.messageId];
  if (template === undefined) throw new RuleError(`rule ${rule.meta.id} reported unknown message id ${r.messageId}`);
  const resource: ResourceRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.name };
  if (object.namespace) resource.namespace = object.namespace;
  if (container) resource.container = container.name;
  const finding: Finding = {
    ruleId: rule.meta.id,
    severity: r.severity ?? rule.meta.severity,
    title: rule.meta.title,
    message: interpolate(template, r.data, describeObject(object), container ? describeContainer(container) : ''),
    resource,
    remediation: rule.meta.remediation,
    references: rule.meta.references,
    frameworks: r.frameworks ? { ...rule.meta.frameworks, ...r.frameworks } : rule.meta.frameworks,
    fingerprint: fingerprint(rule.meta.id, object, container?.name, fieldPath),
  };
  const location = locate(object, fieldPath);
  if (location) finding.location = location;
  if (r.evidence !== undefined) finding.evidence = r.evidence;
  return finding;
}

function locate(object: KubeObject, fieldPath: Path): SourceLocation | undefined {
  const origin = object.origin;
  if (origin.type !== 'file') return undefined;
  const path = origin.pathInDocument.length === 0 ? fieldPath : origin.pathInDocument.concat(fieldPath);
  const { line, column } = unpack(resolvePosition(origin.document, path, origin.documentPosition));
  return { file: origin.file, line, column };
}

/**
 * Stable identity of a finding across line moves and runs: rule, resource and offending field.
 * It only has to be stable and collision-poor, not secret, so two 32-bit FNV-1a lanes with
 * different seeds (64 bits) are used instead of a cryptographic hash, which costs more per finding.
 */
export function fingerprint(ruleId: string, object: KubeObject, container: string | undefined, fieldPath: Path): string {
  const identity = `${ruleId}\0${apiGroup(object.apiVersion)}\0${object.kind}\0${object.namespace ?? ''}\0${object.name}\0${container ?? ''}\0${fieldPath.join('/')}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < identity.length; i++) {
    const c = identity.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x0100019d);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
