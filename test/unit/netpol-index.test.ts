// Selector and policy semantics of the NetworkPolicy index, one edge case at a time.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netpolIndex, type NetpolIndex, type PodInfo } from '../../src/inventory/netpol.js';
import { formatPortSet, includesPort, isEmpty } from '../../src/inventory/netpol-ports.js';
import { findWorkload } from '../../src/inventory/netpol-view.js';
import { loadText } from '../helpers/scan.js';

function build(yaml: string): NetpolIndex {
  const load = loadText(yaml);
  assert.deepEqual(load.coverage, [], 'fixture parses');
  return netpolIndex(load.inventory);
}

function pod(index: NetpolIndex, ref: string): PodInfo {
  const found = findWorkload(index, ref);
  assert.ok(found.pod, found.error);
  return found.pod;
}

/** `kind: Pod` in a namespace with labels and optional container ports. */
function podYaml(ns: string, name: string, labels: Record<string, string>, ports: { name?: string; port: number; protocol?: string }[] = [], extra = ''): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const p = ports.map((x) => `{${x.name ? `name: ${x.name}, ` : ''}containerPort: ${x.port}${x.protocol ? `, protocol: ${x.protocol}` : ''}}`).join(', ');
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${l}}}
spec:${extra}
  containers: [{name: c, image: "busybox:1.36", ports: [${p}]}]
---
`;
}

function nsYaml(name: string, labels: Record<string, string> = {}): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}: "${v}"`).join(', ');
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${l}}}
---
`;
}

function policy(ns: string, name: string, spec: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
---
`;
}

describe('peers: podSelector, namespaceSelector and both', () => {
  const world =
    nsYaml('shop', { team: 'shop' }) +
    nsYaml('monitoring', { team: 'platform' }) +
    nsYaml('dev', { team: 'platform' }) +
    podYaml('shop', 'db', { app: 'db' }, [{ port: 5432 }]) +
    podYaml('shop', 'api', { app: 'api' }) +
    podYaml('monitoring', 'prometheus', { app: 'prometheus' }) +
    podYaml('monitoring', 'grafana', { app: 'grafana' }) +
    podYaml('dev', 'prometheus', { app: 'prometheus' });

  test('both selectors in one peer: the selected pods in the selected namespaces (AND)', () => {
    const index = build(
      world +
        policy('shop', 'db', `podSelector: {matchLabels: {app: db}}
ingress:
  - from:
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
        podSelector: {matchLabels: {app: prometheus}}`),
    );
    const db = pod(index, 'shop/db');
    const allowed = index.peersOf(db, 'ingress').map((c) => `${c.pod.namespace}/${c.pod.object.name}`);
    assert.deepEqual(allowed, ['monitoring/prometheus']);
  });

  test('the same selectors as two peers: either one (OR)', () => {
    const index = build(
      world +
        policy('shop', 'db', `podSelector: {matchLabels: {app: db}}
ingress:
  - from:
      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
      - podSelector: {matchLabels: {app: prometheus}}`),
    );
    const allowed = index.peersOf(pod(index, 'shop/db'), 'ingress').map((c) => `${c.pod.namespace}/${c.pod.object.name}`);
    // every pod of monitoring, plus pods labelled app=prometheus in shop (none): not dev/prometheus
    assert.deepEqual(allowed.sort(), ['monitoring/grafana', 'monitoring/prometheus']);
  });

  test('podSelector alone stays in the policy namespace; namespaceSelector {} means every namespace', () => {
    const index = build(
      world +
        policy('shop', 'db', `podSelector: {matchLabels: {app: db}}
ingress:
  - from: [{podSelector: {}}]
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: prometheus}}}]
    ports: [{port: 9090}]`),
    );
    const peers = index.peersOf(pod(index, 'shop/db'), 'ingress').map((c) => `${c.pod.namespace}/${c.pod.object.name}=${formatPortSet(c.ports)}`);
    assert.deepEqual(peers.sort(), ['dev/prometheus=TCP 9090', 'monitoring/prometheus=TCP 9090', 'shop/api=all ports']);
  });

  test('namespace labels come from the Namespace object, and every namespace carries its name label', () => {
    const index = build(
      // `other` has no Namespace object: only the implicit name label
      world +
        podYaml('other', 'x', { app: 'x' }) +
        policy('shop', 'db', `podSelector: {matchLabels: {app: db}}
ingress:
  - from: [{namespaceSelector: {matchLabels: {team: platform}}}]
  - from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [other]}]}}]`),
    );
    const allowed = index.peersOf(pod(index, 'shop/db'), 'ingress').map((c) => `${c.pod.namespace}/${c.pod.object.name}`);
    assert.deepEqual(allowed.sort(), ['dev/prometheus', 'monitoring/grafana', 'monitoring/prometheus', 'other/x']);
  });

  test('a Namespace object cannot fake another name label', () => {
    const index = build(
      nsYaml('evil', { 'kubernetes.io/metadata.name': 'monitoring' }) +
        podYaml('evil', 'x', {}) +
        podYaml('shop', 'db', { app: 'db' }) +
        policy('shop', 'db', `podSelector: {}
ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]`),
    );
    assert.deepEqual(index.peersOf(pod(index, 'shop/db'), 'ingress'), []);
  });
});

