// The shared vocabulary: Kubernetes objects with where they came from, and the pod specs and
// containers inside every kind of workload.

import { asArray, asObject, asString, isObject, stringMap, type JsonObject, type JsonValue, type Path } from '../core/json.js';
import { resolvePosition, unpack, type DocumentPositions } from '../sources/manifests/positions.js';

export interface FileOrigin {
  type: 'file';
  file: string;
  /** the parsed document the object is in (a `List` holds several objects) */
  document: JsonValue;
  positions: DocumentPositions;
  /** the object's path inside that document: [] or ['items', n] */
  pathInDocument: Path;
}

/** Where an object was read from. Findings on file objects carry a file position; live ones do not. */
export type Origin =
  | FileOrigin
  | { type: 'cluster'; context: string }
  /**
   * A fact `kubemoat node` read on a node (a process, a file's mode, the kubelet's effective
   * configuration); `root` is the host root it was read under, `pid` the process it belongs to.
   * `provenance` says, per dotted field path, where an effective value came from.
   */
  | { type: 'node'; root: string; pid?: number; provenance?: Record<string, string> };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  /** metadata.name, or generateName, or '' */
  name: string;
  /** metadata.namespace as written; undefined for cluster-scoped objects and manifests that leave it to the installer */
  namespace: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  raw: JsonObject;
  origin: Origin;
}

export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer';

export interface PodSpecNode {
  object: KubeObject;
  spec: JsonObject;
  /** path of the pod spec inside the object */
  path: Path;
  /** labels and annotations of the pod template (of the Pod itself for a Pod) */
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  containers: ContainerNode[];
}

export interface ContainerNode {
  pod: PodSpecNode;
  container: JsonObject;
  name: string;
  containerKind: ContainerKind;
  /** path of the container inside the object */
  path: Path;
}

/**
 * Labels or annotations as a string map. Parsed values are read-only (see positions.ts), so a map
 * whose values are all strings already is used as it is instead of copied: two to four maps per
 * object, on every object of a large manifest set. Anything else goes through stringMap.
 */
function readonlyStringMap(v: JsonValue | undefined): Record<string, string> {
  if (!isObject(v) || Object.prototype.hasOwnProperty.call(v, '__proto__')) return stringMap(v);
  for (const k in v) if (typeof v[k] !== 'string') return stringMap(v);
  return v as Record<string, string>;
}

/** Where each workload kind keeps its pod template. */
const POD_SPEC_PATHS: Record<string, { spec: Path; meta: Path }> = {
  Pod: { spec: ['spec'], meta: ['metadata'] },
  PodTemplate: { spec: ['template', 'spec'], meta: ['template', 'metadata'] },
  Deployment: { spec: ['spec', 'template', 'spec'], meta: ['spec', 'template', 'metadata'] },
  ReplicaSet: { spec: ['spec', 'template', 'spec'], meta: ['spec', 'template', 'metadata'] },
  StatefulSet: { spec: ['spec', 'template', 'spec'], meta: ['spec', 'template', 'metadata'] },
  DaemonSet: { spec: ['spec', 'template', 'spec'], meta: ['spec', 'template', 'metadata'] },
  Job: { spec: ['spec', 'template', 'spec'], meta: ['spec', 'template', 'metadata'] },
  ReplicationController: { spec: ['spec', 'template', 'spec'], meta: ['spec', 'template', 'metadata'] },
  CronJob: {
    spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    meta: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
  },
};

/** A CRD whose spec holds a pod template (Argo Rollouts, OpenKruise, …) is a workload too. */
const GENERIC_POD_TEMPLATE = POD_SPEC_PATHS.Deployment;

function at(v: JsonValue, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, JsonValue>)[step];
  }
  return cur;
}

