// SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): rule metadata in the driver,
// one result per finding at the offending line, suppressed findings carried as suppressions.

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { severityRank, type Finding, type Severity } from '../core/finding.js';
import { INFORMATION_URI, TOOL_NAME, TOOL_VERSION, type Report, type ScanTarget } from '../core/report.js';
import type { Rule } from '../core/rule.js';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning orders security alerts by this 0–10 score. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** GitHub code scanning refuses a run with more results than this, and a rule with more tags. */
export const MAX_RESULTS_PER_RUN = 25_000;
export const MAX_TAGS_PER_RULE = 20;

const SRCROOT = '%SRCROOT%';

export interface SarifOptions {
  cwd?: string;
  /** the repository root a directory is in, if any (default: the nearest directory above with a .git) */
  repositoryRoot?: (dir: string) => string | undefined;
  maxResults?: number;
}

/** The nearest directory at or above `dir` that holds a `.git` (a directory, or a worktree's file). */
export function gitRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * URIs relative to the repository root (`%SRCROOT%`), as code scanning resolves them: the root of
 * the repository the working directory is in (else the working directory); a file outside it is
 * placed relative to its own repository, else its own directory: never `../` or `file:`.
 */
class ArtifactPaths {
  readonly srcRoot: string;
  private readonly roots = new Map<string, string | undefined>();

  constructor(
    private readonly cwd: string,
    private readonly rootOf: (dir: string) => string | undefined,
  ) {
    this.srcRoot = rootOf(cwd) ?? cwd;
  }

  uri(file: string): string {
    const abs = resolve(this.cwd, file);
    let rel = relative(this.srcRoot, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      const dir = dirname(abs);
      if (!this.roots.has(dir)) this.roots.set(dir, this.rootOf(dir));
      rel = relative(this.roots.get(dir) ?? dir, abs);
    }
    return encodeURI(rel.split(sep).join('/'));
  }
}

/** What each command's synthetic locations start with. */
const URI_PREFIX: Record<ScanTarget['type'], string> = { manifests: 'manifests', cluster: 'cluster', network: 'probe', node: 'node', images: 'images' };

function endpointSegments(e: NonNullable<Finding['endpoint']>): string[] {
  if ('host' in e) return [e.host, String(e.port)];
  try {
    const u = new URL(e.url);
    return [u.hostname, u.port || (u.protocol === 'https:' ? '443' : '80'), ...u.pathname.split('/')];
  } catch {
    return [e.url];
  }
}

/**
 * A place for a finding that is in no file (a live object, a node's fact, an endpoint, an image):
 * code scanning needs a physical location for every result, so it is named like a path,
 * `cluster/<namespace>/<kind>/<name>` (`_cluster` for cluster-scoped objects), `node/<kind>/<path>`,
 * `probe/<host>/<port>`, `images/<reference>`.
 */
export function syntheticUri(f: Finding, target: ScanTarget): string {
  const r = f.resource;
  const segments = r
    ? [...(r.namespace ? [r.namespace] : target.type === 'cluster' ? ['_cluster'] : []), r.kind, ...r.name.split('/')]
    : f.endpoint
      ? endpointSegments(f.endpoint)
      : [f.ruleId];
  return [URI_PREFIX[target.type], ...segments.filter((s) => s !== '')].map(encodeURIComponent).join('/');
}

/** A Pascal-case friendly name from a title: "CPU or memory limit missing" → "CpuOrMemoryLimitMissing". */
function friendlyName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

/** The rule's own entry in the rules reference (GitHub's anchor for its `## KM-XX-NNN` heading). */
export function ruleHelpUri(id: string): string {
  return `${INFORMATION_URI}/blob/main/docs/rules.md#${id.toLowerCase()}`;
}

function ruleDescriptor(rule: Pick<Rule, 'meta'>): object {
  const m = rule.meta;
  const tags = [...new Set(['security', 'kubernetes', m.door, ...(m.frameworks.cis ?? []).map((c) => `CIS-${c}`), ...(m.frameworks.mitre ?? []).map((t) => `MITRE-${t}`)])].slice(0, MAX_TAGS_PER_RULE);
  return {
    id: m.id,
    name: friendlyName(m.title),
    shortDescription: { text: m.title },
    fullDescription: { text: m.description },
    help: {
      text: `${m.description}\n\nRemediation: ${m.remediation}\n\nReferences:\n${m.references.join('\n')}`,
      markdown: `${m.description}\n\n**Remediation:** ${m.remediation}\n\n${m.references.map((r) => `- ${r}`).join('\n')}`,
    },
    helpUri: ruleHelpUri(m.id),
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: { tags, precision: 'high', 'security-severity': SECURITY_SEVERITY[m.severity] },
  };
}