describe('matchExpressions', () => {
  const pods =
    podYaml('shop', 'a', { tier: 'front', env: 'prod' }) +
    podYaml('shop', 'b', { tier: 'back' }) +
    podYaml('shop', 'c', { env: 'dev' }) +
    podYaml('shop', 'd', {});

  const selected = (selector: string): string[] => {
    const index = build(pods + policy('shop', 'p', `podSelector: ${selector}`));
    return index.policies[0].selected.map((p) => p.object.name);
  };

  test('In, NotIn, Exists, DoesNotExist, and matchLabels ANDed with them', () => {
    assert.deepEqual(selected('{matchExpressions: [{key: tier, operator: In, values: [front, back]}]}'), ['a', 'b']);
    assert.deepEqual(selected('{matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}'), ['b', 'c', 'd'], 'NotIn selects pods without the key');
    assert.deepEqual(selected('{matchExpressions: [{key: env, operator: Exists}]}'), ['a', 'c']);
    assert.deepEqual(selected('{matchExpressions: [{key: env, operator: DoesNotExist}]}'), ['b', 'd']);
    assert.deepEqual(selected('{matchLabels: {env: prod}, matchExpressions: [{key: tier, operator: In, values: [front]}]}'), ['a']);
    assert.deepEqual(selected('{matchLabels: {env: prod}, matchExpressions: [{key: tier, operator: In, values: [back]}]}'), []);
    assert.deepEqual(selected('{}'), ['a', 'b', 'c', 'd']);
  });

  test('what the API server would refuse selects nothing and is listed as a problem', () => {
    for (const bad of [
      '{matchExpressions: [{key: tier, operator: Equals, values: [front]}]}',
      '{matchExpressions: [{key: tier, operator: In, values: []}]}',
      '{matchExpressions: [{key: tier, operator: Exists, values: [front]}]}',
      '{matchExpressions: [{operator: Exists}]}',
    ]) {
      const index = build(pods + policy('shop', 'p', `podSelector: ${bad}`));
      assert.deepEqual(index.policies[0].selected, [], bad);
      assert.equal(index.problems.length, 1, bad);
      assert.match(index.problems[0].message, /invalid/);
    }
  });

  test('a missing podSelector selects every pod (the API server defaults it to {})', () => {
    const index = build(pods + policy('shop', 'p', 'policyTypes: [Ingress]'));
    assert.equal(index.policies[0].selected.length, 4);
    assert.equal(index.defaultDeny('shop', 'ingress').state, 'deny');
  });
});