export function podSpecOf(object: KubeObject): PodSpecNode | undefined {
  const known = POD_SPEC_PATHS[object.kind];
  const paths = known ?? GENERIC_POD_TEMPLATE;
  const spec = asObject(at(object.raw, paths.spec));
  if (spec === undefined) return undefined;
  if (known === undefined && !Array.isArray(spec.containers)) return undefined;
  const meta = asObject(at(object.raw, paths.meta));
  const node: PodSpecNode = {
    object,
    spec,
    path: paths.spec,
    podLabels: readonlyStringMap(meta?.labels),
    podAnnotations: readonlyStringMap(meta?.annotations),
    containers: [],
  };
  const groups: [string, ContainerKind][] = [
    ['initContainers', 'initContainer'],
    ['containers', 'container'],
    ['ephemeralContainers', 'ephemeralContainer'],
  ];
  for (const [field, containerKind] of groups) {
    asArray(spec[field]).forEach((c, i) => {
      if (!isObject(c)) return;
      node.containers.push({
        pod: node,
        container: c,
        name: asString(c.name) ?? `#${i}`,
        containerKind,
        path: [...paths.spec, field, i],
      });
    });
  }
  return node;
}

/** A `kind: List` (or `PodList`, …) holds objects in `items`. */
export function isListKind(raw: JsonObject): boolean {
  const kind = asString(raw.kind);
  return kind !== undefined && kind.endsWith('List') && Array.isArray(raw.items);
}

/** Build a KubeObject, or undefined when the value is not a Kubernetes object (no apiVersion or kind). */
export function toKubeObject(raw: JsonValue, origin: Origin): KubeObject | undefined {
  if (!isObject(raw)) return undefined;
  const apiVersion = asString(raw.apiVersion);
  const kind = asString(raw.kind);
  if (!apiVersion || !kind) return undefined;
  const metadata = asObject(raw.metadata);
  return {
    apiVersion,
    kind,
    name: asString(metadata?.name) ?? asString(metadata?.generateName) ?? '',
    namespace: asString(metadata?.namespace) || undefined,
    labels: readonlyStringMap(metadata?.labels),
    annotations: readonlyStringMap(metadata?.annotations),
    raw,
    origin,
  };
}

/** Line and column of a field of a file object: of its nearest existing parent when it is missing. */
export function fieldPosition(origin: FileOrigin, fieldPath: Path): { line: number; column: number } {
  const path = origin.pathInDocument.length === 0 ? fieldPath : origin.pathInDocument.concat(fieldPath);
  return unpack(resolvePosition(origin.document, origin.positions, path));
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `Deployment shop/frontend`, as messages name an object. */
export function describeObject(o: Pick<KubeObject, 'kind' | 'namespace' | 'name'>): string {
  if (o.kind === NODE_PROCESS_KIND) return 'this node';
  const name = o.name === '' ? '(unnamed)' : o.name;
  return `${o.kind} ${o.namespace ? `${o.namespace}/${name}` : name}`;
}

/** The kind of the synthetic pod that stands for a component process found by `kubemoat node`. */
export const NODE_PROCESS_KIND = 'NodeProcess';

export function describeContainer(c: Pick<ContainerNode, 'containerKind' | 'name'> & { pod?: PodSpecNode }): string {
  if (c.pod?.object.kind === NODE_PROCESS_KIND && c.pod.object.origin.type === 'node') return `process ${c.pod.object.origin.pid ?? '?'} (\`${c.name}\`)`;
  const label = c.containerKind === 'initContainer' ? 'init container' : c.containerKind === 'ephemeralContainer' ? 'ephemeral container' : 'container';
  return `${label} \`${c.name}\``;
}

/** Does a label selector (matchLabels and matchExpressions, or a plain map) select these labels? */
export function selectorMatches(selector: JsonValue | undefined, labels: Record<string, string>): boolean {
  const sel = asObject(selector);
  if (sel === undefined) return false;
  const hasStructured = 'matchLabels' in sel || 'matchExpressions' in sel;
  const matchLabels = stringMap(hasStructured ? sel.matchLabels : sel);
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  if (!hasStructured) return Object.keys(matchLabels).length > 0;
  for (const expr of asArray(sel.matchExpressions)) {
    const e = asObject(expr);
    if (e === undefined) return false;
    const key = asString(e.key) ?? '';
    const values = asArray(e.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
