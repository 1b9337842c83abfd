// The JSON Schema of the JSON report (`-f json` of scan, cluster, node, probe and images), published
// as docs/report.schema.json (`npm run schema`). Written beside the Report and Finding types it
// describes; the tests validate every command's report against the published file.

import { SEVERITIES } from '../core/finding.js';
import { COMPLIANCE_FRAMEWORKS, REPORT_SCHEMA_VERSION } from '../core/report.js';

type Schema = Record<string, unknown>;

const text = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const count = (description: string): Schema => ({ type: 'integer', minimum: 0, description });
const strings = (description: string): Schema => ({ type: 'array', items: { type: 'string' }, description });
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

function object(properties: Record<string, Schema>, required: string[], description?: string): Schema {
  return { type: 'object', ...(description ? { description } : {}), properties, required, additionalProperties: false };
}

const target = (type: string, properties: Record<string, Schema>, description: string): Schema =>
  object({ type: { const: type }, ...properties }, ['type', ...Object.keys(properties)], description);

const DEFINITIONS: Record<string, Schema> = {
  severity: { type: 'string', enum: [...SEVERITIES] },
  resource: object(
    { apiVersion: text(), kind: text(), namespace: text(), name: text(), container: text('the container, for a finding about one') },
    ['apiVersion', 'kind', 'name'],
    'the object the finding is about (an image is kind Image; a node fact is a node.kubemoat.io kind)',
  ),
  location: object({ file: text('as given on the command line, or the template a `# Source:` comment names'), line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 } }, ['file', 'line', 'column'], 'the offending field in a manifest (1-based)'),
  endpoint: {
    description: 'a probed endpoint',
    oneOf: [object({ url: text() }, ['url']), object({ host: text(), port: { type: 'integer', minimum: 1, maximum: 65535 } }, ['host', 'port'])],
  },
  frameworks: object({ cis: strings('CIS Kubernetes Benchmark items'), nsa: strings('NSA/CISA Kubernetes Hardening Guide sections'), mitre: strings('MITRE ATT&CK technique ids'), pss: strings('Pod Security Standards controls: baseline/… or restricted/…') }, []),
  suppression: {
    oneOf: [
      object({ by: { const: 'annotation' }, reason: text() }, ['by', 'reason']),
      object({ by: { const: 'config' }, reason: text(), expires: text('YYYY-MM-DD') }, ['by', 'reason']),
    ],
  },
  finding: object(
    {
      ruleId: { type: 'string', pattern: '^KM-[A-Z]{2}-\\d{3}$' },
      severity: ref('severity'),
      title: text(),
      message: text(),
      resource: ref('resource'),
      location: ref('location'),
      endpoint: ref('endpoint'),
      evidence: text('what was seen; secret values redacted'),
      remediation: text(),
      references: strings('links'),
      frameworks: ref('frameworks'),
      fingerprint: { type: 'string', pattern: '^[0-9a-f]{16}$', description: 'stable across line moves and runs: rule, resource and offending field' },
      suppressed: ref('suppression'),
      covers: { type: 'array', items: ref('coveredFact'), description: 'the facts this finding stands for, worst first; suppressed only when every one is' },
      subjects: { type: 'array', items: ref('subject'), description: 'the identities it is about (RBAC): who holds what it grants' },
    },
    ['ruleId', 'severity', 'title', 'message', 'remediation', 'references', 'frameworks', 'fingerprint'],
  ),
  coveredFact: object({ ruleId: { type: 'string', pattern: '^KM-[A-Z]{2}-\\d{3}$' }, severity: ref('severity'), text: text() }, ['ruleId', 'severity', 'text']),
  subject: object({ kind: { type: 'string', enum: ['User', 'Group', 'ServiceAccount'] }, name: text(), namespace: text('service accounts only') }, ['kind', 'name']),
  coverageGap: object(
    { target: text('a file, a resource type, an endpoint or an image'), line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 }, reason: text(), severity: { type: 'string', enum: ['error', 'warning'] } },
    ['target', 'reason', 'severity'],
    'something that could not be seen, and why; an error makes the run exit 2',
  ),
  target: {
    oneOf: [
      target('manifests', { paths: strings('the paths given') }, 'kubemoat scan'),
      target('cluster', { context: text('the kubeconfig context') }, 'kubemoat cluster'),
      target('network', { targets: strings('the targets given') }, 'kubemoat probe'),
      target('node', { root: text('the host root read') }, 'kubemoat node'),
      target('images', { images: strings('the image references scanned'), source: { type: 'string', enum: ['arguments', 'cluster', 'manifests'] } }, 'kubemoat images'),
    ],
  },
  control: object(
    {
      id: text('the framework\'s id of the control: a CIS item, baseline/… or restricted/…, an NSA/CISA section'),
      title: text(),
      status: { type: 'string', enum: ['pass', 'fail', 'not-assessed'], description: 'fail: a finding is against it; pass: its rules ran, had something to examine and found nothing' },
      reason: text('why it is not assessed'),
      rules: strings('the rules that check it, run or not'),
      findings: count('findings against it that are not suppressed, whatever --severity shows'),
      suppressed: count('suppressed findings against it (they do not fail it)'),
      resources: strings('what the findings are about: Kind namespace/name, a file or an endpoint'),
    },
    ['id', 'title', 'status', 'rules', 'findings', 'suppressed', 'resources'],
  ),
  compliance: object(
    {
      framework: { type: 'string', enum: [...COMPLIANCE_FRAMEWORKS] },
      title: text(),
      totals: object({ pass: { type: 'integer', minimum: 0 }, fail: { type: 'integer', minimum: 0 }, 'not-assessed': { type: 'integer', minimum: 0 } }, ['pass', 'fail', 'not-assessed']),
      controls: { type: 'array', items: ref('control') },
    },
    ['framework', 'title', 'totals', 'controls'],
    'with --compliance (scan, cluster, node): every control of the framework',
  ),
  summary: object(
    {
      total: count('findings listed in `findings`'),
      bySeverity: object(Object.fromEntries(SEVERITIES.map((s) => [s, { type: 'integer', minimum: 0 }])), [...SEVERITIES]),
      suppressed: count('findings listed in `suppressed`'),
      belowThreshold: count('findings below --severity: counted, not listed'),
      resources: count('objects, endpoints or images looked at'),
      files: count('files read (scan)'),
      documents: count('YAML documents read (scan)'),
      skipped: count('files and documents that are not Kubernetes objects (scan)'),
    },
    ['total', 'bySeverity', 'suppressed', 'belowThreshold', 'resources'],
  ),
};

