// A kube-bench-style view of a node audit: each CIS Kubernetes Benchmark (v1.10) item of sections
// 1, 2 and 4 with PASS, FAIL, WARN or N/A, and totals per section, so auditors can map kubemoat's
// findings to the benchmark they know.
//
//   FAIL  a finding (not suppressed) carries the item's CIS id
//   PASS  a kubemoat rule checks the item, what it checks is on this node, and nothing was found
//   WARN  the item applies but kubemoat has no check for it: look by hand
//   N/A   what the item is about is not on this node (no such component, no such file)
//
// Titles are kubemoat's own short wording of each item.

import type { Finding } from '../core/finding.js';
import type { Rule } from '../core/rule.js';
import type { Inventory } from '../inventory/inventory.js';
import type { ComponentName } from '../inventory/components.js';
import { asArray, asObject, asString } from '../core/json.js';
import { NODE_PROCESS_KIND } from '../inventory/objects.js';

export type CisStatus = 'PASS' | 'FAIL' | 'WARN' | 'N/A';

interface CisItem {
  id: string;
  title: string;
  /** CIS marks it Manual (kube-bench then always says WARN) */
  manual?: true;
  /** what must be on the node for the item to apply: a component, or a file role */
  applies: { component: ComponentName } | { fileRoles: string[] };
}

const SECTIONS: readonly (readonly [string, string])[] = [
  ['1.1', 'Control plane node configuration files'],
  ['1.2', 'API server'],
  ['1.3', 'Controller manager'],
  ['1.4', 'Scheduler'],
  ['2', 'etcd'],
  ['4.1', 'Worker node configuration files'],
  ['4.2', 'Kubelet'],
  ['4.3', 'kube-proxy'],
];

const api = { component: 'kube-apiserver' } as const;
const cm = { component: 'kube-controller-manager' } as const;
const sched = { component: 'kube-scheduler' } as const;
const etcd = { component: 'etcd' } as const;
const kubelet = { component: 'kubelet' } as const;
const files = (...fileRoles: string[]): { fileRoles: string[] } => ({ fileRoles });

