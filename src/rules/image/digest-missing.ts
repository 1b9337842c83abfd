import { defineRule } from '../../core/rule.js';
import { imageOf } from '../security-context.js';
import { parseImageRef } from '../image-ref.js';

const MITRE_IMPLANT_INTERNAL_IMAGE = 'T1525';
const NSA_SECURE_IMAGES = 'NSA-CISA Pod security: building secure container images';
const DOCS_IMAGES = 'https://kubernetes.io/docs/concepts/containers/images/';
const DOCS_IMAGE_NAMES = 'https://kubernetes.io/docs/concepts/containers/images/#image-names';

export default defineRule({
  meta: {
    id: 'KM-IM-002',
    title: 'Image not pinned by digest',
    severity: 'low',
    door: 'image',
    description:
      'A tag is a movable label: whoever can push to the repository can point `1.4.2` at different content, and the cluster will ' +
      'run it the next time a node pulls. Only a digest (`@sha256:…`) names exact bytes, so what was reviewed and scanned is what runs. ' +
      'This complements KM-IM-001: both report `nginx:latest`, this one also reports versioned tags.',
    remediation:
      'Append the digest of the reviewed image to the reference (`ghcr.io/acme/api:1.4.2@sha256:…`; `crane digest` or `docker buildx imagetools inspect` prints it) and update digests through a bot such as Renovate.',
    references: [DOCS_IMAGE_NAMES, DOCS_IMAGES],
    frameworks: { nsa: [NSA_SECURE_IMAGES], mitre: [MITRE_IMPLANT_INTERNAL_IMAGE] },
    messages: {
      unpinned: '{{container}} in {{resource}} uses image `{{image}}`, which is not pinned by digest',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - {name: api, image: "ghcr.io/acme/api:1.4.2"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers:
    - {name: main, image: "busybox@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"}
  ephemeralContainers:
    - {name: shell, image: "localhost:5000/tools:1"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  containers:
    - name: a
      image: ghcr.io/acme/api:1.4.2@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa
    - name: b
      image: registry.example.com:5000/team/app@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const image = imageOf(c);
        if (image === undefined) return;
        const ref = parseImageRef(image);
        if (ref === undefined || ref.digest !== undefined) return;
        context.report({ node: c, messageId: 'unpinned', data: { image: ref.raw }, at: ['image'] });
      },
    };
  },
});
