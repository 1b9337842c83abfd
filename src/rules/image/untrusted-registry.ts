import { defineRule, type RuleExamples, type ScanSettings } from '../../core/rule.js';
import { imageOf } from '../security-context.js';
import { canonicalName, parseImageRef, parseRegistryEntry, registryEntryAllows, type RegistryEntry } from '../image-ref.js';

const MITRE_MALICIOUS_IMAGE = 'T1204.003';
const MITRE_IMPLANT_INTERNAL_IMAGE = 'T1525';
const NSA_SECURE_IMAGES = 'NSA-CISA Pod security: building secure container images';
const DOCS_IMAGES = 'https://kubernetes.io/docs/concepts/containers/images/';

/**
 * The examples need an allow-list. `settings` is read by a rule tester that supports per-rule example
 * settings; without it the failing examples cannot fire (see the unit tests, which pass the config).
 */
export const EXAMPLE_TRUSTED_REGISTRIES = ['registry.example.com', 'ghcr.io/acme', '*.dkr.ecr.eu-west-1.amazonaws.com', 'docker.io/library'];

const EXAMPLES: RuleExamples & { settings: Pick<ScanSettings, 'trustedRegistries'> } = {
  settings: { trustedRegistries: EXAMPLE_TRUSTED_REGISTRIES },
  fail: [
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: data}
spec:
  template:
    spec:
      containers:
        - {name: worker, image: "docker.io/analyticsco/worker:1.0"}`,
    // a path prefix matches whole segments only
    `apiVersion: v1
kind: Pod
metadata: {name: lookalike}
spec:
  initContainers:
    - {name: init, image: "ghcr.io/acme-evil/init:1.0"}
  containers:
    - {name: main, image: "ghcr.io/acme/app:1.0"}`,
    // a registry with another port is another registry; a wildcard does not cover the apex
    `apiVersion: batch/v1
kind: CronJob
metadata: {name: sync, namespace: ops}
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - {name: a, image: "registry.example.com:5000/sync:2"}
            - {name: b, image: "dkr.ecr.eu-west-1.amazonaws.com/sync:2"}`,
  ],
  pass: [
    `apiVersion: v1
kind: Pod
metadata: {name: trusted}
spec:
  containers:
    - {name: a, image: "registry.example.com/team/app:1.0"}
    - {name: b, image: "ghcr.io/acme/tools/cli:2"}
    - {name: c, image: "000000000000.dkr.ecr.eu-west-1.amazonaws.com/api:3"}
    - {name: d, image: "nginx:1.27"}
    - {name: e, image: "index.docker.io/library/redis:7"}
    - {name: f, image: "REGISTRY.EXAMPLE.COM/team/app:1.0"}`,
  ],
};

export default defineRule({
  meta: {
    id: 'KM-IM-003',
    title: 'Image from a registry outside the allow-list',
    severity: 'high',
    door: 'image',
    description:
      'An image from a registry the organisation does not control or vet runs whatever its publisher (or whoever took over the ' +
      'account, or a typosquatter) put in it, with none of the organisation\'s scanning or signing in the way. Malicious public images ' +
      'carrying miners and backdoors are a common way in. This rule runs only when `.kubemoat.yaml` lists `trustedRegistries`; an ' +
      'entry is a host (`ghcr.io`), a host and path prefix matched on whole path segments (`ghcr.io/acme` allows `ghcr.io/acme/api` ' +
      'but not `ghcr.io/acme-evil/x`), or a wildcard host (`*.dkr.ecr.eu-west-1.amazonaws.com`). An image without a registry is on ' +
      'Docker Hub: `nginx` is `docker.io/library/nginx` and `user/app` is `docker.io/user/app`. A registry with a port must be listed with its port.',
    remediation:
      'Pull the image through a registry you control (a mirror or pull-through cache that scans and signs), or add its registry to `trustedRegistries` in `.kubemoat.yaml` after review. Enforce the same list at admission (Kyverno, Gatekeeper, or a ValidatingAdmissionPolicy).',
    references: [DOCS_IMAGES, 'https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/'],
    frameworks: { nsa: [NSA_SECURE_IMAGES], mitre: [MITRE_MALICIOUS_IMAGE, MITRE_IMPLANT_INTERNAL_IMAGE] },
    messages: {
      untrusted: '{{container}} in {{resource}} pulls `{{image}}`{{canonical}}, which no trustedRegistries entry allows ({{allowed}})',
    },
  },
  examples: EXAMPLES,
  create(context) {
    const entries: RegistryEntry[] = context.settings.trustedRegistries.filter((e) => e.trim() !== '').map(parseRegistryEntry);
    if (entries.length === 0) return {};
    const allowed = entries.map((e) => e.entry).join(', ');
    return {
      container(c) {
        const image = imageOf(c);
        if (image === undefined) return;
        const ref = parseImageRef(image);
        if (ref === undefined) return;
        if (entries.some((e) => registryEntryAllows(e, ref))) return;
        const name = canonicalName(ref);
        const canonical = ref.raw.startsWith(name) ? '' : ` (${name})`;
        context.report({ node: c, messageId: 'untrusted', data: { image: ref.raw, canonical, allowed }, at: ['image'] });
      },
    };
  },
});
