// The shape of `.kubemoat.yaml`, written once as data: the validator in config.ts walks it, and
// docs/config.schema.json is generated from it, so the two cannot drift apart unnoticed (a unit test
// compares the published file with the generated one and runs both on the same examples).
// What a JSON Schema cannot say (that a rule id exists, that a date is real, that `rule: '*'` is
// narrowed) the validator checks after the shape; the descriptions say so.

export interface StringSpec {
  type: 'string';
  description: string;
  /** a regular expression the whole value must match */
  pattern?: string;
  /** what a value that fails `pattern` should look like, for the error message */
  expected?: string;
}

export interface IntegerSpec {
  type: 'integer';
  description: string;
  minimum: number;
}

export interface BooleanSpec {
  type: 'boolean';
  description: string;
}

export interface ListSpec {
  type: 'list';
  description: string;
  items: Spec;
  minItems?: number;
  /** a single value is accepted as a list of one (kept where older configs rely on it) */
  single?: boolean;
}

export interface MappingSpec {
  type: 'mapping';
  description: string;
  keys: Record<string, Spec>;
  /** key → what the error says it needs: "a `reason`: a suppression without one cannot be reviewed" */
  required?: Record<string, string>;
  /** at least one key of each group, and why */
  atLeastOne?: { keys: string[]; why: string }[];
  /** a key that is not allowed here but is somewhere else: where it belongs */
  misplaced?: Record<string, string>;
}

export type Spec = StringSpec | IntegerSpec | BooleanSpec | ListSpec | MappingSpec;

const RULE_PATTERN = '^[A-Za-z0-9*-]+$';
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const NOT_BLANK = '\\S';
const NO_WILDCARD = '^[^*]+$';

function str(description: string, pattern?: string, expected?: string): StringSpec {
  return { type: 'string', description, ...(pattern ? { pattern } : {}), ...(expected ? { expected } : {}) };
}

const ruleId = (catalogue: string): StringSpec => str(
  `a rule id (${catalogue}), or a glob with * over rule ids (KM-WL-* for a whole group); it must name at least one rule that exists`,
  RULE_PATTERN,
  'a rule id like KM-WL-001 or a glob like KM-WL-*',
);

const RESOURCE: MappingSpec = {
  type: 'mapping',
  description: 'which objects the suppression covers; every key given must match, an absent key matches anything',
  keys: {
    kind: str('the object kind, exactly (case-insensitive): Deployment, DaemonSet, ClusterRole…', NO_WILDCARD, 'a kind without *'),
    apiVersion: str('the object apiVersion, exactly: apps/v1, rbac.authorization.k8s.io/v1…', NO_WILDCARD, 'an apiVersion without *'),
    namespace: str('the namespace, or a glob with * (team-*)'),
    name: str('the object name, or a glob with * (cilium*)'),
  },
};

const MISPLACED_RESOURCE_KEYS: Record<string, string> = {
  namespace: 'resource.namespace',
  name: 'resource.name',
  kind: 'resource.kind',
  apiVersion: 'resource.apiVersion',
};

const IGNORE_ENTRY: MappingSpec = {
  type: 'mapping',
  description: 'a suppression: findings of these rules on these objects or files are marked suppressed (and still counted), not reported',
  keys: {
    rule: ruleId('see `kubemoat rules`'),
    rules: { type: 'list', description: 'several rule ids or globs', items: ruleId('see `kubemoat rules`'), minItems: 1 },
    resource: RESOURCE,
    paths: {
      type: 'list',
      description: 'globs over the manifest file a finding is in, relative to this config file\'s directory (* within a directory, ** across directories, a trailing / for everything below); findings without a file (cluster, probe, node) never match',
      items: str('a path glob relative to this file: k8s/dev/**, **/kube-system/*.yaml', '^[^/]', 'a path relative to the config file (an absolute path would never match)'),
      minItems: 1,
    },
    reason: str('why the finding is accepted, for the next reviewer', NOT_BLANK, 'a reason that is not blank'),
    expires: str('the last day (YYYY-MM-DD) the suppression applies; after it the findings are reported again', DATE_PATTERN, 'a date like 2027-01-31'),
  },
  required: { reason: 'a `reason`: a suppression without one cannot be reviewed' },
  atLeastOne: [{ keys: ['rule', 'rules'], why: 'the rule ids it suppresses (rule: * for every rule needs a resource or paths matcher)' }],
  misplaced: MISPLACED_RESOURCE_KEYS,
};

