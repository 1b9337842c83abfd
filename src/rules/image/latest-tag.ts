import { defineRule } from '../../core/rule.js';
import { imageOf } from '../security-context.js';
import { parseImageRef } from '../image-ref.js';

const MITRE_IMPLANT_INTERNAL_IMAGE = 'T1525';
const NSA_SECURE_IMAGES = 'NSA-CISA Pod security: building secure container images';
const DOCS_IMAGES = 'https://kubernetes.io/docs/concepts/containers/images/';
const DOCS_IMAGE_NAMES = 'https://kubernetes.io/docs/concepts/containers/images/#image-names';

export default defineRule({
  meta: {
    id: 'KM-IM-001',
    title: 'Image uses the latest tag or no tag',
    severity: 'medium',
    door: 'image',
    description:
      'An image with no tag, or the `latest` tag, is whatever the registry holds at the moment a node pulls it. ' +
      'Nobody reviews what changes between two pulls: anyone who can push to that repository (a stolen CI token, a compromised ' +
      'upstream maintainer) gets their code into the cluster on the next restart or reschedule, and two replicas may run different code. ' +
      'A reference pinned by digest (`@sha256:…`) is not reported, even with `:latest` beside it, because the runtime pulls the digest.',
    remediation:
      'Use an explicit version tag (`nginx:1.27.3`) or, better, pin the digest (`nginx:1.27.3@sha256:…`) and let a bot such as Renovate or Dependabot propose updates.',
    references: [DOCS_IMAGES, DOCS_IMAGE_NAMES],
    frameworks: { nsa: [NSA_SECURE_IMAGES], mitre: [MITRE_IMPLANT_INTERNAL_IMAGE] },
    messages: {
      latest: '{{container}} in {{resource}} uses image `{{image}}` with the mutable `latest` tag',
      untagged: '{{container}} in {{resource}} uses image `{{image}}` with no tag, so the runtime pulls `latest`',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx`,
      `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: setup, image: "ghcr.io/acme/setup:latest"}
  containers:
    - {name: main, image: "ghcr.io/acme/app:2.1.0"}`,
      // a registry with a port has no tag: the `:5000` is the port
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: ops}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - {name: job, image: "localhost:5000/reporter"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  containers:
    - {name: a, image: "nginx:1.27.3"}
    - {name: b, image: "registry.example.com:5000/team/app:v2"}
    - {name: c, image: "busybox@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"}
    - {name: d, image: "busybox:latest@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - {name: api, image: "ghcr.io/acme/api:latest-2024"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const image = imageOf(c);
        if (image === undefined) return;
        const ref = parseImageRef(image);
        if (ref === undefined || ref.digest !== undefined) return;
        if (ref.tag === undefined) context.report({ node: c, messageId: 'untagged', data: { image: ref.raw }, at: ['image'] });
        else if (ref.tag === 'latest') context.report({ node: c, messageId: 'latest', data: { image: ref.raw }, at: ['image'] });
      },
    };
  },
});
