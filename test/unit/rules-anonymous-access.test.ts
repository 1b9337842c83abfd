// KM-RB-003 on the answers `kubemoat cluster` gathers (AnonymousAccessReview objects): severity by
// what is allowed, and a grant allowed cluster-wide reported once, not again in each namespace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../helpers/scan.js';
import rule from '../../src/rules/rbac/anonymous-access.js';

const review = (namespace: string | undefined, allowed: string[]): string => `apiVersion: kubemoat.io/v1alpha1
kind: AnonymousAccessReview
metadata: {name: "system:anonymous"${namespace ? `, namespace: ${namespace}` : ''}}
status:
  anonymousAuthentication: enabled
  allowed:
${allowed.map((a) => `    - ${a}`).join('\n') || '    []'}
`;

const LIST_PODS = '{question: list pods, verb: list, group: "", resource: pods, reason: "RBAC: allowed by ClusterRoleBinding \\"r\\""}';
const LIST_SECRETS = '{question: list secrets, verb: list, group: "", resource: secrets, reason: "RBAC: allowed by RoleBinding \\"shop/r\\""}';
const METRICS = '{question: get /metrics, verb: get, path: /metrics, reason: ""}';
const EXEC = '{question: create pods/exec, verb: create, group: "", resource: pods, subresource: exec, reason: ""}';

test('a grant allowed cluster-wide is reported once; what a namespace adds is reported there', () => {
  const text = [review(undefined, [LIST_PODS]), review('shop', [LIST_PODS, LIST_SECRETS]), review('other', [LIST_PODS])].join('---\n');
  const findings = scanText(text, [rule]).findings.map((f) => [f.resource?.namespace ?? '', f.severity, f.message]);
  assert.deepEqual(findings.sort(), [
    ['', 'high', 'the API server lets anonymous callers list pods cluster-wide'],
    ['shop', 'critical', 'the API server lets anonymous callers list secrets in namespace shop'],
  ]);
});

test('severity follows the worst allowed question', () => {
  const sev = (allowed: string[]): string[] => scanText(review(undefined, allowed), [rule]).findings.map((f) => f.severity);
  assert.deepEqual(sev([METRICS]), ['medium']);
  assert.deepEqual(sev([METRICS, LIST_PODS]), ['high']);
  assert.deepEqual(sev([LIST_PODS, EXEC]), ['critical']);
  assert.deepEqual(sev([]), []);
});

test('the authorizer\'s reason is the evidence', () => {
  const [f] = scanText(review(undefined, [LIST_PODS]), [rule]).findings;
  assert.match(f.evidence ?? '', /allowed by ClusterRoleBinding "r"/);
});
