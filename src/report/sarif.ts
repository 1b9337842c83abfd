// SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): rule metadata in the driver,
// one result per finding at the offending line, suppressed findings carried as suppressions.

import { isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../core/finding.js';
import { INFORMATION_URI, TOOL_NAME, TOOL_VERSION, type Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning orders security alerts by this 0–10 score. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** Code scanning resolves relative URIs against the repository, so files under the working directory are made relative. */
function artifactUri(file: string, cwd: string): string {
  let path = file;
  if (isAbsolute(path)) {
    const rel = relative(cwd, path);
    if (rel.startsWith('..') || isAbsolute(rel)) return pathToFileURL(path).href;
    path = rel;
  }
  const normalised = path.replace(/\\/g, '/').replace(/^\.\//, '');
  return encodeURI(normalised);
}

/** A Pascal-case friendly name from a title: "CPU or memory limit missing" → "CpuOrMemoryLimitMissing". */
function friendlyName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

function ruleDescriptor(rule: Pick<Rule, 'meta'>): object {
  const m = rule.meta;
  const tags = ['security', 'kubernetes', m.door, ...(m.frameworks.cis ?? []).map((c) => `CIS-${c}`), ...(m.frameworks.mitre ?? []).map((t) => `MITRE-${t}`)];
  return {
    id: m.id,
    name: friendlyName(m.title),
    shortDescription: { text: m.title },
    fullDescription: { text: m.description },
    help: {
      text: `${m.description}\n\nRemediation: ${m.remediation}\n\nReferences:\n${m.references.join('\n')}`,
      markdown: `${m.description}\n\n**Remediation:** ${m.remediation}\n\n${m.references.map((r) => `- ${r}`).join('\n')}`,
    },
    ...(m.references[0] ? { helpUri: m.references[0] } : {}),
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: { tags, precision: 'high', 'security-severity': SECURITY_SEVERITY[m.severity] },
  };
}

function result(f: Finding, ruleIndex: Map<string, number>, cwd: string): object {
  const message = f.evidence ? `${f.message}. Evidence: ${f.evidence}` : f.message;
  return {
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    level: LEVEL[f.severity],
    message: { text: `${message}. Fix: ${f.remediation}` },
    locations: f.location
      ? [
          {
            physicalLocation: {
              artifactLocation: { uri: artifactUri(f.location.file, cwd) },
              region: { startLine: f.location.line, startColumn: f.location.column },
            },
            ...(f.resource ? { logicalLocations: [{ name: f.resource.name, fullyQualifiedName: logicalName(f), kind: 'resource' }] } : {}),
          },
        ]
      : f.resource
        ? [{ logicalLocations: [{ name: f.resource.name, fullyQualifiedName: logicalName(f), kind: 'resource' }] }]
        : f.endpoint
          ? [{ logicalLocations: [{ name: endpointName(f.endpoint), fullyQualifiedName: endpointName(f.endpoint), kind: 'resource' }] }]
          : [],
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

function logicalName(f: Finding): string {
  const r = f.resource!;
  return [r.kind, r.namespace, r.name, r.container].filter(Boolean).join('/');
}

export function renderSarif(report: Report, rules: readonly Pick<Rule, 'meta'>[], cwd = process.cwd()): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, semanticVersion: TOOL_VERSION, informationUri: INFORMATION_URI, rules: rules.map(ruleDescriptor) } },
        results: [...report.findings, ...report.suppressed].map((f) => result(f, ruleIndex, cwd)),
        invocations: [
          {
            executionSuccessful: !report.coverage.some((c) => c.severity === 'error'),
            startTimeUtc: report.startedAt,
            toolExecutionNotifications: report.coverage.map((c) => ({
              level: c.severity === 'error' ? 'error' : 'warning',
              message: { text: c.reason },
              ...(c.target.startsWith('<')
                ? {}
                : report.target.type === 'images'
                  ? // an image reference (`127.0.0.1:5000/app:1`, `oci:dir:tag`) is not a URI reference: a logical location
                    { locations: [{ logicalLocations: [{ name: c.target, kind: 'resource' }] }] }
                  : { locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(c.target, cwd) }, ...(c.line ? { region: { startLine: c.line, startColumn: c.column ?? 1 } } : {}) } }] }),
            })),
          },
        ],
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
