// Ready-to-apply default-deny NetworkPolicies for the namespaces that lack them, with the one
// egress allowance almost every pod needs: DNS to the cluster's DNS pods.

import { DIRECTIONS, SYSTEM_NAMESPACES, UNSET, type Direction, type NetpolIndex } from './netpol.js';

export interface DefaultDenyOptions {
  /** namespace of the cluster DNS pods */
  dnsNamespace: string;
  /** labels of the cluster DNS pods (CoreDNS keeps kube-dns's `k8s-app: kube-dns`) */
  dnsPodLabels: Record<string, string>;
  /** name of the generated deny policy */
  name: string;
  dnsPolicyName: string;
}

export const DEFAULT_DENY_OPTIONS: DefaultDenyOptions = {
  dnsNamespace: 'kube-system',
  dnsPodLabels: { 'k8s-app': 'kube-dns' },
  name: 'kubemoat-default-deny',
  dnsPolicyName: 'kubemoat-allow-dns',
};

export interface DefaultDenyPlan {
  /** '' for manifests that set no namespace */
  namespace: string;
  /** the directions to deny */
  deny: Direction[];
  /** why a direction the namespace lacks was not emitted */
  skipped: string[];
}

/**
 * For every namespace of the input outside the system ones: the directions it has no default deny
 * for. A namespace where a network plugin's own policies live, or where a select-all policy hands
 * everything back, is listed with the reason instead (a new deny-all would not change anything).
 */
export function planDefaultDeny(index: NetpolIndex): DefaultDenyPlan[] {
  const plans: DefaultDenyPlan[] = [];
  for (const ns of [...index.namespaces.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (SYSTEM_NAMESPACES.has(ns.name)) continue;
    const plan: DefaultDenyPlan = { namespace: ns.name, deny: [], skipped: [] };
    if (index.isUncertain(ns.name)) {
      plan.skipped.push('network-plugin policies (Cilium, Calico, Antrea or AdminNetworkPolicy) apply here; kubemoat does not evaluate them');
    } else {
      for (const d of DIRECTIONS) {
        const state = index.defaultDeny(ns.name, d);
        if (state.state === 'none') plan.deny.push(d);
        else if (state.state === 'reopened') {
          plan.skipped.push(`${d}: ${state.policy.object.name} selects every pod and its ${d} rule ${state.rule.index + 1} allows everything; remove that rule instead`);
        }
      }
    }
    if (plan.deny.length > 0 || plan.skipped.length > 0) plans.push(plan);
  }
  return plans;
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function yamlString(s: string): string {
  // JSON strings are YAML strings; plain scalars only when they cannot be read as anything else.
  return PLAIN.test(s) && !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i.test(s) ? s : JSON.stringify(s);
}

function metadata(name: string, namespace: string, what: string): string[] {
  return [
    'metadata:',
    `  name: ${yamlString(name)}`,
    ...(namespace === UNSET ? [] : [`  namespace: ${yamlString(namespace)}`]),
    '  annotations:',
    `    kubemoat.io/generated: ${yamlString(what)}`,
  ];
}

function uniqueName(index: NetpolIndex, namespace: string, wanted: string): string {
  const taken = new Set((index.namespaceInfo(namespace)?.policies ?? []).map((p) => p.object.name));
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted}-${i}`;
  return name;
}

/** The YAML stream to apply, with comments saying what each document does. Empty plans give a comment only. */
export function renderDefaultDeny(index: NetpolIndex, plans: readonly DefaultDenyPlan[], options: DefaultDenyOptions = DEFAULT_DENY_OPTIONS): string {
  const out: string[] = [];
  const emitting = plans.filter((p) => p.deny.length > 0);
  out.push(`# kubemoat: default-deny NetworkPolicies for ${emitting.length} namespace(s) that lack them.`);
  out.push(`#   ${options.name}: selects every pod of the namespace and allows nothing in the listed directions.`);
  out.push(`#   ${options.dnsPolicyName}: where egress is denied, lets every pod query the cluster DNS`);
  out.push(`#     (pods labelled ${Object.entries(options.dnsPodLabels).map(([k, v]) => `${k}=${v}`).join(',')} in namespace ${options.dnsNamespace}, port 53 over UDP and TCP).`);
  out.push('#     With NodeLocal DNSCache, also allow its address (169.254.20.10 by default) on port 53.');
  out.push('# Policies add up: traffic other policies allow stays allowed. Allow each remaining legitimate flow');
  out.push('# with its own policy before applying in production, or pods lose the connections they need.');
  for (const plan of plans) {
    for (const reason of plan.skipped) out.push(`# not generated for namespace ${plan.namespace === UNSET ? '(unset)' : plan.namespace}: ${reason}`);
  }
  for (const plan of emitting) {
    out.push('---');
    if (plan.namespace === UNSET) out.push('# no namespace: apply with `kubectl apply -n NAMESPACE -f` into the namespace the manifests go to');
    out.push('apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy');
    out.push(...metadata(uniqueName(index, plan.namespace, options.name), plan.namespace, `default-deny ${plan.deny.join('+')}`));
    out.push('spec:', '  podSelector: {}', '  policyTypes:');
    for (const d of plan.deny) out.push(`    - ${d === 'ingress' ? 'Ingress' : 'Egress'}`);
    if (!plan.deny.includes('egress')) continue;
    out.push('---');
    out.push('apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy');
    out.push(...metadata(uniqueName(index, plan.namespace, options.dnsPolicyName), plan.namespace, 'dns egress'));
    out.push('spec:', '  podSelector: {}', '  policyTypes:', '    - Egress', '  egress:', '    - to:', '        - namespaceSelector:', '            matchLabels:');
    out.push(`              kubernetes.io/metadata.name: ${yamlString(options.dnsNamespace)}`);
    out.push('          podSelector:', '            matchLabels:');
    for (const [k, v] of Object.entries(options.dnsPodLabels)) out.push(`              ${yamlString(k)}: ${yamlString(v)}`);
    out.push('      ports:', '        - protocol: UDP', '          port: 53', '        - protocol: TCP', '          port: 53');
  }
  return `${out.join('\n')}\n`;
}