/** A file position as code scanning places it; a finding in no file (or in a stream such as `<stdin>`) gets its synthetic path. */
function physicalLocation(f: Finding, target: ScanTarget, paths: ArtifactPaths): object {
  if (f.location && !f.location.file.startsWith('<')) {
    return { artifactLocation: { uri: paths.uri(f.location.file), uriBaseId: SRCROOT }, region: { startLine: f.location.line, startColumn: f.location.column } };
  }
  return { artifactLocation: { uri: syntheticUri(f, target) }, region: { startLine: f.location?.line ?? 1, ...(f.location ? { startColumn: f.location.column } : {}) } };
}

function logicalLocations(f: Finding): object[] {
  if (f.resource) return [{ name: f.resource.name, fullyQualifiedName: logicalName(f.resource), kind: 'resource' }];
  if (f.endpoint) return [{ name: endpointName(f.endpoint), fullyQualifiedName: endpointName(f.endpoint), kind: 'resource' }];
  return [];
}

function result(f: Finding, ruleIndex: Map<string, number>, target: ScanTarget, paths: ArtifactPaths): object {
  const message = f.evidence ? `${f.message}. Evidence: ${f.evidence}` : f.message;
  const logical = logicalLocations(f);
  return {
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    level: LEVEL[f.severity],
    message: { text: `${message}. Fix: ${f.remediation}` },
    locations: [{ physicalLocation: physicalLocation(f, target, paths), ...(logical.length > 0 ? { logicalLocations: logical } : {}) }],
    partialFingerprints: { 'kubemoat/v1': f.fingerprint },
    properties: { severity: f.severity, 'security-severity': SECURITY_SEVERITY[f.severity] },
    ...(f.suppressed
      ? { suppressions: [{ kind: f.suppressed.by === 'annotation' ? 'inSource' : 'external', status: 'accepted', justification: f.suppressed.reason }] }
      : {}),
  };
}

/** a probed endpoint (kubemoat probe) as a logical location */
function endpointName(e: NonNullable<Finding['endpoint']>): string {
  return 'url' in e ? e.url : `${e.host}:${e.port}`;
}

function logicalName(r: NonNullable<Finding['resource']>): string {
  return [r.kind, r.namespace, r.name, r.container].filter(Boolean).join('/');
}

/** The results a run may carry: active findings before suppressed ones, the most severe first when some must be left out. */
export function keptResults(report: Report, max: number): { kept: Finding[]; omitted: number } {
  const all = [...report.findings, ...report.suppressed];
  if (all.length <= max) return { kept: all, omitted: 0 };
  const worstFirst = (list: Finding[]): Finding[] => list.map((f, i) => ({ f, i })).sort((a, b) => severityRank(b.f.severity) - severityRank(a.f.severity) || a.i - b.i).map((x) => x.f);
  const kept = [...worstFirst(report.findings), ...worstFirst(report.suppressed)].slice(0, max);
  return { kept, omitted: all.length - max };
}

/** Coverage gaps as notifications: a file gap of a manifest scan at its place, anything else by name. */
function notification(c: Report['coverage'][number], target: ScanTarget, paths: ArtifactPaths): object {
  const inFile = target.type === 'manifests' && !c.target.startsWith('<');
  return {
    level: c.severity === 'error' ? 'error' : 'warning',
    message: { text: c.reason },
    locations: [
      inFile
        ? { physicalLocation: { artifactLocation: { uri: paths.uri(c.target), uriBaseId: SRCROOT }, ...(c.line ? { region: { startLine: c.line, startColumn: c.column ?? 1 } } : {}) } }
        : { logicalLocations: [{ name: c.target, kind: 'resource' }] },
    ],
  };
}

export function renderSarif(report: Report, rules: readonly Pick<Rule, 'meta'>[], options: SarifOptions = {}): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const paths = new ArtifactPaths(options.cwd ?? process.cwd(), options.repositoryRoot ?? gitRoot);
  const max = options.maxResults ?? MAX_RESULTS_PER_RUN;
  const { kept, omitted } = keptResults(report, max);
  const notifications = report.coverage.map((c) => notification(c, report.target, paths));
  if (omitted > 0) {
    notifications.push({
      level: 'warning',
      message: { text: `${max} of ${kept.length + omitted} results kept, the most severe (code scanning accepts at most ${max} per run); the JSON report has them all` },
    });
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, semanticVersion: TOOL_VERSION, informationUri: INFORMATION_URI, rules: rules.map(ruleDescriptor) } },
        // one category per command, so that the scan and the cluster uploads of one repository do not replace each other
        automationDetails: { id: `kubemoat/${URI_PREFIX[report.target.type]}/` },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(paths.srcRoot).href.replace(/\/?$/, '/')}` } },
        results: kept.map((f) => result(f, ruleIndex, report.target, paths)),
        invocations: [
          {
            executionSuccessful: !report.coverage.some((c) => c.severity === 'error'),
            startTimeUtc: report.startedAt,
            toolExecutionNotifications: notifications,
          },
        ],
        columnKind: 'utf16CodeUnits',
        ...(omitted > 0 ? { properties: { resultsOmitted: omitted, resultsTotal: kept.length + omitted, resultsLimit: max } } : {}),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
