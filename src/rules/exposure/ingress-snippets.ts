import { defineRule } from '../../core/rule.js';
import { asObject, asString } from '../../core/json.js';
import type { Inventory } from '../../inventory/inventory.js';
import { parseImageRef, repositoryName } from '../image-ref.js';
import { MITRE, NSA } from '../references.js';

const CVE_2021_25742 = 'https://github.com/kubernetes/ingress-nginx/issues/7837';
const SNIPPET_DOCS = 'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations';

/** `nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`, `auth-snippet`, `stream-snippet`, `modsecurity-snippet`… */
const SNIPPET_ANNOTATION = /^nginx\.ingress\.kubernetes\.io\/(?:[a-z-]+-)?snippet$/;

/** What a snippet needs to read the controller's own files or run code: the exploit, not just the door. */
const EXPLOIT_SHAPE = /_by_lua|lua_|\/var\/run\/secrets|serviceaccount\/token|\balias\s+\/|\broot\s+\/(?:\s|;|$)/;

/** The ingress-nginx controller's image, and its version when the tag says it. */
function controllerVersion(image: string | undefined): { major: number; minor: number } | undefined {
  const ref = image === undefined ? undefined : parseImageRef(image);
  if (ref === undefined || !(ref.path.endsWith('ingress-nginx/controller') || repositoryName(ref) === 'nginx-ingress-controller')) return undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(ref.tag ?? '');
  return m === null ? undefined : { major: Number(m[1]), minor: Number(m[2]) };
}

/** A ConfigMap of the namespace that says whether snippets are allowed. */
function snippetSetting(inventory: Inventory, namespace: string | undefined): string | undefined {
  for (const cm of inventory.inNamespace('ConfigMap', namespace)) {
    const v = asString(asObject(cm.raw.data)?.['allow-snippet-annotations']);
    if (v !== undefined) return v.trim().toLowerCase();
  }
  return undefined;
}

/**
 * Reported on the Ingress at each snippet annotation (high, critical when the snippet reads the
 * controller's files or runs Lua), and on an ingress-nginx ConfigMap that turns snippets on for
 * everyone (medium), or on a controller older than v1.9.0 whose namespace has no such ConfigMap,
 * since snippets were on by default then (medium). The snippet's text is never printed: it may hold
 * credentials itself.
 */
export default defineRule({
  meta: {
    id: 'KM-SV-004',
    title: 'Ingress injects raw NGINX configuration (snippet annotation)',
    severity: 'high',
    door: 'exposure',
    description:
      'ingress-nginx copies `*-snippet` annotations (`configuration-snippet`, `server-snippet`, `auth-snippet`…) into the NGINX configuration of the shared controller. ' +
      'Whoever may create or edit an Ingress in any namespace can then make the controller serve its own files, including the service account token that lets it read every Secret in the cluster (CVE-2021-25742), or run Lua code in it. ' +
      'Since controller v1.9 snippets are off unless the controller ConfigMap sets `allow-snippet-annotations: "true"`, which is reported too, as is an older controller whose ConfigMap does not turn them off. ' +
      'Critical when the snippet reads the controller\'s files or runs Lua, high otherwise; medium for the ConfigMap switch.',
    remediation:
      'Replace the snippet with the dedicated annotation for what it does (headers, rewrites, auth-url, rate limits), or with a Gateway API policy. ' +
      'Keep `allow-snippet-annotations: "false"` (the default), set `annotations-risk-level` to `High` or lower, and run an ingress-nginx release that includes the fixes for CVE-2021-25742 and CVE-2025-1974.',
    references: [CVE_2021_25742, SNIPPET_DOCS],
    frameworks: { nsa: [NSA.rbac], mitre: [MITRE.exploitPublicFacingApplication, MITRE.containerApi] },
    messages: {
      snippet: '{{resource}} sets `{{annotation}}`: raw NGINX configuration that runs in the shared ingress controller, whose service account reads every Secret in the cluster (CVE-2021-25742){{exploit}}',
      allowed: '{{resource}} sets `allow-snippet-annotations: "{{value}}"`: every Ingress author may inject NGINX configuration into the controller (CVE-2021-25742)',
      defaultOn: '{{container}} in {{resource}} runs ingress-nginx controller v{{version}}, which allows snippet annotations unless its ConfigMap sets `allow-snippet-annotations: "false"` (none in the input does): every Ingress author may inject NGINX configuration (CVE-2021-25742)',
    },
  },
  examples: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: DENY";
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}`,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: steal
  namespace: dev
  annotations:
    nginx.ingress.kubernetes.io/server-snippet: |
      location /t { alias /var/run/secrets/kubernetes.io/serviceaccount/; }
spec:
  rules: [{host: dev.example.com}]`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data:
  allow-snippet-annotations: "true"`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.8.4`,
    ],
    pass: [
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  rules: [{host: shop.example.com}]`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data:
  allow-snippet-annotations: "false"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.8.4`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.12.1`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const version = controllerVersion(asString(c.container.image));
        if (version === undefined || version.major > 1 || (version.major === 1 && version.minor >= 9)) return;
        if (snippetSetting(context.inventory, c.pod.object.namespace) !== undefined) return; // the ConfigMap decides, and is judged itself
        context.report({ node: c, messageId: 'defaultOn', data: { version: `${version.major}.${version.minor}` }, at: ['image'], evidence: `image: ${asString(c.container.image) ?? ''}`, severity: 'medium' });
      },
      kinds: {
        Ingress(o) {
          for (const [annotation, value] of Object.entries(o.annotations)) {
            if (!SNIPPET_ANNOTATION.test(annotation)) continue;
            const exploit = EXPLOIT_SHAPE.test(value);
            context.report({
              node: o,
              messageId: 'snippet',
              data: { annotation, exploit: exploit ? '; this one reads the controller\'s files or runs Lua' : '' },
              at: ['metadata', 'annotations', annotation],
              evidence: `annotation ${annotation} (${value.split('\n').filter((l) => l.trim() !== '').length} line(s), not shown)`,
              severity: exploit ? 'critical' : 'high',
            });
          }
        },
        ConfigMap(o) {
          const value = asString(asObject(o.raw.data)?.['allow-snippet-annotations']);
          if (value === undefined || value.trim().toLowerCase() !== 'true') return;
          context.report({ node: o, messageId: 'allowed', data: { value }, at: ['data', 'allow-snippet-annotations'], severity: 'medium' });
        },
      },
    };
  },
});
