// Exposure rules: KM-SV-001 (consoles and control ports behind external Services), KM-SV-002
// (Ingress without TLS), KM-CO-001 (Dashboard login disabled).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import adminExposed from '../../src/rules/exposure/admin-exposed.js';
import ingressTls from '../../src/rules/exposure/ingress-tls.js';
import dashboardLogin from '../../src/rules/exposure/dashboard-login.js';
import type { Rule } from '../../src/core/rule.js';
import { scanText } from '../helpers/scan.js';

function findings(yaml: string, rule: Rule) {
  const report = scanText(yaml, [rule]);
  assert.deepEqual(report.coverage, []);
  return report.findings.filter((f) => f.ruleId === rule.meta.id);
}

function workload(ns: string, app: string, image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${app}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}, tier: ui}}
    spec:
      containers:
        - name: main
          image: ${image}${extra}`;
}

function service(ns: string, app: string, spec: string, annotations = ''): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}${annotations ? `\n  annotations: ${annotations}` : ''}
spec:
  selector: {app: ${app}}
${spec}`;
}

describe('KM-SV-001 console or control port exposed', () => {
  test('a Dashboard on a NodePort is critical and points at spec.type', () => {
    const yaml = `${workload('kd', 'dash', 'kubernetesui/dashboard:v2.7.0')}\n---\n${service('kd', 'dash', '  type: NodePort\n  ports: [{port: 443, targetPort: 8443}]')}`;
    const f = findings(yaml, adminExposed);
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'critical');
    assert.equal(f[0].location?.line, 20);
    assert.match(f[0].message, /^Service kd\/dash exposes the Kubernetes Dashboard \(Deployment kd\/dash\) outside the cluster through a NodePort on every node/);
  });
  test('ClusterIP and headless Services are not exposed', () => {
    const yaml = `${workload('kd', 'dash', 'kubernetesui/dashboard:v2.7.0')}\n---\n${service('kd', 'dash', '  clusterIP: None\n  ports: [{port: 443}]')}`;
    assert.equal(findings(yaml, adminExposed).length, 0);
  });
  test('an internal or source-restricted load balancer is one step lower', () => {
    const internal = `${workload('m', 'grafana', 'grafana/grafana:11.0.0')}\n---\n${service('m', 'grafana', '  type: LoadBalancer\n  ports: [{port: 80, targetPort: 3000}]', '{service.beta.kubernetes.io/aws-load-balancer-internal: "true"}')}`;
    const f = findings(internal, adminExposed);
    assert.deepEqual(f.map((x) => x.severity), ['low']);
    assert.match(f[0].message, /Grafana .* through a LoadBalancer \(internal\)/);
    const ranges = `${workload('kd', 'dash', 'kubernetesui/dashboard:v2.7.0')}\n---\n${service('kd', 'dash', '  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n  ports: [{port: 443}]')}`;
    assert.deepEqual(findings(ranges, adminExposed).map((x) => x.severity), ['high']);
    const open = `${workload('kd', 'dash', 'kubernetesui/dashboard:v2.7.0')}\n---\n${service('kd', 'dash', '  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]\n  ports: [{port: 443}]')}`;
    assert.deepEqual(findings(open, adminExposed).map((x) => x.severity), ['critical']);
  });
  test('only workloads in the same namespace count', () => {
    const yaml = `${workload('kd', 'dash', 'kubernetesui/dashboard:v2.7.0')}\n---\n${workload('web', 'dash', 'registry.example.com/web:1')}\n---\n${service('web', 'dash', '  type: NodePort\n  ports: [{port: 80}]')}`;
    assert.equal(findings(yaml, adminExposed).length, 0);
  });
  test('Argo CD is recognised by the command its shared image runs', () => {
    const server = `${workload('argocd', 'argocd-server', 'quay.io/argoproj/argocd:v2.11.0', '\n          command: [argocd-server]')}\n---\n${service('argocd', 'argocd-server', '  type: LoadBalancer\n  ports: [{port: 443, targetPort: 8080}]')}`;
    assert.deepEqual(findings(server, adminExposed).map((x) => x.severity), ['high']);
    const repo = `${workload('argocd', 'argocd-repo-server', 'quay.io/argoproj/argocd:v2.11.0', '\n          command: [argocd-repo-server]')}\n---\n${service('argocd', 'argocd-repo-server', '  type: LoadBalancer\n  ports: [{port: 8081}]')}`;
    assert.equal(findings(repo, adminExposed).length, 0);
  });
  test('control ports: by port, by numeric or named targetPort, at the matching field', () => {
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: etcd, namespace: db}
spec:
  template:
    metadata: {labels: {app: etcd}}
    spec:
      containers:
        - name: etcd
          image: quay.io/coreos/etcd:v3.5.0
          ports: [{name: peer, containerPort: 2380}]
---
${service('db', 'etcd', `  type: NodePort
  ports:
    - {name: a, port: 2379}
    - {name: b, port: 80, targetPort: 10250}
    - {name: c, port: 81, targetPort: peer}
    - {name: d, port: 8080, targetPort: 8080}`)}`;
    const f = findings(yaml, adminExposed);
    assert.deepEqual(f.map((x) => [x.location?.line, x.severity]), [[22, 'critical'], [23, 'critical'], [24, 'critical']]);
    assert.equal(f[0].message, 'Service db/etcd exposes port 2379 (etcd client API) outside the cluster through a NodePort on every node');
    assert.match(f[2].message, /port 2380 \(etcd peer API\)/);
  });
  test('port 8001 counts only when the pod runs kubectl proxy', () => {
    const proxy = `${workload('ops', 'proxy', 'bitnami/kubectl:1.30', '\n          command: [kubectl, proxy, "--address=0.0.0.0", "--accept-hosts=.*"]')}\n---\n${service('ops', 'proxy', '  externalIPs: [198.51.100.7]\n  ports: [{port: 8001}]')}`;
    const f = findings(proxy, adminExposed);
    assert.deepEqual(f.map((x) => x.severity), ['critical']);
    assert.match(f[0].message, /port 8001 \(kubectl proxy\) outside the cluster through externalIPs 198\.51\.100\.7/);
    const other = `${workload('ops', 'docs', 'registry.example.com/docs:1')}\n---\n${service('ops', 'docs', '  type: NodePort\n  ports: [{port: 8001}]')}`;
    assert.equal(findings(other, adminExposed).length, 0);
  });
  test('without the workload in the input, the selected app label names the console', () => {
    const yaml = `apiVersion: v1
kind: Service
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  type: NodePort
  selector: {k8s-app: kubernetes-dashboard}
  ports: [{port: 443, targetPort: 8443}]`;
    const f = findings(yaml, adminExposed);
    assert.equal(f.length, 1);
    assert.match(f[0].message, /the Kubernetes Dashboard \(selected by k8s-app=kubernetes-dashboard\)/);
  });
});

describe('KM-SV-002 Ingress without TLS', () => {
  const ingress = (spec: string, annotations = ''): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ns${annotations ? `\n  annotations: ${annotations}` : ''}
spec:
${spec}`;
  const rule = (host: string): string => `    - host: ${host}\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}`;
  test('lists every uncovered host, points at the first', () => {
    const f = findings(ingress(`  tls:\n    - hosts: ["*.example.com"]\n      secretName: w\n  rules:\n${rule('a.example.com')}\n${rule('a.b.example.com')}\n${rule('example.com')}`), ingressTls);
    assert.equal(f.length, 1);
    assert.equal(f[0].message, 'Ingress ns/web serves `a.b.example.com`, `example.com` over plain HTTP: no spec.tls entry lists them');
    assert.equal(f[0].location?.line, 13);
    assert.equal(f[0].severity, 'medium');
  });
  test('a rule without host needs a tls entry without hosts', () => {
    const spec = `  rules:\n    - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}`;
    assert.equal(findings(ingress(`  tls: [{hosts: [a.example.com], secretName: x}]\n${spec}`), ingressTls).length, 1);
    assert.equal(findings(ingress(`  tls: [{secretName: x}]\n${spec}`), ingressTls).length, 0);
  });
  test('TLS configured by annotations counts; cert-manager alone does not', () => {
    const spec = `  rules:\n${rule('a.example.com')}`;
    assert.equal(findings(ingress(spec, '{kubernetes.io/ingress.allow-http: "false"}'), ingressTls).length, 0);
    assert.equal(findings(ingress(spec, '{traefik.ingress.kubernetes.io/router.entrypoints: websecure}'), ingressTls).length, 0);
    assert.equal(findings(ingress(spec, '{traefik.ingress.kubernetes.io/router.entrypoints: "web,websecure"}'), ingressTls).length, 1);
    assert.equal(findings(ingress(spec, '{cert-manager.io/cluster-issuer: letsencrypt}'), ingressTls).length, 1);
  });
});