describe('ports', () => {
  test('named ports resolve against each selected pod (name and protocol)', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }, [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }]) +
        podYaml('shop', 'api', { app: 'api' }, [{ name: 'http', port: 3000 }]) +
        podYaml('shop', 'client', { app: 'client' }) +
        policy('shop', 'p', `podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}, {port: dns}]`),
    );
    const client = pod(index, 'shop/client');
    assert.equal(formatPortSet(index.connection(client, pod(index, 'shop/web'))), 'TCP 8080', 'dns is UDP: a TCP named port does not match it');
    assert.equal(formatPortSet(index.connection(client, pod(index, 'shop/api'))), 'TCP 3000');
  });

  test('egress named ports resolve against the destination pod', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }, [{ name: 'http', port: 8080 }]) +
        podYaml('shop', 'api', { app: 'api' }, [{ name: 'http', port: 3000 }]) +
        policy('shop', 'p', `podSelector: {matchLabels: {app: web}}
policyTypes: [Egress]
egress:
  - ports: [{port: http}]`),
    );
    assert.equal(formatPortSet(index.connection(pod(index, 'shop/web'), pod(index, 'shop/api'))), 'TCP 3000');
  });

  test('endPort ranges, protocols, and a numeric string', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }) +
        podYaml('shop', 'client', { app: 'client' }) +
        policy('shop', 'p', `podSelector: {matchLabels: {app: web}}
ingress:
  - ports:
      - {port: 8000, endPort: 8100}
      - {protocol: UDP, port: 53}
      - {protocol: SCTP}
      - {port: "9090"}
      - {port: 9000, endPort: 8000}`),
    );
    const set = index.connection(pod(index, 'shop/client'), pod(index, 'shop/web'));
    assert.equal(formatPortSet(set), 'SCTP (all ports), TCP 8000-8100, TCP 9090, UDP 53');
    assert.ok(includesPort(set, 'TCP', 8080));
    assert.ok(!includesPort(set, 'TCP', 8101));
    assert.ok(!includesPort(set, 'UDP', 8080));
    assert.equal(index.problems.length, 1, 'endPort below port is refused');
  });

  test('allowed traffic is the union of every policy selecting the pod', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web', tier: 'front' }) +
        podYaml('shop', 'client', { app: 'client' }) +
        policy('shop', 'a', `podSelector: {matchLabels: {app: web}}
ingress: [{ports: [{port: 80}]}]`) +
        policy('shop', 'b', `podSelector: {matchLabels: {tier: front}}
ingress: [{ports: [{port: 81}, {port: 443}]}]`),
    );
    assert.equal(formatPortSet(index.connection(pod(index, 'shop/client'), pod(index, 'shop/web'))), 'TCP 80-81, TCP 443');
  });

  test('a connection needs both ends: the client egress and the server ingress', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }) +
        podYaml('shop', 'client', { app: 'client' }) +
        policy('shop', 'in', `podSelector: {matchLabels: {app: web}}
ingress: [{ports: [{port: 80}, {port: 443}]}]`) +
        policy('shop', 'out', `podSelector: {matchLabels: {app: client}}
egress: [{ports: [{port: 443}, {port: 8443}]}]`),
    );
    const client = pod(index, 'shop/client');
    const web = pod(index, 'shop/web');
    assert.equal(formatPortSet(index.connection(client, web)), 'TCP 443');
    // the `out` policy has no policyTypes: it is an Ingress policy too, with no ingress rule, so the client accepts nothing
    assert.ok(isEmpty(index.connection(web, client)));
    assert.equal(index.isolated(client, 'ingress'), true);
  });
});

describe('policyTypes defaults, empty and absent rules', () => {
  const pods = podYaml('shop', 'web', { app: 'web' }) + podYaml('shop', 'client', { app: 'client' });
  const state = (spec: string) => {
    const index = build(pods + policy('shop', 'p', `podSelector: {}\n${spec}`));
    const web = pod(index, 'shop/web');
    const client = pod(index, 'shop/client');
    return {
      types: index.policies[0].types,
      ingressIsolated: index.isolated(web, 'ingress'),
      egressIsolated: index.isolated(web, 'egress'),
      in: formatPortSet(index.allowedWith(web, 'ingress', client)),
      out: formatPortSet(index.allowedWith(web, 'egress', client)),
    };
  };

  test('no policyTypes, no rules: Ingress only, deny all ingress', () => {
    assert.deepEqual(state(''), { types: { ingress: true, egress: false }, ingressIsolated: true, egressIsolated: false, in: 'no port', out: 'all ports' });
  });
  test('ingress: [] denies all; ingress: [{}] allows all', () => {
    assert.equal(state('ingress: []').in, 'no port');
    assert.equal(state('ingress: [{}]').in, 'all ports');
    assert.equal(state('ingress: [{from: [], ports: []}]').in, 'all ports', 'empty from and ports mean every peer and port');
  });
  test('egress rules without policyTypes make an egress policy; egress: [] does not', () => {
    assert.deepEqual(state('egress: [{ports: [{port: 53, protocol: UDP}]}]').types, { ingress: true, egress: true });
    assert.equal(state('egress: [{ports: [{port: 53, protocol: UDP}]}]').out, 'UDP 53');
    assert.deepEqual(state('egress: []').types, { ingress: true, egress: false });
    assert.equal(state('egress: []').out, 'all ports');
  });
  test('policyTypes [Egress] with no egress rules denies all egress and leaves ingress alone, even with ingress rules', () => {
    const s = state('policyTypes: [Egress]\ningress: [{}]');
    assert.deepEqual(s.types, { ingress: false, egress: true });
    assert.equal(s.ingressIsolated, false);
    assert.equal(s.out, 'no port');
  });
  test('policyTypes [] means the defaults', () => {
    assert.deepEqual(state('policyTypes: []\negress: [{}]').types, { ingress: true, egress: true });
  });
});

