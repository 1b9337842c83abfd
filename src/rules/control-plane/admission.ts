// The API server's effective admission plugins from its flags: the default-on list, plus
// --enable-admission-plugins, minus --disable-admission-plugins; or, with the deprecated
// --admission-control, exactly that list (whose default before 1.10 was AlwaysAdmit alone).

import type { Path } from '../../core/json.js';
import type { ComponentNode } from '../../inventory/components.js';
import type { FlagValue } from '../../inventory/flags.js';
import { kubeMinor } from './settings.js';

/** Default-on plugins this rule set reasons about (the full default list is longer). */
const DEFAULT_ON = new Set(['NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'PodSecurity', 'Priority', 'DefaultTolerationSeconds', 'ResourceQuota', 'MutatingAdmissionWebhook', 'ValidatingAdmissionWebhook']);

export interface Admission {
  /** plugins that run */
  enabled(name: string): boolean;
  /** the legacy --admission-control list (or its pre-1.10 default) is what runs */
  legacy: boolean;
  /** the flag that enables plugins (--enable-admission-plugins or --admission-control), if written */
  enableFlag: FlagValue | undefined;
  enableFlagName: string;
  /** the --disable-admission-plugins flag that names `plugin`, if any */
  disabledBy(plugin: string): FlagValue | undefined;
  /** where a fix goes when nothing is written */
  addAt: Path;
}

export function admissionOf(c: ComponentNode, addAt: Path): Admission {
  const flags = c.flags;
  const legacyFlag = flags.get('admission-control');
  const minor = kubeMinor(c);
  if (legacyFlag !== undefined || (minor !== undefined && minor < 10 && !flags.has('enable-admission-plugins'))) {
    const list = legacyFlag === undefined ? ['AlwaysAdmit'] : flags.list('admission-control');
    return {
      enabled: (name) => list.includes(name),
      legacy: true,
      enableFlag: legacyFlag,
      enableFlagName: 'admission-control',
      disabledBy: () => undefined,
      addAt,
    };
  }
  const enabled = new Set(flags.list('enable-admission-plugins'));
  const disabled = new Set(flags.list('disable-admission-plugins'));
  return {
    enabled: (name) => !disabled.has(name) && (enabled.has(name) || DEFAULT_ON.has(name)),
    legacy: false,
    enableFlag: flags.get('enable-admission-plugins'),
    enableFlagName: 'enable-admission-plugins',
    disabledBy: (plugin) => flags.all('disable-admission-plugins').find((f) => (f.value ?? '').split(',').map((s) => s.trim()).includes(plugin)),
    addAt,
  };
}