/** The purposes kubemoat knows (src/rules/purpose.ts describes what each one needs). */
export const PURPOSE_IDS = ['cni-agent', 'metrics-exporter', 'log-shipper', 'storage-driver', 'security-agent'] as const;

const PURPOSE_ENTRY: MappingSpec = {
  type: 'mapping',
  description: 'what a component is for: findings of the host access that purpose needs are still reported, two severity steps lower, and say "expected for …; review"',
  keys: {
    purpose: str(`one of ${PURPOSE_IDS.join(', ')}`, `^(${PURPOSE_IDS.join('|')})$`, `one of ${PURPOSE_IDS.join(', ')}`),
    resource: {
      ...RESOURCE,
      description: 'the workloads that have this purpose; `name` is required (a name or a glob with *), so a declaration cannot cover a whole namespace by accident',
      required: { name: '`name`: the workload (or a glob over names) that has this purpose' },
    },
    reason: str('why this component needs its host access, for the next reviewer', NOT_BLANK, 'a reason that is not blank'),
  },
  required: {
    purpose: `a \`purpose\`: one of ${PURPOSE_IDS.join(', ')}`,
    resource: '`resource`: the workloads that have this purpose (at least a `name`)',
    reason: 'a `reason`: a declared purpose without one cannot be reviewed',
  },
  misplaced: MISPLACED_RESOURCE_KEYS,
};

const oneOrMany = (description: string): ListSpec => ({ type: 'list', description, items: str(description), minItems: 1, single: true });

const DETECT_ALLOW: MappingSpec = {
  type: 'mapping',
  description: 'activity a detection rule should not alert on; every matcher given must match (an allowed alert is counted, never sent)',
  keys: {
    rule: ruleId('KM-DT-…, see docs/detect-rules.md'),
    rules: { type: 'list', description: 'several detection rule ids or globs', items: ruleId('KM-DT-…'), minItems: 1 },
    users: oneOrMany('usernames, or globs with * (system:serviceaccount:flux-system:*)'),
    namespaces: oneOrMany('namespaces of the object acted on, or globs with *'),
    images: oneOrMany('image globs; matches when every image of the alert matches one'),
    workloads: oneOrMany('runtime rules (KM-RT): pod name globs of the workload'),
    binaries: oneOrMany('runtime rules (KM-RT): program path or name globs'),
    reason: str('why this activity is expected', NOT_BLANK, 'a reason that is not blank'),
  },
  required: { reason: 'a `reason`: an allow-list entry without one cannot be reviewed' },
  atLeastOne: [
    { keys: ['rule', 'rules'], why: 'a detection rule id, a glob like KM-DT-0*, or * for every rule' },
    { keys: ['users', 'namespaces', 'images', 'workloads', 'binaries'], why: "to silence a rule entirely, say so with users: ['*']" },
  ],
  misplaced: { user: 'users', namespace: 'namespaces', image: 'images' },
};

const ADDRESS = str('an IP address or CIDR', '^(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:/\\d{1,3})?$', 'an IP address or CIDR');

const DETECT: MappingSpec = {
  type: 'mapping',
  description: '`kubemoat detect` settings',
  keys: {
    allow: { type: 'list', description: 'allow-list entries', items: DETECT_ALLOW },
    deniedBurst: {
      type: 'mapping',
      description: 'KM-DT-025: this many denied requests from one user and address within windowSeconds',
      keys: {
        count: { type: 'integer', description: 'denied requests that make a burst', minimum: 2 },
        windowSeconds: { type: 'integer', description: 'the window, in seconds', minimum: 1 },
      },
      required: { count: '`count`: denied requests that make a burst (≥ 2)', windowSeconds: '`windowSeconds`: the window in seconds (≥ 1)' },
    },
    internalNetworks: {
      type: 'list',
      description: "the cluster's own networks (nodes, control plane, pod and service CIDRs): node, component and controller credentials used from any other address raise KM-DT-041 and are not trusted",
      items: ADDRESS,
    },
    trust: {
      type: 'mapping',
      description: 'who the detector treats as the control plane (docs/detect-rules.md, "Who is trusted")',
      keys: {
        controlPlaneAddresses: { type: 'list', description: 'IP addresses or CIDRs the control plane calls from; components and controller accounts are trusted only from these', items: ADDRESS },
        managedIdentities: { type: 'boolean', description: 'trust the built-in EKS/AKS/GKE system identities (default true)' },
      },
    },
  },
};