describe('peers that open nothing, and peers that open everything', () => {
  test('an empty peer and ipBlock with a selector are invalid: problems, and no match', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }) +
        podYaml('shop', 'client', { app: 'client' }) +
        policy('shop', 'p', `podSelector: {matchLabels: {app: web}}
ingress:
  - from: [{}]
  - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]
  - from: [{ipBlock: {cidr: 10.0.0.0/33}}]`),
    );
    assert.equal(index.problems.length, 3);
    assert.ok(isEmpty(index.connection(pod(index, 'shop/client'), pod(index, 'shop/web'))));
  });

  test('a map where a list belongs opens nothing (it does not read as "every peer")', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }) +
        podYaml('shop', 'client', { app: 'client' }) +
        policy('shop', 'p', `podSelector: {matchLabels: {app: web}}
ingress:
  - from: {podSelector: {matchLabels: {app: client}}}
  - ports: {port: 80}`),
    );
    assert.equal(index.problems.length, 2);
    assert.ok(isEmpty(index.connection(pod(index, 'shop/client'), pod(index, 'shop/web'))));
    assert.deepEqual(index.openPeers(index.policies[0].rules.ingress[0]), []);
  });

  test('open peers: no from, namespaceSelector {} or only exclusions, /0 blocks; not when a pod label is needed', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }) +
        policy('shop', 'p', `podSelector: {}
ingress:
  - {}
  - from: [{namespaceSelector: {}}]
  - from: [{namespaceSelector: {}, podSelector: {}}]
  - from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists}]}}]
  - from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}}]
  - from: [{ipBlock: {cidr: "::/0"}}]
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: prometheus}}}]
  - from: [{namespaceSelector: {matchLabels: {env: prod}}}]
  - from: [{ipBlock: {cidr: 0.0.0.0/1}}]
  - from: [{podSelector: {}}]`),
    );
    const open = index.policies[0].rules.ingress.map((r) => index.openPeers(r).map((o) => o.what).join('|'));
    assert.deepEqual(open, [
      'any source',
      'any pod in any namespace',
      'any pod in any namespace',
      'any pod in any namespace',
      'any pod in every namespace not excluded by `env!=dev`',
      'any IPv6 address (::/0)',
      '',
      '',
      '',
      '',
    ]);
  });
});

