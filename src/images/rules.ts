// The rules of `kubemoat images` that judge image contents and history rather than manifests:
// they are reported by the image scanner, not by the manifest engine, so their examples are image
// facts (as YAML), which test/unit/images-rules.test.ts runs through the scanner's own matching.
// (KM-IM-001..003 are the manifest image rules.)

import type { Rule, RuleExamples, RuleMeta } from '../core/rule.js';
import { UNSIGNED_IMAGE, UNSIGNED_IMAGE_EXAMPLES } from './signature-rule.js';

const MITRE_IMPLANT_INTERNAL_IMAGE = 'T1525';
const MITRE_EXPLOIT_PUBLIC_APP = 'T1190';
const NSA_SECURE_IMAGES = 'NSA-CISA Pod security: building secure container images';
const NSA_SCANNING = 'NSA-CISA Vulnerability scanning and configuration';

export const VULNERABLE_PACKAGE: RuleMeta = {
  id: 'KM-IM-004',
  title: 'Image carries a package with a known vulnerability',
  severity: 'high',
  door: 'image',
  description:
    'A package in the image has a published vulnerability (an OSV record from the local database) and the installed version is in the affected range. ' +
    'An attacker who reaches the workload can use the flaw: remote code execution in a parser, a TLS library, an interpreter. ' +
    'The severity is the record\'s own (its CVSS base score where it has a vector); Debian and Alpine packages are matched against their distribution\'s records, ' +
    'keyed by source package and release, so a fix backported into the distribution\'s version is not reported.',
  remediation: 'Rebuild the image on an updated base image, or upgrade the package to the fixed version named in the finding; for language packages, bump the dependency and rebuild.',
  references: ['https://ossf.github.io/osv-schema/', 'https://kubernetes.io/docs/concepts/containers/images/'],
  frameworks: { nsa: [NSA_SCANNING, NSA_SECURE_IMAGES], mitre: [MITRE_EXPLOIT_PUBLIC_APP] },
  messages: {
    vulnerable: '{{package}} {{version}} in {{image}} is affected by {{id}}{{aliases}}{{fixed}}: {{summary}}',
  },
};

export const TAG_MOVED: RuleMeta = {
  id: 'KM-IM-005',
  title: 'Image changed behind the same tag',
  severity: 'medium',
  door: 'image',
  description:
    'The tag now points at a different manifest digest than at the previous scan, or (live cluster) pods run a different build than the tag names now, as ' +
    'the kubelet reports the digest each container pulled. Either someone pushed a new build under an existing tag (so nodes pulling at ' +
    'different times run different code), or the registry was tampered with. Either way what runs is not what was reviewed. ' +
    'The build the pods run is scanned as well, under its digest.',
  remediation: 'Find who pushed the new digest and why; pin workloads to the reviewed digest (`image: repo:tag@sha256:…`) and make release tags immutable in the registry.',
  references: ['https://kubernetes.io/docs/concepts/containers/images/#image-names'],
  frameworks: { nsa: [NSA_SECURE_IMAGES], mitre: [MITRE_IMPLANT_INTERNAL_IMAGE] },
  messages: {
    moved: '{{image}} now resolves to {{now}}; at the scan of {{when}} it was {{before}}',
    running: '{{image}} resolves to {{now}} in the registry, but pods run another build of it, {{running}}',
  },
};

export const IMAGE_UNREADABLE: RuleMeta = {
  id: 'KM-IM-006',
  title: 'Image content could not be verified',
  severity: 'high',
  door: 'image',
  description:
    'A layer or manifest of the image did not match its digest, or could not be read whole. Content that does not hash to the digest that names it was ' +
    'altered in storage or in transit, and is rejected: the image is not what its manifest says.',
  remediation: 'Pull the image again from a registry you trust and compare digests; if the registry serves it, treat the registry as compromised until explained.',
  references: ['https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests'],
  frameworks: { nsa: [NSA_SECURE_IMAGES], mitre: [MITRE_IMPLANT_INTERNAL_IMAGE] },
  messages: {
    rejected: '{{image}}: {{reason}}',
  },
};

export const IMAGE_SCAN_RULES: readonly RuleMeta[] = [VULNERABLE_PACKAGE, TAG_MOVED, IMAGE_UNREADABLE, UNSIGNED_IMAGE];

/** Image facts on which each rule reports (fail) or stays silent (pass). */
export const IMAGE_RULE_EXAMPLES: Record<string, RuleExamples> = {
  [VULNERABLE_PACKAGE.id]: {
    fail: [
      `image: registry.example.com/shop/api:1.4
os: {id: debian, versionId: "12"}
packages:
  - {type: deb, name: libc6, version: 2.36-9+deb12u3, source: {name: glibc, version: 2.36-9+deb12u3}}
advisories:
  - {id: DSA-5678-1, ecosystem: "Debian:12", package: glibc, introduced: "0", fixed: 2.36-9+deb12u4}`,
      `image: registry.example.com/shop/web:2
packages:
  - {type: npm, name: lodash, version: 4.17.20, path: /srv/node_modules/lodash/package.json}
advisories:
  - {id: GHSA-35jh-r3h4-6jhm, ecosystem: npm, package: lodash, introduced: "0", fixed: 4.17.21}`,
    ],
    pass: [
      // the fix was backported into bookworm's version: at or above the record's fixed version
      `image: registry.example.com/shop/api:1.5
os: {id: debian, versionId: "12"}
packages:
  - {type: deb, name: libc6, version: 2.36-9+deb12u4, source: {name: glibc, version: 2.36-9+deb12u4}}
advisories:
  - {id: DSA-5678-1, ecosystem: "Debian:12", package: glibc, introduced: "0", fixed: 2.36-9+deb12u4}
  - {id: DLA-9999-1, ecosystem: "Debian:11", package: glibc, introduced: "0", fixed: 2.99-1}`,
    ],
  },
  [TAG_MOVED.id]: {
    fail: [
      `image: registry.example.com/shop/api:1.4
lastScan: {digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111", at: "2026-11-01T00:00:00Z"}
now: {digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"}`,
      `image: registry.example.com/shop/api:1.4
now: {digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"}
running: {ref: "registry.example.com/shop/api@sha256:9999999999999999999999999999999999999999999999999999999999999999", digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111"}`,
    ],
    pass: [
      `image: registry.example.com/shop/api:1.4
lastScan: {digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111", at: "2026-11-01T00:00:00Z"}
now: {digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111"}`,
      `image: registry.example.com/shop/api:1.4
now: {digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"}
running: {ref: "registry.example.com/shop/api@sha256:9999999999999999999999999999999999999999999999999999999999999999", digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"}`,
    ],
  },
  [IMAGE_UNREADABLE.id]: {
    fail: [
      `image: registry.example.com/shop/api:1.4
layer: {digest: "sha256:3333333333333333333333333333333333333333333333333333333333333333", content: "bytes that hash to something else"}`,
    ],
    pass: [
      `image: registry.example.com/shop/api:1.4
layer: {digest: "sha256:of-its-content", content: "bytes that hash to the digest"}`,
    ],
  },
  [UNSIGNED_IMAGE.id]: UNSIGNED_IMAGE_EXAMPLES,
};

/** As catalogue-shaped rules for `kubemoat rules` and the reporters (SARIF and JUnit list the rules they report on). */
export function imageScanRulesForReports(): Rule[] {
  return IMAGE_SCAN_RULES.map((meta) => ({ meta, examples: IMAGE_RULE_EXAMPLES[meta.id], create: () => ({}) }));
}