const IMAGE_SIGNATURE: MappingSpec = {
  type: 'mapping',
  description: 'images matching `images` must carry a cosign signature by one of the keys (KM-IM-007)',
  keys: {
    images: oneOrMany('reference globs with * (registry.example.com/team/*)'),
    key: oneOrMany('a cosign public key file (PEM), relative to this config file'),
    keys: oneOrMany('cosign public key files (PEM), relative to this config file'),
  },
  required: { images: '`images`: the references it covers (globs with *, e.g. registry.example.com/team/*)' },
  atLeastOne: [{ keys: ['key', 'keys'], why: 'a cosign public key file (cosign.pub)' }],
};

export const CONFIG_SPEC: MappingSpec = {
  type: 'mapping',
  description: 'kubemoat configuration (.kubemoat.yaml): trusted registries, suppressions, declared purposes, detect allow-lists, image signature policies. Unknown keys are errors.',
  misplaced: { allow: 'detect.allow', deniedBurst: 'detect.deniedBurst', rule: 'ignore[].rule', reason: 'ignore[].reason' },
  keys: {
    trustedRegistries: {
      type: 'list',
      description: 'registries images may come from (KM-IM-003): a host, a host and path prefix, or *.host',
      items: str('ghcr.io, ghcr.io/acme, *.dkr.ecr.eu-west-1.amazonaws.com', NOT_BLANK, 'a registry that is not blank'),
    },
    ignore: { type: 'list', description: 'suppressions of scan, cluster, node, probe and images findings', items: IGNORE_ENTRY },
    purposes: { type: 'list', description: 'declared purposes of node agents (CNI agents, exporters, log shippers…); the annotation kubemoat.io/purpose on a workload declares one too', items: PURPOSE_ENTRY },
    detect: DETECT,
    imageSignatures: { type: 'list', description: 'cosign signature policies for `kubemoat images`', items: IMAGE_SIGNATURE },
  },
};

type JsonSchema = { [key: string]: JsonSchemaValue };
type JsonSchemaValue = string | number | boolean | JsonSchema | JsonSchemaValue[];

function stringSchema(s: StringSpec): JsonSchema {
  return { type: 'string', description: s.description, minLength: 1, ...(s.pattern ? { pattern: s.pattern } : {}) };
}

function mappingSchema(m: MappingSpec): JsonSchema {
  const properties: JsonSchema = {};
  for (const [key, spec] of Object.entries(m.keys)) properties[key] = toJsonSchema(spec);
  const required = Object.keys(m.required ?? {});
  const groups = (m.atLeastOne ?? []).map((g): JsonSchema => ({ anyOf: g.keys.map((k): JsonSchema => ({ required: [k] })) }));
  return {
    type: 'object',
    description: m.description,
    properties,
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
    ...(groups.length > 0 ? { allOf: groups } : {}),
  };
}

export function toJsonSchema(spec: Spec): JsonSchema {
  switch (spec.type) {
    case 'string':
      return stringSchema(spec);
    case 'integer':
      return { type: 'integer', description: spec.description, minimum: spec.minimum };
    case 'boolean':
      return { type: 'boolean', description: spec.description };
    case 'mapping':
      return mappingSchema(spec);
    case 'list': {
      const list: JsonSchema = { type: 'array', description: spec.description, items: toJsonSchema(spec.items), ...(spec.minItems ? { minItems: spec.minItems } : {}) };
      return spec.single ? { description: spec.description, anyOf: [toJsonSchema(spec.items), list] } : list;
    }
  }
}

/** docs/config.schema.json, as published. */
export function configSchemaText(): string {
  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'kubemoat configuration',
    ...toJsonSchema(CONFIG_SPEC),
    $comment: 'Generated from src/core/config-schema.ts. kubemoat also checks what a schema cannot: rule ids and globs must name real rules, a bare * needs a narrowing resource or paths matcher, expires must be a real date.',
  };
  return JSON.stringify(schema, null, 2) + '\n';
}