describe('isolation, host network, namespaces', () => {
  test('host-network pods are neither isolated nor selected by peers', () => {
    const index = build(
      podYaml('shop', 'agent', { app: 'agent' }, [], '\n  hostNetwork: true') +
        podYaml('shop', 'web', { app: 'web' }) +
        policy('shop', 'deny', 'podSelector: {}\npolicyTypes: [Ingress, Egress]') +
        policy('shop', 'web', `podSelector: {matchLabels: {app: web}}
ingress: [{from: [{podSelector: {matchLabels: {app: agent}}}]}]`),
    );
    const agent = pod(index, 'shop/agent');
    const web = pod(index, 'shop/web');
    assert.equal(index.isolated(agent, 'ingress'), false);
    assert.deepEqual(index.policies[0].selectedHostNetwork.map((p) => p.object.name), ['agent']);
    assert.ok(isEmpty(index.allowedWith(web, 'ingress', agent)), 'a pod selector never matches a host-network pod');
    assert.deepEqual(index.metadataAccess(agent), { via: 'host-network' });
  });

  test('default deny: catch-all with the type; narrower policies do not count; an allow-all catch-all reopens', () => {
    const pods = podYaml('shop', 'web', { app: 'web' });
    assert.equal(build(pods + policy('shop', 'p', 'podSelector: {matchLabels: {app: web}}')).defaultDeny('shop', 'ingress').state, 'none');
    assert.equal(build(pods + policy('shop', 'p', 'podSelector: {}')).defaultDeny('shop', 'ingress').state, 'deny');
    assert.equal(build(pods + policy('shop', 'p', 'podSelector: {}\ningress: [{ports: [{port: 80}]}]')).defaultDeny('shop', 'ingress').state, 'deny', 'a port-limited allowance keeps the default');
    assert.equal(build(pods + policy('shop', 'p', 'podSelector: {}') + policy('shop', 'q', 'podSelector: {}\ningress: [{from: [{namespaceSelector: {}}]}]')).defaultDeny('shop', 'ingress').state, 'reopened');
    assert.equal(build(pods + policy('shop', 'p', 'podSelector: {}')).defaultDeny('shop', 'egress').state, 'none');
  });

  test('manifests without a namespace share one namespace, apart from named ones', () => {
    const index = build(`apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: c, image: "busybox:1.36"}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {podSelector: {}}
---
${podYaml('shop', 'web', { app: 'web' })}`);
    assert.equal(index.isolated(pod(index, '(unset)/web'), 'ingress'), true);
    assert.equal(index.isolated(pod(index, 'shop/web'), 'ingress'), false);
  });

  test('policies of other API groups are not NetworkPolicies; plugin policies make the namespace uncertain', () => {
    const index = build(
      podYaml('shop', 'web', { app: 'web' }) +
        `apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: calico, namespace: shop}
spec: {selector: all()}
---
` +
        podYaml('other', 'x', {}),
    );
    assert.equal(index.policies.length, 0);
    assert.ok(index.isUncertain('shop'));
    assert.ok(!index.isUncertain('other'));
    const global = build(podYaml('shop', 'web', {}) + 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec: {priority: 1}\n');
    assert.ok(global.isUncertain('shop'));
  });
});

describe('cloud metadata endpoint', () => {
  const access = (spec: string) => {
    const index = build(podYaml('shop', 'web', { app: 'web' }) + policy('shop', 'p', `podSelector: {}\npolicyTypes: [Egress]\n${spec}`));
    const a = index.metadataAccess(pod(index, 'shop/web'));
    return a === undefined ? 'none' : a.via === 'rules' ? a.grants.map((g) => g.endpoint.address).join(',') : a.via;
  };
  test('blocked, excepted, port-limited, selector-only', () => {
    assert.equal(access(''), 'none');
    assert.equal(access('egress: [{}]'), '169.254.169.254,fd00:ec2::254');
    assert.equal(access('egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]'), 'none');
    assert.equal(access('egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.0.0/16]}}]}]'), 'none');
    assert.equal(access('egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]'), '169.254.169.254');
    assert.equal(access('egress: [{to: [{ipBlock: {cidr: 169.254.169.254/32}}], ports: [{port: 443}]}]'), 'none');
    assert.equal(access('egress: [{to: [{ipBlock: {cidr: 169.254.169.254/32}}], ports: [{port: 1, endPort: 1024}]}]'), '169.254.169.254');
    assert.equal(access('egress: [{to: [{namespaceSelector: {}}]}]'), 'none');
    assert.equal(access('egress: [{to: [{ipBlock: {cidr: "fd00::/8"}}]}]'), 'fd00:ec2::254');
  });
  test('no egress policy: reachable', () => {
    const index = build(podYaml('shop', 'web', {}));
    assert.deepEqual(index.metadataAccess(pod(index, 'shop/web')), { via: 'not-isolated' });
  });
});

describe('finding a workload', () => {
  const index = build(
    podYaml('shop', 'web', {}) +
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {spec: {containers: [{name: c, image: "busybox:1.36"}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {template: {spec: {containers: [{name: c, image: "busybox:1.36"}]}}}
`,
  );
  test('exact, by kind, ambiguous, by pod name prefix, unknown', () => {
    assert.match(findWorkload(index, 'shop/web').error ?? '', /matches Pod shop\/web, Deployment shop\/web/);
    assert.equal(findWorkload(index, 'shop/deployment/web').pod?.object.kind, 'Deployment');
    const byPod = findWorkload(index, 'shop/api-7d9f8c6b5-x2x4q');
    assert.equal(byPod.pod?.object.name, 'api');
    assert.match(byPod.note ?? '', /belongs to Deployment shop\/api/);
    assert.match(findWorkload(index, 'shop/nope').error ?? '', /no workload `shop\/nope` in namespace shop; workloads there: Pod shop\/web/);
    assert.equal(findWorkload(index, 'api').pod?.object.name, 'api');
  });
});
