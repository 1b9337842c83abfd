import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString, isFalse, isTrue, type Path } from '../../core/json.js';

const MITRE_NETWORK_SNIFFING = 'T1040';
const MITRE_UNSECURED_CREDENTIALS = 'T1552';
const NSA_NETWORK_POLICIES = 'NSA-CISA Network separation: network policies';
const DOCS_INGRESS_TLS = 'https://kubernetes.io/docs/concepts/services-networking/ingress/#tls';

/** Annotations that configure TLS outside spec.tls (the load balancer holds the certificate) or turn plain HTTP off. */
function tlsByAnnotation(annotations: Record<string, string>): boolean {
  const has = (k: string): boolean => (annotations[k] ?? '').trim() !== '';
  if (has('alb.ingress.kubernetes.io/certificate-arn')) return true; // AWS Load Balancer Controller
  if (has('ingress.gcp.kubernetes.io/pre-shared-cert') || has('networking.gke.io/managed-certificates')) return true; // GKE
  if (isFalse(annotations['kubernetes.io/ingress.allow-http'])) return true; // GKE: no HTTP listener at all
  if (has('appgw.ingress.kubernetes.io/appgw-ssl-certificate')) return true; // Azure Application Gateway
  if (isTrue(annotations['traefik.ingress.kubernetes.io/router.tls'])) return true; // Traefik
  const entrypoints = annotations['traefik.ingress.kubernetes.io/router.entrypoints'];
  if (entrypoints !== undefined && entrypoints.split(',').every((e) => e.trim() === 'websecure')) return true;
  return false;
}

function covers(tlsHost: string, host: string): boolean {
  const t = tlsHost.trim().toLowerCase();
  const h = host.trim().toLowerCase();
  if (t === h) return true;
  // `*.example.com` covers `shop.example.com`, not `example.com` nor `a.b.example.com`
  if (t.startsWith('*.') && !h.startsWith('*.')) {
    const suffix = t.slice(1);
    return h.endsWith(suffix) && !h.slice(0, h.length - suffix.length).includes('.') && h.length > suffix.length;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'KM-SV-002',
    title: 'Ingress serves hosts without TLS',
    severity: 'medium',
    door: 'exposure',
    description:
      'An Ingress host that no `spec.tls` entry covers is served over plain HTTP: passwords, session cookies and API tokens cross the ' +
      'network readable and changeable by anyone on the path (a shared Wi-Fi, a compromised router, another tenant). Hosts are matched ' +
      'against `tls[].hosts`, with `*.example.com` covering one label. TLS configured through load-balancer annotations (AWS ' +
      '`certificate-arn`, GKE pre-shared or managed certificates, `kubernetes.io/ingress.allow-http: "false"`, Azure Application Gateway, ' +
      'Traefik `router.tls` or a `websecure`-only entry point) counts as TLS. A cert-manager annotation alone does not: cert-manager ' +
      'only issues certificates for hosts listed in `spec.tls`.',
    remediation:
      'Add a `spec.tls` entry listing every host, with a `secretName` holding the certificate (cert-manager can issue and renew it), and ' +
      'let the controller redirect HTTP to HTTPS (ingress-nginx does so by default once TLS is set).',
    references: [DOCS_INGRESS_TLS, 'https://cert-manager.io/docs/usage/ingress/'],
    frameworks: { nsa: [NSA_NETWORK_POLICIES], mitre: [MITRE_NETWORK_SNIFFING, MITRE_UNSECURED_CREDENTIALS] },
    messages: {
      noTls: '{{resource}} serves {{hosts}} over plain HTTP: it has no spec.tls',
      uncovered: '{{resource}} serves {{hosts}} over plain HTTP: no spec.tls entry lists {{them}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: storefront}
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: shop, port: {number: 80}}`,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: apps
  namespace: web
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
spec:
  tls:
    - hosts: [app.example.com]
      secretName: app-tls
  rules:
    - host: app.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
    - host: admin.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}`,
      `apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: legacy, namespace: old}
spec:
  backend: {serviceName: legacy, servicePort: 80}`,
    ],
    pass: [
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: storefront}
spec:
  tls:
    - hosts: ["*.example.com"]
      secretName: wildcard-tls
    - hosts: [example.com]
      secretName: apex-tls
  rules:
    - host: shop.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
    - host: EXAMPLE.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: home, port: {number: 80}}}}`,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: alb
  namespace: web
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:000000000000:certificate/kubemoat-fake
spec:
  ingressClassName: alb
  rules:
    - host: api.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}`,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: default-tls, namespace: web}
spec:
  tls:
    - secretName: default-cert
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}`,
    ],
  },
  create(context) {
    return {
      kinds: {
        Ingress(o) {
          if (tlsByAnnotation(o.annotations)) return;
          const spec = asObject(o.raw.spec);
          if (spec === undefined) return;
          const tls = asArray(spec.tls).map((t) => asObject(t)).filter((t) => t !== undefined);
          const tlsHosts = tls.flatMap((t) => asArray(t.hosts).map((h) => asString(h)).filter((h): h is string => !!h));
          const defaultTls = tls.some((t) => asArray(t.hosts).length === 0);
          const uncovered: { host: string; at: Path }[] = [];
          asArray(spec.rules).forEach((item, i) => {
            const rule = asObject(item);
            if (rule === undefined) return;
            const host = asString(rule.host)?.trim();
            if (host) {
              if (!tlsHosts.some((t) => covers(t, host))) uncovered.push({ host: `\`${host}\``, at: ['spec', 'rules', i, 'host'] });
            } else if (!defaultTls) {
              uncovered.push({ host: 'every host', at: ['spec', 'rules', i] });
            }
          });
          if (asArray(spec.rules).length === 0 && tls.length === 0) {
            const field = spec.defaultBackend !== undefined ? 'defaultBackend' : spec.backend !== undefined ? 'backend' : undefined;
            if (field !== undefined) uncovered.push({ host: 'every host', at: ['spec', field] });
          }
          if (uncovered.length === 0) return;
          const names = [...new Set(uncovered.map((u) => u.host))];
          context.report({
            node: o,
            messageId: tls.length === 0 ? 'noTls' : 'uncovered',
            data: { hosts: names.join(', '), them: names.length === 1 ? 'it' : 'them' },
            at: uncovered[0].at,
          });
        },
      },
    };
  },
});