export const CIS_ITEMS: readonly CisItem[] = [
  { id: '1.1.1', title: 'API server static pod manifest mode 600 or stricter', applies: files('apiserver-manifest') },
  { id: '1.1.2', title: 'API server static pod manifest owned by root:root', applies: files('apiserver-manifest') },
  { id: '1.1.3', title: 'Controller manager static pod manifest mode 600 or stricter', applies: files('controller-manager-manifest') },
  { id: '1.1.4', title: 'Controller manager static pod manifest owned by root:root', applies: files('controller-manager-manifest') },
  { id: '1.1.5', title: 'Scheduler static pod manifest mode 600 or stricter', applies: files('scheduler-manifest') },
  { id: '1.1.6', title: 'Scheduler static pod manifest owned by root:root', applies: files('scheduler-manifest') },
  { id: '1.1.7', title: 'etcd static pod manifest mode 600 or stricter', applies: files('etcd-manifest') },
  { id: '1.1.8', title: 'etcd static pod manifest owned by root:root', applies: files('etcd-manifest') },
  { id: '1.1.9', title: 'CNI configuration files mode 600 or stricter', manual: true, applies: api },
  { id: '1.1.10', title: 'CNI configuration files owned by root:root', manual: true, applies: api },
  { id: '1.1.11', title: 'etcd data directory mode 700 or stricter', applies: files('etcd-data-dir') },
  { id: '1.1.12', title: 'etcd data directory owned by the etcd user (kubemoat: the user etcd runs as)', applies: files('etcd-data-dir') },
  { id: '1.1.13', title: 'Administrator kubeconfigs (admin.conf, super-admin.conf) mode 600', applies: files('admin-kubeconfig') },
  { id: '1.1.14', title: 'Administrator kubeconfigs owned by root:root', applies: files('admin-kubeconfig') },
  { id: '1.1.15', title: 'Scheduler kubeconfig mode 600 or stricter', applies: files('scheduler-kubeconfig') },
  { id: '1.1.16', title: 'Scheduler kubeconfig owned by root:root', applies: files('scheduler-kubeconfig') },
  { id: '1.1.17', title: 'Controller manager kubeconfig mode 600 or stricter', applies: files('controller-manager-kubeconfig') },
  { id: '1.1.18', title: 'Controller manager kubeconfig owned by root:root', applies: files('controller-manager-kubeconfig') },
  { id: '1.1.19', title: 'PKI directory and files owned by root:root', applies: files('pki-dir', 'pki-cert', 'pki-key') },
  { id: '1.1.20', title: 'PKI certificates mode 600 or stricter', manual: true, applies: files('pki-cert') },
  { id: '1.1.21', title: 'PKI private keys mode 600', manual: true, applies: files('pki-key') },
  { id: '1.2.1', title: 'API server --anonymous-auth=false', manual: true, applies: api },
  { id: '1.2.2', title: 'API server without --token-auth-file', applies: api },
  { id: '1.2.3', title: 'API server DenyServiceExternalIPs admission', manual: true, applies: api },
  { id: '1.2.4', title: 'API server kubelet client certificate and key', applies: api },
  { id: '1.2.5', title: 'API server --kubelet-certificate-authority', applies: api },
  { id: '1.2.6', title: 'API server authorization mode not AlwaysAllow', applies: api },
  { id: '1.2.7', title: 'API server authorization mode includes Node', applies: api },
  { id: '1.2.8', title: 'API server authorization mode includes RBAC', applies: api },
  { id: '1.2.9', title: 'API server EventRateLimit admission', manual: true, applies: api },
  { id: '1.2.10', title: 'API server without AlwaysAdmit admission', applies: api },
  { id: '1.2.11', title: 'API server AlwaysPullImages admission', manual: true, applies: api },
  { id: '1.2.12', title: 'API server ServiceAccount admission', applies: api },
  { id: '1.2.13', title: 'API server NamespaceLifecycle admission', applies: api },
  { id: '1.2.14', title: 'API server NodeRestriction admission', applies: api },
  { id: '1.2.15', title: 'API server --profiling=false', applies: api },
  { id: '1.2.16', title: 'API server --audit-log-path', applies: api },
  { id: '1.2.17', title: 'API server --audit-log-maxage', applies: api },
  { id: '1.2.18', title: 'API server --audit-log-maxbackup', applies: api },
  { id: '1.2.19', title: 'API server --audit-log-maxsize', applies: api },
  { id: '1.2.20', title: 'API server --request-timeout', manual: true, applies: api },
  { id: '1.2.21', title: 'API server --service-account-lookup=true', applies: api },
  { id: '1.2.22', title: 'API server --service-account-key-file', applies: api },
  { id: '1.2.23', title: 'API server etcd client certificate and key', applies: api },
  { id: '1.2.24', title: 'API server serving certificate and key', applies: api },
  { id: '1.2.25', title: 'API server --client-ca-file', applies: api },
  { id: '1.2.26', title: 'API server --etcd-cafile', applies: api },
  { id: '1.2.27', title: 'API server --encryption-provider-config', manual: true, applies: api },
  { id: '1.2.28', title: 'API server encryption providers appropriate', manual: true, applies: api },
  { id: '1.2.29', title: 'API server strong TLS ciphers only', manual: true, applies: api },
  { id: '1.3.1', title: 'Controller manager --terminated-pod-gc-threshold', manual: true, applies: cm },
  { id: '1.3.2', title: 'Controller manager --profiling=false', applies: cm },
  { id: '1.3.3', title: 'Controller manager --use-service-account-credentials=true', applies: cm },
  { id: '1.3.4', title: 'Controller manager --service-account-private-key-file', applies: cm },
  { id: '1.3.5', title: 'Controller manager --root-ca-file', applies: cm },
  { id: '1.3.6', title: 'Controller manager RotateKubeletServerCertificate', applies: cm },
  { id: '1.3.7', title: 'Controller manager bound to 127.0.0.1', applies: cm },
  { id: '1.4.1', title: 'Scheduler --profiling=false', applies: sched },
  { id: '1.4.2', title: 'Scheduler bound to 127.0.0.1', applies: sched },
  { id: '2.1', title: 'etcd --cert-file and --key-file', applies: etcd },
  { id: '2.2', title: 'etcd --client-cert-auth=true', applies: etcd },
  { id: '2.3', title: 'etcd without --auto-tls', applies: etcd },
  { id: '2.4', title: 'etcd --peer-cert-file and --peer-key-file', applies: etcd },
  { id: '2.5', title: 'etcd --peer-client-cert-auth=true', applies: etcd },
  { id: '2.6', title: 'etcd without --peer-auto-tls', applies: etcd },
  { id: '2.7', title: 'etcd has a CA of its own', manual: true, applies: etcd },
  { id: '4.1.1', title: 'Kubelet systemd unit mode 600 or stricter', applies: files('kubelet-service') },
  { id: '4.1.2', title: 'Kubelet systemd unit owned by root:root', applies: files('kubelet-service') },
  { id: '4.1.3', title: 'kube-proxy kubeconfig mode 600 or stricter', manual: true, applies: files('proxy-kubeconfig') },
  { id: '4.1.4', title: 'kube-proxy kubeconfig owned by root:root', manual: true, applies: files('proxy-kubeconfig') },
  { id: '4.1.5', title: 'Kubelet kubeconfig mode 600 or stricter', applies: files('kubelet-kubeconfig') },
  { id: '4.1.6', title: 'Kubelet kubeconfig owned by root:root', applies: files('kubelet-kubeconfig') },
  { id: '4.1.7', title: 'Kubelet client CA file mode 600 or stricter', manual: true, applies: files('kubelet-client-ca') },
  { id: '4.1.8', title: 'Kubelet client CA file owned by root:root', manual: true, applies: files('kubelet-client-ca') },
  { id: '4.1.9', title: 'Kubelet configuration file mode 600 or stricter', applies: files('kubelet-config') },
  { id: '4.1.10', title: 'Kubelet configuration file owned by root:root', applies: files('kubelet-config') },
  { id: '4.2.1', title: 'Kubelet anonymous authentication off', applies: kubelet },
  { id: '4.2.2', title: 'Kubelet authorization mode not AlwaysAllow', applies: kubelet },
  { id: '4.2.3', title: 'Kubelet client CA file set', applies: kubelet },
  { id: '4.2.4', title: 'Kubelet read-only port 0', manual: true, applies: kubelet },
  { id: '4.2.5', title: 'Kubelet streaming connection idle timeout not 0', manual: true, applies: kubelet },
  { id: '4.2.6', title: 'Kubelet makes its iptables utility chains', applies: kubelet },
  { id: '4.2.7', title: 'Kubelet without --hostname-override', manual: true, applies: kubelet },
  { id: '4.2.8', title: 'Kubelet eventRecordQPS appropriate', manual: true, applies: kubelet },
  { id: '4.2.9', title: 'Kubelet TLS certificate and key set (not self-signed)', manual: true, applies: kubelet },
  { id: '4.2.10', title: 'Kubelet rotates its client certificate', applies: kubelet },
  { id: '4.2.11', title: 'Kubelet serving certificate rotation (serverTLSBootstrap)', manual: true, applies: kubelet },
  { id: '4.2.12', title: 'Kubelet strong TLS ciphers only', manual: true, applies: kubelet },
  { id: '4.2.13', title: 'Kubelet pod PID limit set', manual: true, applies: kubelet },
  { id: '4.3.1', title: 'kube-proxy metrics bound to localhost', applies: { component: 'kube-proxy' } },
];

