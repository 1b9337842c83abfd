import { defineRule } from '../../core/rule.js';
import { imageOf } from '../security-context.js';
import { canonicalName, parseImageRef, parseRegistryEntry, registryEntryAllows, type RegistryEntry } from '../image-ref.js';

const MITRE_MALICIOUS_IMAGE = 'T1204.003';
const MITRE_IMPLANT_INTERNAL_IMAGE = 'T1525';
const NSA_SECURE_IMAGES = 'NSA-CISA Pod security: building secure container images';
const DOCS_IMAGES = 'https://kubernetes.io/docs/concepts/containers/images/';

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
      untrusted: '{{container}} in {{resource}} pulls `{{image}}` from `{{name}}`, which no trustedRegistries entry allows ({{allowed}})',
    },
  },
  examples: {
    // With no trustedRegistries configured the rule stays silent; the unit tests exercise the allow-list.
    fail: [],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: any-registry}
spec:
  containers:
    - {name: a, image: "evil.example/miner:1"}`,
    ],
  },
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
        context.report({ node: c, messageId: 'untrusted', data: { image: ref.raw, name: canonicalName(ref), allowed }, at: ['image'] });
      },
    };
  },
});
