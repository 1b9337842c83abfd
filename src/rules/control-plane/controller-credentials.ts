import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_CONTROLLER_MANAGER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-017',
    title: 'Controller manager runs every controller with its own broad credential',
    severity: 'medium',
    door: 'control-plane',
    description:
      'With `--use-service-account-credentials` (off by default), each controller calls the API server as its own service account in kube-system, bound to a role with only what that controller needs (`system:controller:deployment-controller`, …). ' +
      'Without it, all controllers share the controller manager\'s identity, which must then hold the union of their rights — create pods anywhere, read every Secret, sign certificates — and the audit log cannot tell which controller did what. ' +
      'A bug or a hijacked controller loop acts with all of it.',
    remediation: 'Add `--use-service-account-credentials=true` to kube-controller-manager (kubeadm does). The per-controller roles are created by the API server\'s RBAC bootstrap; check that `system:kube-controller-manager` keeps no extra grants.',
    references: [CP_DOCS.controllerRoles, CP_DOCS.controllerManager],
    frameworks: { cis: ['1.3.3'], nsa: [CP_NSA.rbac], mitre: [MITRE.validAccounts] },
    messages: {
      explicit: '{{container}} in {{resource}} runs kube-controller-manager with `{{flag}}`: every controller uses the controller manager\'s own credential',
      default: '{{container}} in {{resource}} runs kube-controller-manager without `--use-service-account-credentials=true`: every controller uses the controller manager\'s own credential',
    },
  },
  examples: {
    fail: [
      staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'use-service-account-credentials': null })),
      staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'use-service-account-credentials': 'false' })),
    ],
    pass: [
      staticPod('kube-controller-manager', HARDENED_CONTROLLER_MANAGER),
      staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'use-service-account-credentials': null }).concat('--use-service-account-credentials')),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-controller-manager');
        if (container === undefined) return;
        if (c.flags.bool('use-service-account-credentials', false)) return;
        const flag = c.flags.get('use-service-account-credentials');
        if (flag === undefined) context.report({ node: container, messageId: 'default', at: addAt(c), evidence: '--use-service-account-credentials not set (default false)' });
        else context.report({ node: container, messageId: 'explicit', at: flag.at, data: { flag: shown('use-service-account-credentials', flag) }, evidence: shown('use-service-account-credentials', flag) });
      },
    };
  },
});