export interface CisCheck {
  id: string;
  section: string;
  title: string;
  manual: boolean;
  status: CisStatus;
  /** rules that check it */
  rules: string[];
  /** the findings that fail it (rule ids with their resource names) */
  failures: string[];
}

export function sectionOf(id: string): string {
  return id.startsWith('2.') ? '2' : id.split('.').slice(0, 2).join('.');
}

function presentFileRoles(inventory: Inventory): Set<string> {
  const roles = new Set<string>();
  for (const o of inventory.ofKind('NodeFile')) {
    const spec = asObject(o.raw.spec);
    if (spec?.exists === false) continue;
    for (const r of asArray(spec?.roles)) {
      const role = asString(asObject(r)?.role);
      if (role) roles.add(role);
    }
  }
  return roles;
}

/**
 * Whether what an item of sections 1, 2 and 4 is about is in the inventory: its component (a
 * process, a static pod, or for the kubelet its KubeletConfiguration from a cluster), or one of its
 * files. Undefined for the ids of other sections.
 */
export function cisApplicability(inventory: Inventory): (id: string) => boolean | undefined {
  const components = new Set<string>(inventory.components.map((c) => c.component));
  if (inventory.ofKind('KubeletConfiguration').length > 0) components.add('kubelet');
  const roles = presentFileRoles(inventory);
  const items = new Map(CIS_ITEMS.map((item) => [item.id, item]));
  return (id) => {
    const item = items.get(id);
    if (item === undefined) return undefined;
    return 'component' in item.applies ? components.has(item.applies.component) : item.applies.fileRoles.some((r) => roles.has(r));
  };
}

