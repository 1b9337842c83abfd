// Walks the inventory once and dispatches every object, pod spec and container to the rules that
// asked for it; turns their reports into findings.

import { SEVERITIES, severityRank, type CoverageGap, type Finding, type ResourceRef, type Severity, type SourceLocation } from './finding.js';
import type { Path } from './json.js';
import type { Report, Rule, RuleContext, ScanSettings, Visitors } from './rule.js';
import type { Inventory } from '../inventory/inventory.js';
import { apiGroup, describeContainer, describeObject, fieldPosition, type ContainerNode, type KubeObject } from '../inventory/objects.js';

export class RuleError extends Error {}

export interface RuleRun {
  findings: Finding[];
  /** the object each finding is about, by the finding's index (for annotation suppressions) */
  objectOf: KubeObject[];
  /** rules that threw on an object: reported, and the rest of the scan goes on */
  errors: CoverageGap[];
  /**
   * Ids of the rules that were given at least one thing to judge (an object, pod spec, container or
   * component of a kind they visit): a rule that saw nothing proves nothing (compliance says so).
   */
  examined: Set<string>;
}

export function runRules(inventory: Inventory, rules: readonly Rule[], settings: ScanSettings): RuleRun {
  const findings: Finding[] = [];
  const objectOf: KubeObject[] = [];
  const errors: CoverageGap[] = [];
  const visitors: { rule: Rule; v: Visitors }[] = rules.map((rule) => {
    const context: RuleContext = {
      inventory,
      settings,
      report: (r) => {
        const finding = toFinding(rule, r);
        findings.push(finding);
        objectOf.push(objectOfNode(r.node));
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
  // a million visits. Which rules visit an object depends only on its kind and on whether it has a
  // pod spec and components, so the lists of rules to call are worked out once per kind, in
  // catalogue order: [neither, pod spec, components, both].
  const dispatch = new Map<string, Visit[][]>();
  const visitsFor = (kind: string): Visit[][] => {
    let lists = dispatch.get(kind);
    if (lists === undefined) {
      lists = [[], [], [], []];
      for (const { rule, v } of visitors) {
        const byKind = v.kinds?.[kind];
        const visit: Visit = { rule, v, byKind };
        const always = v.object !== undefined || byKind !== undefined;
        const forPod = always || Boolean(v.podSpec || v.container);
        const forComponents = always || Boolean(v.component);
        if (always) lists[0].push(visit);
        if (forPod) lists[1].push(visit);
        if (forComponents) lists[2].push(visit);
        if (forPod || forComponents) lists[3].push(visit);
      }
      dispatch.set(kind, lists);
    }
    return lists;
  };
  // Which shapes of object each kind came in (bits of ObjectShape), to work out `examined` once at
  // the end instead of marking a rule on each of the million visits.
  const shapesSeen = new Map<string, number>();
  for (const object of inventory.objects) {
    const pod = inventory.podSpecOf(object);
    const controlPlane = pod !== undefined && inventory.isControlPlanePod(object);
    // a component process (kubemoat node) has components but no pod spec: only component visitors see it
    const components = inventory.componentsOf(object);
    const shape = (pod !== undefined ? 1 : 0) | (components.length > 0 ? 2 : 0);
    shapesSeen.set(object.kind, (shapesSeen.get(object.kind) ?? 0) | (1 << (shape | (pod !== undefined && !controlPlane ? 4 : 0))));
    const visits = visitsFor(object.kind)[shape];
    for (const { rule, v, byKind } of visits) {
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
  return { findings, objectOf, errors, examined: examinedRules(shapesSeen, visitsFor) };
}

/**
 * The rules some visitor of which was called: from each kind's shapes (bit 0 a pod spec, bit 1
 * components, bit 2 a pod spec that is not only the control plane's), the lists the dispatch used.
 */
function examinedRules(shapesSeen: ReadonlyMap<string, number>, visitsFor: (kind: string) => Visit[][]): Set<string> {
  const examined = new Set<string>();
  for (const [kind, mask] of shapesSeen) {
    for (let shape = 0; shape < 8; shape++) {
      if ((mask & (1 << shape)) === 0) continue;
      const hasPod = (shape & 1) !== 0;
      const hasComponents = (shape & 2) !== 0;
      const hasOtherPod = (shape & 4) !== 0;
      for (const { rule, v, byKind } of visitsFor(kind)[shape & 3]) {
        const onObject = v.object !== undefined || byKind !== undefined;
        const onPod = hasPod && Boolean(v.podSpec || v.container) && (hasOtherPod || !rule.meta.notForControlPlane);
        const onComponent = hasComponents && v.component !== undefined;
        if (onObject || onPod || onComponent) examined.add(rule.meta.id);
      }
    }
  }
  return examined;
}

interface Visit {
  rule: Rule;
  v: Visitors;
  byKind: ((object: KubeObject) => void) | undefined;
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

/**
 * The message, built with one join: `+=` would leave a tree of concatenated strings per finding,
 * which costs memory until the report is written and work when it is flattened there.
 */
function interpolate(template: string, data: Record<string, string | number> | undefined, object: KubeObject, container: ContainerNode | undefined): string {
  const parts = compileTemplate(template);
  if (parts.length === 1) return parts[0];
  const pieces: string[] = new Array<string>(parts.length);
  pieces[0] = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i];
    const value =
      data !== undefined && key in data
        ? data[key]
        : key === 'resource'
          ? describeObject(object)
          : key === 'container'
            ? container
              ? describeContainer(container)
              : ''
            : `{{${key}}}`;
    pieces[i] = String(value);
    pieces[i + 1] = parts[i + 1];
  }
  return pieces.join('');
}

/**
 * Findings of one object (and container) share one resource reference: the engine visits object by
 * object, so remembering the last one is enough. References are never modified once made.
 */
let lastResource: { object: KubeObject; container: string | undefined; ref: ResourceRef } | undefined;

function resourceRef(object: KubeObject, container: ContainerNode | undefined): ResourceRef {
  const name = container?.name;
  if (lastResource !== undefined && lastResource.object === object && lastResource.container === name) return lastResource.ref;
  const ref: ResourceRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.name };
  if (object.namespace) ref.namespace = object.namespace;
  if (container) ref.container = container.name;
  lastResource = { object, container: name, ref };
  return ref;
}

export function toFinding(rule: Rule, r: Report): Finding {
  const object = objectOfNode(r.node);
  const container = isContainer(r.node) ? r.node : undefined;
  const nodePath: Path = 'raw' in r.node ? [] : r.node.path;
  const at = r.at ?? [];
  const fieldPath: Path = 'fromObject' in at ? at.fromObject : nodePath.concat(at);
  const template = rule.meta.messages[r.messageId];
  if (template === undefined) throw new RuleError(`rule ${rule.meta.id} reported unknown message id ${r.messageId}`);
  const severity = r.severity ?? rule.meta.severity;
  const message = interpolate(template, r.data, object, container);
  const finding: Finding = {
    ruleId: rule.meta.id,
    severity: r.expected === undefined ? severity : lowered(severity),
    title: rule.meta.title,
    message: r.expected === undefined && r.note === undefined ? message : `${message}${r.expected !== undefined ? `; expected for ${r.expected}; review` : ''}${r.note !== undefined ? `; ${r.note}` : ''}`,
    resource: resourceRef(object, container),
    remediation: rule.meta.remediation,
    references: rule.meta.references,
    frameworks: r.frameworks ? { ...rule.meta.frameworks, ...r.frameworks } : rule.meta.frameworks,
    fingerprint: fingerprint(rule.meta.id, object, container?.name, fieldPath),
  };
  const location = locate(object, fieldPath);
  if (location) finding.location = location;
  if (r.evidence !== undefined) finding.evidence = r.evidence;
  if (r.covers !== undefined) finding.covers = r.covers;
  if (r.subjects !== undefined && r.subjects.length > 0) finding.subjects = r.subjects;
  return finding;
}

/** Two steps down, never below low: an expected finding stays visible. */
function lowered(s: Severity): Severity {
  const rank = severityRank(s);
  return rank <= severityRank('low') ? s : SEVERITIES[Math.max(severityRank('low'), rank - 2)];
}

function locate(object: KubeObject, fieldPath: Path): SourceLocation | undefined {
  const origin = object.origin;
  if (origin.type !== 'file') return undefined;
  const { line, column } = fieldPosition(origin, fieldPath);
  return { file: origin.file, line, column };
}

/**
 * Stable identity of a finding across line moves and runs: rule, resource and offending field.
 * It only has to be stable and collision-poor, not secret, so two 32-bit FNV-1a lanes with
 * different seeds (64 bits) are used instead of a cryptographic hash, which costs more per finding.
 */
export function fingerprint(ruleId: string, object: KubeObject, container: string | undefined, fieldPath: Path): string {
  // The hash of `rule\0group\0kind\0namespace\0name\0container\0path/joined/by/slashes`, fed piece
  // by piece instead of building that string for every finding.
  const h = hashState;
  h.a = 0x811c9dc5;
  h.b = 0x01000193 ^ 0x5bd1e995;
  feed(h, ruleId);
  feed(h, '\0');
  feed(h, apiGroup(object.apiVersion));
  feed(h, '\0');
  feed(h, object.kind);
  feed(h, '\0');
  feed(h, object.namespace ?? '');
  feed(h, '\0');
  feed(h, object.name);
  feed(h, '\0');
  feed(h, container ?? '');
  feed(h, '\0');
  for (let i = 0; i < fieldPath.length; i++) {
    if (i > 0) feed(h, '/');
    const step = fieldPath[i];
    feed(h, typeof step === 'number' ? String(step) : step);
  }
  return hex16(h.a >>> 0, h.b >>> 0);
}

/** Two 32-bit FNV-1a lanes (different primes); one shared state, as findings are made one at a time. */
const hashState = { a: 0, b: 0 };

function feed(h: { a: number; b: number }, s: string): void {
  let a = h.a;
  let b = h.b;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x0100019d);
  }
  h.a = a;
  h.b = b;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The two lanes as 16 hex digits, one flat string (a concatenation would keep a tree per finding). */
function hex16(a: number, b: number): string {
  const x = HEX_BYTES;
  return [x[a >>> 24], x[(a >>> 16) & 255], x[(a >>> 8) & 255], x[a & 255], x[b >>> 24], x[(b >>> 16) & 255], x[(b >>> 8) & 255], x[b & 255]].join('');
}
