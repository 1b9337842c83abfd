// What the node rules share: typed reading of the node facts (NodeFile, NodeCertificate,
// NodeStaticPod objects that `kubemoat node` puts into the inventory; see
// src/sources/node/facts.ts), mode arithmetic, and the YAML the rules' examples are written in.

import { asArray, asNumber, asObject, asString, type JsonObject } from '../../core/json.js';
import type { KubeObject } from '../../inventory/objects.js';

export interface FileRoleUse {
  role: string;
  usedBy: string;
  ownerUid?: number;
}

export interface NodeFile {
  path: string;
  exists: boolean;
  type: string;
  /** permission bits, or undefined when unknown */
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  user: string | undefined;
  group: string | undefined;
  roles: FileRoleUse[];
}

/** `'0644'` (or 420) → 0o644; undefined when it is not an octal mode. */
export function parseMode(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v & 0o7777;
  if (typeof v === 'string' && /^0?[0-7]{3,4}$/.test(v.trim())) return parseInt(v.trim(), 8) & 0o7777;
  return undefined;
}

export function showMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** Bits set beyond what `max` allows (e.g. 0o644 over 0o600 → 0o044). */
export function excessBits(mode: number, max: number): number {
  return mode & 0o777 & ~max;
}

export function nodeFile(o: KubeObject): NodeFile | undefined {
  const spec = asObject(o.raw.spec);
  if (spec === undefined) return undefined;
  const path = asString(spec.path) ?? o.name;
  const roles: FileRoleUse[] = [];
  for (const r of asArray(spec.roles)) {
    const ro = asObject(r);
    const role = asString(ro?.role);
    if (ro === undefined || role === undefined) continue;
    const use: FileRoleUse = { role, usedBy: asString(ro.usedBy) ?? '' };
    const owner = asNumber(ro.ownerUid);
    if (owner !== undefined) use.ownerUid = owner;
    roles.push(use);
  }
  return {
    path,
    exists: spec.exists !== false,
    type: asString(spec.type) ?? 'file',
    mode: parseMode(spec.mode),
    uid: asNumber(spec.uid),
    gid: asNumber(spec.gid),
    user: asString(spec.user),
    group: asString(spec.group),
    roles,
  };
}

export function owner(f: NodeFile): string {
  const u = f.user ?? (f.uid !== undefined ? String(f.uid) : '?');
  const g = f.group ?? (f.gid !== undefined ? String(f.gid) : '?');
  return `${u}:${g}`;
}

export interface NodeCertificate {
  path: string;
  role: string;
  usedBy: string;
  subject: string;
  issuer: string;
  notAfter: Date | undefined;
  observedAt: Date | undefined;
  selfSigned: boolean;
  fingerprints: string[];
}

function date(v: unknown): Date | undefined {
  const s = asString(v);
  if (s === undefined) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function nodeCertificate(o: KubeObject): NodeCertificate | undefined {
  const spec = asObject(o.raw.spec);
  if (spec === undefined) return undefined;
  return {
    path: asString(spec.path) ?? o.name,
    role: asString(spec.role) ?? '',
    usedBy: asString(spec.usedBy) ?? '',
    subject: asString(spec.subject) ?? '',
    issuer: asString(spec.issuer) ?? '',
    notAfter: date(spec.notAfter),
    observedAt: date(spec.observedAt),
    selfSigned: spec.selfSigned === true,
    fingerprints: asArray(spec.fingerprints).filter((f): f is string => typeof f === 'string'),
  };
}

export interface NodeStaticPod {
  file: string;
  manifest: JsonObject | undefined;
  namespaceExists: boolean | undefined;
}

export function nodeStaticPod(o: KubeObject): NodeStaticPod | undefined {
  const spec = asObject(o.raw.spec);
  if (spec === undefined) return undefined;
  return { file: asString(spec.file) ?? o.name, manifest: asObject(spec.manifest), namespaceExists: typeof spec.namespaceExists === 'boolean' ? spec.namespaceExists : undefined };
}

/** A NodeFile object as YAML, for rule examples. */
export function fileExample(path: string, mode: string, roles: { role: string; usedBy?: string; ownerUid?: number }[], extra: { uid?: number; gid?: number; user?: string; group?: string; type?: string; exists?: boolean } = {}): string {
  const lines = [
    'apiVersion: node.kubemoat.io/v1alpha1',
    'kind: NodeFile',
    `metadata: {name: ${JSON.stringify(path)}}`,
    'spec:',
    `  path: ${JSON.stringify(path)}`,
    `  exists: ${extra.exists ?? true}`,
    `  type: ${extra.type ?? 'file'}`,
    `  mode: "${mode}"`,
    `  uid: ${extra.uid ?? 0}`,
    `  gid: ${extra.gid ?? 0}`,
    `  user: ${extra.user ?? 'root'}`,
    `  group: ${extra.group ?? 'root'}`,
    '  roles:',
    ...roles.map((r) => `    - {role: ${r.role}, usedBy: ${JSON.stringify(r.usedBy ?? 'kubelet (pid 100)')}${r.ownerUid !== undefined ? `, ownerUid: ${r.ownerUid}` : ''}}`),
  ];
  return lines.join('\n');
}
