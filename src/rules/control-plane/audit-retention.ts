import type { Path } from '../../core/json.js';
import { defineRule } from '../../core/rule.js';
import { HARDENED_APISERVER, staticPod, withFlags } from './examples.js';
import { CP_DOCS, CP_MITRE, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-012',
    title: 'API server audit log retention is too short or unbounded',
    severity: 'low',
    door: 'control-plane',
    description:
      'kube-apiserver rotates its audit log file when it reaches `--audit-log-maxsize` megabytes (100 when unset) and deletes rotated files older than `--audit-log-maxage` days or beyond `--audit-log-maxbackup` files. ' +
      'Set too low, evidence of an intrusion is gone before anyone looks (intrusions are often found weeks later). Left unset, nothing is ever deleted: rotated files pile up until the control-plane node\'s disk is full, and from then on new events are lost. ' +
      'kubemoat judges the effective retention rather than each flag alone: `--audit-log-maxsize` below 100 only matters when the number of files is capped, and a missing `--audit-log-maxbackup` is fine when `--audit-log-maxage` bounds the files. ' +
      'The CIS values (30 days, 10 files, 100 MB) are the thresholds. Logs written to standard output (`--audit-log-path=-`) are rotated by the container runtime instead, and the rule stays silent.',
    remediation: 'Set `--audit-log-maxage=30`, `--audit-log-maxbackup=10` and `--audit-log-maxsize=100` (or more, as your retention policy and disk allow), and ship the log off the node so retention does not depend on one disk.',
    references: [CP_DOCS.audit, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.17', '1.2.18', '1.2.19'], nsa: [CP_NSA.audit], mitre: [CP_MITRE.impairDefenses] },
    messages: {
      tooShort: '{{container}} in {{resource}} runs kube-apiserver with audit log retention below the CIS minimum: {{problems}}',
      unbounded: '{{container}} in {{resource}} runs kube-apiserver without `--audit-log-maxage` or `--audit-log-maxbackup`: rotated audit logs are never deleted and will fill the node\'s disk',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-log-maxage': '7', 'audit-log-maxbackup': '3' })),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-log-maxage': null, 'audit-log-maxbackup': null, 'audit-log-maxsize': null })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // bounded by age, no cap on the count: 90 days are kept
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-log-maxage': '90', 'audit-log-maxbackup': null, 'audit-log-maxsize': null })),
      // written to standard output
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-log-path': '-', 'audit-log-maxage': null, 'audit-log-maxbackup': null, 'audit-log-maxsize': null })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const pathFlag = c.flags.get('audit-log-path');
        const path = c.flags.string('audit-log-path');
        if (!path || path === '-' || pathFlag === undefined) return;
        const maxage = c.flags.int('audit-log-maxage') ?? 0;
        const maxbackup = c.flags.int('audit-log-maxbackup') ?? 0;
        const maxsize = c.flags.int('audit-log-maxsize') ?? 0;
        const problems: { text: string; at: Path; cis: string }[] = [];
        const at = (name: string): Path => c.flags.get(name)?.at ?? pathFlag.at;
        if (maxage > 0 && maxage < 30) problems.push({ text: `\`${shown('audit-log-maxage', c.flags.get('audit-log-maxage'))}\` deletes rotated files after ${maxage} day${maxage === 1 ? '' : 's'} (CIS: 30)`, at: at('audit-log-maxage'), cis: '1.2.17' });
        if (maxbackup > 0 && maxbackup < 10) problems.push({ text: `\`${shown('audit-log-maxbackup', c.flags.get('audit-log-maxbackup'))}\` keeps ${maxbackup} rotated file${maxbackup === 1 ? '' : 's'} (CIS: 10)`, at: at('audit-log-maxbackup'), cis: '1.2.18' });
        if (maxbackup > 0 && maxsize > 0 && maxsize < 100) problems.push({ text: `\`${shown('audit-log-maxsize', c.flags.get('audit-log-maxsize'))}\` rotates every ${maxsize} MB, so at most ${maxsize * (maxbackup + 1)} MB of events are kept (CIS: 100 MB per file)`, at: at('audit-log-maxsize'), cis: '1.2.19' });
        if (problems.length > 0) {
          // each CIS item only for its own flag (kubemoat node's CIS view)
          context.report({ node: container, messageId: 'tooShort', at: problems[0].at, data: { problems: problems.map((p) => p.text).join('; ') }, evidence: problems.map((p) => p.text.replace(/`/g, '').split(' ')[0]).join(', '), frameworks: { cis: problems.map((p) => p.cis) } });
          return;
        }
        if (maxage === 0 && maxbackup === 0) {
          // an unset --audit-log-maxsize means 100 MB files (the log rotator's default), which is what 1.2.19 asks
          context.report({ node: container, messageId: 'unbounded', at: pathFlag.at, evidence: `${shown('audit-log-path', pathFlag)}, --audit-log-maxage and --audit-log-maxbackup not set`, frameworks: { cis: ['1.2.17', '1.2.18'] } });
        }
      },
    };
  },
});