/** Each CIS item's status on this node, from the inventory (what is there) and the findings (what fails). */
export function cisChecks(inventory: Inventory, findings: readonly Finding[], rules: readonly Rule[]): CisCheck[] {
  const appliesHere = cisApplicability(inventory);
  const rulesFor = new Map<string, string[]>();
  for (const r of rules) for (const id of r.meta.frameworks.cis ?? []) rulesFor.set(id, [...(rulesFor.get(id) ?? []), r.meta.id]);
  return CIS_ITEMS.map((item) => {
    const applies = appliesHere(item.id) === true;
    const checking = rulesFor.get(item.id) ?? [];
    // a rule that covers several components (profiling: 1.2.15, 1.3.2, 1.4.1) fails each item only for its own component
    const component = 'component' in item.applies ? item.applies.component : undefined;
    const failures = findings
      .filter((f) => !f.suppressed && (f.frameworks.cis ?? []).includes(item.id))
      .filter((f) => component === undefined || f.resource?.kind !== NODE_PROCESS_KIND || f.resource.name === component)
      .map((f) => `${f.ruleId} ${f.resource?.name ?? ''}`.trim());
    const status: CisStatus = !applies ? 'N/A' : failures.length > 0 ? 'FAIL' : checking.length > 0 ? 'PASS' : 'WARN';
    return { id: item.id, section: sectionOf(item.id), title: item.title, manual: item.manual === true, status, rules: checking, failures: [...new Set(failures)] };
  });
}

export interface CisTotals {
  PASS: number;
  FAIL: number;
  WARN: number;
  'N/A': number;
}

export function totals(checks: readonly CisCheck[]): CisTotals {
  const t: CisTotals = { PASS: 0, FAIL: 0, WARN: 0, 'N/A': 0 };
  for (const c of checks) t[c.status]++;
  return t;
}

export function renderCisText(checks: readonly CisCheck[]): string {
  const lines: string[] = ['CIS Kubernetes Benchmark v1.10 (sections 1, 2, 4) on this node'];
  for (const [section, name] of SECTIONS) {
    const inSection = checks.filter((c) => c.section === section);
    if (inSection.length === 0) continue;
    lines.push('', `[INFO] ${section} ${name}`);
    for (const c of inSection) {
      const note = c.status === 'FAIL' ? `  <- ${c.failures.slice(0, 3).join('; ')}${c.failures.length > 3 ? `; +${c.failures.length - 3} more` : ''}` : c.status === 'WARN' ? '  (no kubemoat check: verify by hand)' : '';
      lines.push(`[${c.status.padEnd(4)}] ${c.id} ${c.title}${c.manual ? ' (Manual)' : ''}${note}`);
    }
    const t = totals(inSection);
    lines.push(`== ${section}: ${t.PASS} pass, ${t.FAIL} fail, ${t.WARN} warn, ${t['N/A']} not applicable ==`);
  }
  const t = totals(checks);
  lines.push('', `== Total: ${t.PASS} pass, ${t.FAIL} fail, ${t.WARN} warn, ${t['N/A']} not applicable ==`);
  return `${lines.join('\n')}\n`;
}

export function renderCisJson(checks: readonly CisCheck[]): string {
  const sections = SECTIONS.map(([id, name]) => ({ id, name, totals: totals(checks.filter((c) => c.section === id)) }));
  return `${JSON.stringify({ benchmark: 'CIS Kubernetes Benchmark v1.10', sections, totals: totals(checks), checks }, null, 2)}\n`;
}
