import type { Severity } from '../../core/finding.js';
import { defineRule } from '../../core/rule.js';
import { asArray, asObject } from '../../core/json.js';
import { describeObject } from '../../inventory/objects.js';
import { DOCS, MITRE, NSA } from '../references.js';
import { adminExposures } from './admin-exposed.js';
import { exposureOf, podIndex, selectedPods, serviceSelector, type PodIndex } from './services.js';

const CVE_2020_8554 = 'https://github.com/kubernetes/kubernetes/issues/97076';
const DENY_EXTERNAL_IPS = 'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#denyserviceexternalips';

/**
 * Every Service reachable from outside the cluster, whatever it fronts: the inventory of doors a
 * reviewer has to know about. Consoles and control-plane ports behind one are KM-SV-001's (one
 * finding per Service, not two). Severity: externalIPs medium (CVE-2020-8554: they also capture the
 * cluster's own traffic to those addresses), NodePort and an open LoadBalancer low, an internal or
 * source-range-limited LoadBalancer info.
 */
export default defineRule({
  meta: {
    id: 'KM-SV-003',
    title: 'Workload exposed outside the cluster by a Service',
    severity: 'low',
    door: 'exposure',
    description:
      'A Service of type NodePort opens its port on every node\'s address; a LoadBalancer asks the cloud for a public address; `externalIPs` make every node answer for addresses the Service names. ' +
      'Whatever the Service selects is then reachable from outside the cluster, past the ingress controller\'s TLS, authentication and rate limits, and NetworkPolicy often does not see the original client. ' +
      '`externalIPs` are also CVE-2020-8554: whoever can create a Service with them captures the traffic that pods send to those addresses. ' +
      'Medium for externalIPs, low for a NodePort or an open LoadBalancer, info for an internal LoadBalancer or one limited by loadBalancerSourceRanges. Consoles and control-plane ports behind such a Service are reported by KM-SV-001 instead.',
    remediation:
      'Keep Services ClusterIP and publish HTTP workloads through an Ingress or Gateway with TLS and authentication. When a LoadBalancer is required, make it internal or set `loadBalancerSourceRanges`. ' +
      'Do not use `externalIPs`; enable the DenyServiceExternalIPs admission plugin so that nobody can.',
    references: [DOCS.services, CVE_2020_8554, DENY_EXTERNAL_IPS],
    frameworks: { nsa: [NSA.networkPolicies], mitre: [MITRE.externalRemoteServices, MITRE.exploitPublicFacingApplication] },
    messages: {
      exposed: '{{resource}} exposes {{workloads}} outside the cluster through {{how}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "registry.example.com/api:1.0"}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: NodePort
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]`,
      `apiVersion: v1
kind: Service
metadata: {name: intercept, namespace: shop}
spec:
  selector: {app: proxy}
  externalIPs: [8.8.8.8]
  ports: [{port: 53, protocol: UDP}]`,
    ],
    pass: [
      `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]`,
      // a console behind a NodePort is KM-SV-001's finding
      `apiVersion: v1
kind: Service
metadata: {name: scope, namespace: weave}
spec:
  type: NodePort
  selector: {name: weave-scope-app}
  ports: [{port: 80, targetPort: 4040}]`,
      `apiVersion: v1
kind: Service
metadata: {name: external-db, namespace: shop}
spec:
  type: ExternalName
  externalName: db.example.com`,
    ],
  },
  create(context) {
    let index: PodIndex | undefined;
    return {
      kinds: {
        Service(o) {
          const exposure = exposureOf(o);
          if (exposure === undefined) return;
          index ??= podIndex(context.inventory.podSpecs);
          const selector = serviceSelector(o);
          const pods = selectedPods(index, o, selector);
          if (adminExposures(o, exposure, pods).length > 0) return;
          const selectorText = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(', ');
          const workloads =
            pods.length > 0 ? pods.map((p) => describeObject(p.object)).join(', ') : selectorText !== '' ? `the pods matching ${selectorText}` : 'the endpoints it lists (no selector)';
          const externalIPs = asArray(asObject(o.raw.spec)?.externalIPs).length > 0;
          const severity: Severity = externalIPs ? 'medium' : exposure.restricted ? 'info' : 'low';
          context.report({ node: o, messageId: 'exposed', data: { workloads, how: exposure.how }, at: exposure.at, severity, ...(externalIPs ? { evidence: 'externalIPs: CVE-2020-8554' } : {}) });
        },
      },
    };
  },
});
