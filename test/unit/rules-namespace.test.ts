// KM-NS-001: Pod Security Admission enforce label on namespaces.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import podSecurityLabel from '../../src/rules/namespace/pod-security-label.js';
import { scanText } from '../helpers/scan.js';

function findings(yaml: string) {
  const report = scanText(yaml, [podSecurityLabel]);
  assert.deepEqual(report.coverage, []);
  return report.findings.filter((f) => f.ruleId === 'KM-NS-001');
}

const ns = (name: string, labels?: string): string => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}${labels ? `\n  labels:\n${labels}` : ''}`;

describe('KM-NS-001 Pod Security Admission enforcement', () => {
  test('no labels: medium, at metadata', () => {
    const f = findings(ns('shop'));
    assert.deepEqual(f.map((x) => [x.severity, x.location?.line]), [['medium', 3]]);
    assert.equal(f[0].message, 'Namespace shop has no `pod-security.kubernetes.io/enforce` label: any pod, privileged ones included, is admitted');
  });
  test('other labels only: at the labels, naming warn/audit as not blocking', () => {
    const f = findings(ns('shop', '    team: a\n    pod-security.kubernetes.io/warn: restricted'));
    assert.equal(f[0].location?.line, 5);
    assert.match(f[0].message, /\(only warn, which do not block\)/);
  });
  test('baseline and restricted pass', () => {
    assert.equal(findings(ns('a', '    pod-security.kubernetes.io/enforce: baseline')).length, 0);
    assert.equal(findings(ns('b', '    pod-security.kubernetes.io/enforce: "restricted"')).length, 0);
  });
  test('privileged is a recorded choice: info', () => {
    const f = findings(ns('infra', '    pod-security.kubernetes.io/enforce: privileged'));
    assert.deepEqual(f.map((x) => [x.severity, x.location?.line]), [['info', 6]]);
  });
  test('an unknown level is reported at the label', () => {
    const f = findings(ns('x', '    pod-security.kubernetes.io/enforce: strict'));
    assert.deepEqual(f.map((x) => [x.severity, x.location?.line]), [['medium', 6]]);
    assert.match(f[0].message, /to `strict`, which is not a Pod Security level/);
  });
  test('kube-system, kube-public and kube-node-lease are not reported; default is', () => {
    const yaml = ['kube-system', 'kube-public', 'kube-node-lease', 'default'].map((n) => ns(n)).join('\n---\n');
    assert.deepEqual(findings(yaml).map((f) => f.resource?.name), ['default']);
  });
  test('namespaces inside a List are checked', () => {
    const yaml = `apiVersion: v1
kind: NamespaceList
items:
  - {apiVersion: v1, kind: Namespace, metadata: {name: a}}
  - {apiVersion: v1, kind: Namespace, metadata: {name: b, labels: {pod-security.kubernetes.io/enforce: restricted}}}`;
    assert.deepEqual(findings(yaml).map((f) => [f.resource?.name, f.location?.line]), [['a', 4]]);
  });
});