describe('KM-CO-001 Dashboard login disabled', () => {
  const dashboard = (args: string, image = 'kubernetesui/dashboard:v2.7.0'): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: kd}
spec:
  template:
    spec:
      containers:
        - name: dashboard
          image: ${image}
          args: ${args}`;
  // with a certificate the 2.x Dashboard serves HTTPS only, so these isolate the flags
  const flagCases: [string, string[]][] = [
    ['--enable-skip-login', ['critical']],
    ['--enable-skip-login=true', ['critical']],
    ['-enable-skip-login=1', ['critical']],
    ['--enable-skip-login, "false"', ['critical']],
    ['--enable-skip-login=false', []],
    ['--enable-skip-login=0', []],
    ['--enable-skip-login=yes', []],
    ['--enable-skip-login, --enable-skip-login=false', []],
    ['--enable-skip-login=false, --enable-skip-login', ['critical']],
    ['--enable-insecure-login', []],
    ['--disable-settings-authorizer', ['medium']],
    ['--insecure-bind-address=0.0.0.0', []],
    ['--enable-skip-login-banner', []],
  ];
  for (const [args, severities] of flagCases) {
    test(`with a certificate, args [${args}]`, () => assert.deepEqual(findings(dashboard(`[--auto-generate-certificates, ${args}]`), dashboardLogin).map((f) => f.severity), severities));
  }
  const httpCases: [string, string[]][] = [
    ['', ['critical']],
    ['--insecure-bind-address=0.0.0.0', ['critical']],
    ['--insecure-bind-address, "::"', ['critical']],
    ['--insecure-bind-address=127.0.0.1', []],
    ['--insecure-port=0', []],
    ['--enable-insecure-login', ['high']],
    ['--tls-cert-file=tls.crt, --tls-key-file=tls.key', []],
    ['--tls-cert-file=tls.crt', ['critical']],
  ];
  for (const [args, severities] of httpCases) {
    test(`without a certificate, args [${args}]`, () => assert.deepEqual(findings(dashboard(`[${args}]`), dashboardLogin).map((f) => f.severity), severities));
  }
  test('plain HTTP: names the address and why, at the args', () => {
    const f = findings(dashboard('[--namespace=kd]'), dashboardLogin);
    assert.equal(f[0].location?.line, 10);
    assert.equal(f[0].message, 'container `dashboard` in Deployment kd/d serves the Kubernetes Dashboard over plain HTTP on 0.0.0.0:9090 (no certificate is configured, and the image binds its HTTP port to every interface), where it shows no login and acts as its service account');
  });
  test('a command override drops the image entrypoint, so HTTP stays on loopback', () => {
    const yaml = dashboard('[--enable-insecure-login]').replace('          args:', '          command: [/dashboard]\n          args:');
    assert.equal(findings(yaml, dashboardLogin).length, 0);
  });
  test('points at the flag and says what it opens', () => {
    const f = findings(dashboard('\n            - --auto-generate-certificates\n            - --enable-skip-login'), dashboardLogin);
    assert.equal(f[0].location?.line, 12);
    assert.equal(f[0].message, 'container `dashboard` in Deployment kd/d runs the Kubernetes Dashboard with `--enable-skip-login`: anyone who reaches it can skip the login and act as its service account');
  });
  test('old versions: no login before 1.7, a login bypass until 1.10.1', () => {
    const tls = '[--auto-generate-certificates]';
    const run = (tag: string) => findings(dashboard(tls, `k8s.gcr.io/kubernetes-dashboard-amd64:${tag}`), dashboardLogin).map((f) => [f.severity, f.location?.line, f.message.replace(/^.* runs Kubernetes Dashboard /, '')]);
    assert.deepEqual(run('v1.6.3'), [['critical', 9, 'v1.6.3, a version with no login at all']]);
    assert.deepEqual(run('v1.8.3'), [['critical', 9, 'v1.8.3, whose login can be bypassed to act as its service account (CVE-2018-18264, fixed in 1.10.1)']]);
    assert.equal(run('v1.10.0').length, 1);
    assert.equal(run('v1.10.1').length, 0);
    assert.equal(findings(dashboard(tls, 'kubernetesui/dashboard:v2.0.0'), dashboardLogin).length, 0);
  });
  test('the insecure bind address of other programs is not the Dashboard\'s', () => {
    assert.equal(findings(dashboard('[--insecure-bind-address=0.0.0.0]', 'registry.k8s.io/kube-apiserver:v1.20.0'), dashboardLogin).length, 0);
  });
  test('flags inside a shell command are read', () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: registry.example.com/dash:1
      command: ["/bin/sh", "-c", "exec /dashboard --insecure-bind-address=0.0.0.0 --enable-skip-login"]`;
    assert.deepEqual(findings(yaml, dashboardLogin).map((f) => f.severity), ['critical', 'critical']);
  });
});

describe('KM-CO-001 and the modular Dashboard (7.x)', () => {
  test('the insecure bind address of dashboard-api is not the single-binary HTTP port', () => {
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: kd}
spec:
  template:
    spec:
      containers:
        - name: api
          image: docker.io/kubernetesui/dashboard-api:1.10.0
          args: [--insecure-bind-address=0.0.0.0, --enable-skip-login]`;
    assert.deepEqual(findings(yaml, dashboardLogin).map((f) => f.severity), ['critical']);
  });
});
