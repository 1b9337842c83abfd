// Control-plane static pods need host networking, PKI hostPaths and root by design: the workload
// rules that judge those are not run on them (the KM-CP/KM-ET rules judge their flags instead),
// while the same settings on an ordinary pod are still reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { scanText } from '../helpers/scan.js';
import type { Report } from '../../src/core/report.js';

const serious = (r: Report): string[] => r.findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity)).map((f) => `${f.ruleId} ${f.message}`);

test('a hardened kubeadm control plane raises nothing at medium or above', () => {
  const r = runCli(['scan', 'test/fixtures/control-plane/hardened', '-f', 'json', '--fail-on', 'never']);
  assert.deepEqual(serious(JSON.parse(r.stdout) as Report), []);
});

test('the same host network and PKI mount on an ordinary pod are still reported', () => {
  const pod = (command: string, image: string): string => `apiVersion: v1
kind: Pod
metadata: {name: x, namespace: kube-system}
spec:
  hostNetwork: true
  containers:
    - name: c
      image: ${image}
      command: ["${command}"]
      volumeMounts: [{name: pki, mountPath: /etc/kubernetes/pki, readOnly: true}]
  volumes:
    - {name: pki, hostPath: {path: /etc/kubernetes/pki}}
`;
  const ordinary = scanText(pod('/usr/local/bin/my-agent', 'registry.example.com/agent:1.0'), catalogue).findings.map((f) => f.ruleId);
  assert.ok(ordinary.includes('KM-WL-004') && ordinary.includes('KM-WL-007'), ordinary.join(','));
  const apiserver = scanText(pod('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.30.2'), catalogue).findings.map((f) => f.ruleId);
  assert.ok(!apiserver.includes('KM-WL-004') && !apiserver.includes('KM-WL-007'), apiserver.join(','));
});
