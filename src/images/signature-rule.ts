// KM-IM-007: an image that a signature policy covers (`imageSignatures` in .kubemoat.yaml, or
// `--cosign-key`) carries no valid cosign signature by the policy's keys. Its examples are image
// facts: test/unit/images-rules.test.ts makes real keys, signs real payloads and stores them as
// `.sig` manifests, then runs them through the scanner's own signature check.

import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import type { RuleExamples, RuleMeta } from '../core/rule.js';
import { describeKey, type SignaturePolicy, type SignatureVerdict } from './cosign.js';
import { describeUses, imageResource, type WorkloadUse } from './findings.js';

export const UNSIGNED_IMAGE: RuleMeta = {
  id: 'KM-IM-007',
  title: 'Image lacks a valid cosign signature by a trusted key',
  severity: 'high',
  door: 'image',
  description:
    'A signature policy (imageSignatures in .kubemoat.yaml, or --cosign-key) says images matching it must be signed with one of its cosign keys, and this image ' +
    'has no signature at all, or only signatures that fail: made by another key, altered, malformed, or valid but made for another image\'s digest (a signature ' +
    'copied onto this image). An unsigned image did not come through the pipeline that signs releases: it may have been pushed by someone who holds registry ' +
    'credentials but not the signing key. Signatures are read from the `sha256-<digest>.sig` tag cosign writes, and from sigstore bundles attached as OCI 1.1 referrers ' +
    '(cosign\'s new bundle format), and checked offline against the public keys given; keyless (Fulcio certificate) signatures and transparency-log entries are not checked.',
  remediation:
    'Find out who pushed this digest. If it is a legitimate build, sign it in the release pipeline (`cosign sign --key cosign.key IMAGE@DIGEST`); ' +
    'otherwise stop the workloads that run it and pin them to a signed digest. Enforce signatures at admission (a policy controller) so unsigned images cannot run.',
  references: ['https://docs.sigstore.dev/cosign/signing/signing_with_containers/', 'https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md'],
  frameworks: { nsa: ['NSA-CISA Pod security: building secure container images'], mitre: ['T1525'] },
  messages: {
    unsigned: '{{image}} has no cosign signature (no {{tags}} tag, no sigstore bundle among its referrers), but {{policy}} requires one by {{keys}}',
    invalid: '{{image}} has no valid cosign signature by {{keys}}, which {{policy}} requires: {{count}} signature(s) found, none valid',
  },
};

const DIGEST_A = 'sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const DIGEST_B = 'sha256:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

/**
 * Image facts. `policy.keys` and `signatures[].key` name keys the test makes (`release`, `other`);
 * `signatures` absent means the `.sig` tag does not exist; `for` is the digest the signed payload
 * names; `tamper` alters the stored signature (`signature`: flipped bytes, `base64`: not base64,
 * `payload`: the blob no longer matches its digest).
 */
export const UNSIGNED_IMAGE_EXAMPLES: RuleExamples = {
  fail: [
    // no signature at all
    `image: registry.example.com/team/api:1.4
digest: "${DIGEST_A}"
policy: {images: ["registry.example.com/team/*"], keys: [release]}`,
    // signed, but by a key the policy does not trust
    `image: registry.example.com/team/api:1.4
digest: "${DIGEST_A}"
policy: {images: ["registry.example.com/team/*"], keys: [release]}
signatures:
  - {key: other, for: "${DIGEST_A}"}`,
    // a valid signature by the right key, copied from another image
    `image: registry.example.com/team/api:1.4
digest: "${DIGEST_A}"
policy: {images: ["registry.example.com/team/*"], keys: [release]}
signatures:
  - {key: release, for: "${DIGEST_B}"}`,
    // the right key, but the signature was altered
    `image: registry.example.com/team/api:1.4
digest: "${DIGEST_A}"
policy: {images: ["registry.example.com/team/*"], keys: [release]}
signatures:
  - {key: release, for: "${DIGEST_A}", tamper: signature}`,
  ],
  pass: [
    `image: registry.example.com/team/api:1.4
digest: "${DIGEST_A}"
policy: {images: ["registry.example.com/team/*"], keys: [release]}
signatures:
  - {key: other, for: "${DIGEST_A}"}
  - {key: release, for: "${DIGEST_A}"}`,
    // the policy does not cover this image: no signature needed
    `image: registry.example.com/other/api:1.4
digest: "${DIGEST_A}"
policy: {images: ["registry.example.com/team/*"], keys: [release]}`,
  ],
};

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function fill(messageId: string, data: Record<string, string>): string {
  return UNSIGNED_IMAGE.messages[messageId].replace(/\{\{(\w+)\}\}/g, (_, k: string) => data[k] ?? '');
}

/** The finding for a policy the image does not satisfy; undefined when it does. */
export function unsignedFinding(image: string, digest: string, policy: SignaturePolicy, verdict: SignatureVerdict, uses: readonly WorkloadUse[]): Finding | undefined {
  if (verdict.kind === 'verified') return undefined;
  const keys = policy.keys.map(describeKey).join(' or ');
  const message =
    verdict.kind === 'unsigned'
      ? fill('unsigned', { image, tags: verdict.looked.join(' or '), policy: policy.origin, keys })
      : fill('invalid', { image, keys, policy: policy.origin, count: String(verdict.problems.length) });
  const evidence = [`image digest ${digest}`, ...(verdict.kind === 'invalid' ? verdict.problems : ['no signature manifest in the repository']), describeUses(uses)].filter(Boolean).join('; ');
  return {
    ruleId: UNSIGNED_IMAGE.id,
    severity: UNSIGNED_IMAGE.severity,
    title: UNSIGNED_IMAGE.title,
    message,
    resource: imageResource(image),
    evidence,
    remediation: UNSIGNED_IMAGE.remediation,
    references: UNSIGNED_IMAGE.references,
    frameworks: UNSIGNED_IMAGE.frameworks,
    fingerprint: fingerprint(UNSIGNED_IMAGE.id, image, digest, policy.origin),
  };
}
