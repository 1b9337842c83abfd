import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { admissionOf } from './admission.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

/** Default-on plugins whose absence weakens the cluster, and what goes with them. */
const ESSENTIAL = [
  { plugin: 'ServiceAccount', effect: 'pods are not checked against their service account (its mountable-secrets restriction is ignored)' },
  { plugin: 'NamespaceLifecycle', effect: 'objects can be created in namespaces being deleted or not existing, and kube-system can be deleted' },
  { plugin: 'PodSecurity', effect: 'Pod Security Admission labels on namespaces enforce nothing' },
] as const;

export default defineRule({
  meta: {
    id: 'KM-CP-009',
    title: 'API server disables a default admission plugin that guards the cluster',
    severity: 'medium',
    door: 'control-plane',
    description:
      'Some default admission plugins are guard rails that other protections assume. ServiceAccount ties each pod to an existing service account in its namespace and enforces which secrets it may mount; ' +
      'NamespaceLifecycle refuses objects in namespaces that are being deleted or do not exist and protects `default`, `kube-system` and `kube-public` from deletion; PodSecurity is what makes `pod-security.kubernetes.io/enforce` namespace labels do anything. ' +
      'Turning one off with `--disable-admission-plugins` (or leaving it out of the old `--admission-control` list) removes that guard silently: the labels and settings still look right.',
    remediation: 'Remove the plugin from `--disable-admission-plugins` on kube-apiserver (on old versions, add it to `--admission-control`, or switch to `--enable-admission-plugins`, which keeps the defaults).',
    references: [CP_DOCS.admission, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.12', '1.2.13'], nsa: [CP_NSA.controlPlane], mitre: [MITRE.deployContainer] },
    messages: {
      disabled: '{{container}} in {{resource}} runs kube-apiserver without the {{plugins}} admission plugin{{plural}} ({{why}}): {{effects}}',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'disable-admission-plugins': 'ServiceAccount' })),
      staticPod('kube-apiserver', withFlags(KUBEADM_APISERVER, { 'enable-admission-plugins': null, 'admission-control': 'LimitRanger,NodeRestriction,ResourceQuota' }), { image: 'k8s.gcr.io/kube-apiserver-amd64:v1.9.11' }),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'disable-admission-plugins': 'DefaultStorageClass' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const admission = admissionOf(c, addAt(c));
        // the legacy list only speaks for plugins that existed then; PodSecurity arrived with the new flags
        const off = ESSENTIAL.filter((e) => !admission.enabled(e.plugin) && (!admission.legacy || e.plugin !== 'PodSecurity'));
        if (off.length === 0) return;
        const disabled = off.map((e) => admission.disabledBy(e.plugin)).find((f) => f !== undefined);
        const flag = disabled ?? admission.enableFlag;
        const name = disabled ? 'disable-admission-plugins' : admission.enableFlagName;
        const why = flag === undefined ? `\`--${admission.enableFlagName}\` not set, whose default before 1.10 is AlwaysAdmit alone` : `\`${shown(name, flag)}\``;
        context.report({
          node: container,
          messageId: 'disabled',
          at: flag?.at ?? admission.addAt,
          data: { plugins: off.map((e) => e.plugin).join(' and '), plural: off.length > 1 ? 's' : '', why, effects: off.map((e) => e.effect).join('; ') },
          evidence: flag ? shown(name, flag) : `--${admission.enableFlagName} not set`,
        });
      },
    };
  },
});