export function reportSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/kubemoat/kubemoat/blob/main/docs/report.schema.json',
    title: 'kubemoat report',
    description: `The JSON report of kubemoat scan, cluster, node, probe and images (\`-f json\`), schemaVersion ${REPORT_SCHEMA_VERSION}.`,
    type: 'object',
    properties: {
      schemaVersion: { const: REPORT_SCHEMA_VERSION, description: 'raised when a field is removed or changes meaning' },
      tool: { const: 'kubemoat' },
      version: text('the kubemoat version'),
      startedAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T', description: 'ISO 8601, UTC' },
      target: ref('target'),
      findings: { type: 'array', items: ref('finding'), description: 'active findings at or above --severity, by file, line, severity' },
      suppressed: { type: 'array', items: ref('finding'), description: 'findings an annotation or the config suppressed (each has `suppressed`)' },
      summary: ref('summary'),
      coverage: { type: 'array', items: ref('coverageGap') },
      hosts: { type: 'array', items: { type: 'object' }, description: 'probe: each host with open ports, its findings and worst severity' },
      endpoints: { type: 'array', items: { type: 'object' }, description: 'probe: every endpoint that answered, with what it said' },
      scan: { type: 'object', description: 'probe: ports, hosts, probes, connections and their outcomes, seconds' },
      compliance: ref('compliance'),
    },
    required: ['schemaVersion', 'tool', 'version', 'startedAt', 'target', 'findings', 'suppressed', 'summary', 'coverage'],
    additionalProperties: false,
    definitions: DEFINITIONS,
    $comment: 'Generated from src/report/report-schema.ts by `npm run schema`.',
  };
}

export function reportSchemaText(): string {
  return JSON.stringify(reportSchema(), null, 2) + '\n';
}
