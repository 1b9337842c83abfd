// Kubernetes components found in the inventory with their flags: control-plane static pods
// (kube-apiserver, kube-controller-manager, kube-scheduler, etcd) in manifests and in a live
// cluster's kube-system. `kubemoat node` adds the same view for processes: a process found in /proc
// gets a synthetic one-container pod (its command line, its ETCD_* environment, host network), so
// the rules that judge a static pod's flags judge the running process the same way.
//
// A container runs a component when its command line starts the component's binary: directly
// (`kube-apiserver --…`), through a wrapper (`/go-runner --log-file=… /usr/local/bin/kube-apiserver`,
// `tini -- etcd`), through hyperkube (`/hyperkube apiserver`), or from a shell line
// (`sh -c "exec etcd --name=$(hostname) …"`). A container whose image is a component but whose
// command is some other program (an entrypoint script) is still a component, with `flagsComplete`
// false: its real flags may be set where kubemoat cannot see them.

import { asArray, asString, type Path } from '../core/json.js';
import type { ContainerNode } from './objects.js';
import { parseFlags, splitShell, type ArgvEntry, type FlagSet } from './flags.js';

export const COMPONENT_NAMES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kubelet', 'kube-proxy'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

export interface ComponentVersion {
  major: number;
  minor: number;
}

/** A component process seen in /proc (by `kubemoat node`). */
export interface ProcessInfo {
  pid: number;
  /** the executable as the process names it (argv[0]), else /proc/PID/exe */
  executable: string;
  /** its working directory, as the process sees it: relative paths in its flags start here */
  cwd: string;
  /** the full command line */
  argv: string[];
}

export type ComponentSource =
  | { type: 'container'; container: ContainerNode }
  /** a process; `container` is its synthetic view (command line and environment) that rules report on */
  | { type: 'process'; process: ProcessInfo; container: ContainerNode };

export interface ComponentNode {
  component: ComponentName;
  flags: FlagSet;
  /** where the component runs: a container (file or live pod), or a process on the node */
  source: ComponentSource;
  /**
   * false when the component is started by a program kubemoat cannot follow (an entrypoint script, a
   * shell line that passes `$@` or `$EXTRA_ARGS` on): flags may be set where kubemoat cannot see them,
   * so a rule must not read an absent flag as its default. Undefined means true.
   */
  flagsComplete?: boolean;
  /** the component's version, from the image tag when the image is the component's own */
  version?: ComponentVersion;
  /** where the component's arguments are written (e.g. ['args'], or ['command', 2] for a shell line): where a missing flag goes */
  argsAt?: Path;
}

/** Flags of these components that take no separate value (so `--profiling --v=2` parses right). */
const BOOLEAN_FLAGS = new Set([
  // kube-apiserver
  'anonymous-auth', 'profiling', 'contention-profiling', 'enable-bootstrap-token-auth', 'service-account-lookup', 'allow-privileged',
  'enable-aggregator-routing', 'enable-priority-and-fairness', 'enable-garbage-collector', 'enable-logs-handler',
  'audit-log-compress', 'kubelet-https', 'enable-swagger-ui', 'service-account-extend-token-expiration',
  // kube-controller-manager, kube-scheduler
  'use-service-account-credentials', 'leader-elect', 'allocate-node-cidrs', 'configure-cloud-routes', 'enable-dynamic-provisioning',
  'enable-hostpath-provisioner', 'enable-taint-manager',
  // etcd
  'client-cert-auth', 'peer-client-cert-auth', 'auto-tls', 'peer-auto-tls', 'enable-v2', 'strict-reconfig-check',
  'experimental-initial-corrupt-check', 'enable-pprof', 'debug', 'force-new-cluster', 'enable-grpc-gateway',
  // kubelet
  'rotate-certificates', 'rotate-server-certificates', 'authentication-token-webhook', 'protect-kernel-defaults',
  'make-iptables-util-chains', 'fail-cgroupv1', 'serialize-image-pulls', 'fail-swap-on',
  // everyone
  'help', 'version', 'logtostderr', 'alsologtostderr',
]);

/** Programs that start another program given later on their command line. */
const WRAPPERS = new Set(['go-runner', 'tini', 'dumb-init', 'env', 'nice', 'ionice', 'setpriv', 'su-exec', 'gosu', 'chpst', 'timeout', 'catatonit']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);
/** hyperkube's subcommands, old and new names */
const HYPERKUBE: Record<string, ComponentName> = {
  apiserver: 'kube-apiserver', 'kube-apiserver': 'kube-apiserver',
  'controller-manager': 'kube-controller-manager', 'kube-controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler', 'kube-scheduler': 'kube-scheduler',
  kubelet: 'kubelet', proxy: 'kube-proxy', 'kube-proxy': 'kube-proxy',
};
/** Shell words that precede the command they run. */
const SHELL_PREFIXES = new Set(['exec', 'then', 'do', 'else', '!', 'time', 'command', 'nohup']);
/** Registries that publish the upstream component images, whose entrypoint is the component itself. */
const OFFICIAL_REGISTRIES = /^(registry\.k8s\.io|k8s\.gcr\.io|gcr\.io\/google[-_]containers|gcr\.io\/etcd-development|quay\.io\/coreos)\//;
const ARCH_SUFFIX = /-(amd64|arm64|arm|ppc64le|s390x|386)$/;

function argv(c: ContainerNode): ArgvEntry[] {
  const words: ArgvEntry[] = [];
  for (const field of ['command', 'args'] as const) {
    asArray(c.container[field]).forEach((w, i) => {
      if (typeof w === 'string') words.push({ word: w, at: [field, i] });
    });
  }
  return words;
}

function basename(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

function componentNamed(word: string): ComponentName | undefined {
  const name = basename(word);
  return (COMPONENT_NAMES as readonly string[]).includes(name) ? (name as ComponentName) : undefined;
}

/** The repository's last path element without tag, digest or architecture suffix: `kube-apiserver` for `registry.k8s.io/kube-apiserver-amd64:v1.10.0`. */
function imageName(c: ContainerNode): string | undefined {
  const image = asString(c.container.image);
  if (!image) return undefined;
  return basename(image.split('@')[0].replace(/:[^/:]*$/, '')).replace(ARCH_SUFFIX, '');
}

function imageTag(c: ContainerNode): string | undefined {
  const image = asString(c.container.image)?.split('@')[0];
  if (!image) return undefined;
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : undefined;
}

/** A `$(VAR)` the kubelet expands, standing for a whole argument: any flags could be in it. */
const WHOLE_VAR_REF = /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/;

export interface LocatedComponent {
  component: ComponentName;
  /** the component's own arguments (after its executable), with where each was written */
  words: ArgvEntry[];
  flagsComplete: boolean;
  /** where those arguments are written: the list holding them, or the shell line */
  argsAt: Path;
}

function located(component: ComponentName, words: readonly ArgvEntry[], exe: number): LocatedComponent {
  const own = words.slice(exe + 1);
  // the list (command or args) holding the first argument, or the executable when there is none
  const argsAt = (own[0]?.at ?? words[exe].at).slice(0, 1);
  return { component, words: own, flagsComplete: !own.some((w) => WHOLE_VAR_REF.test(w.word)), argsAt };
}

/** A component started by a command whose executable word is `exe` at `index`; the words after it are its arguments. */
function fromExecutable(words: readonly ArgvEntry[], index: number): LocatedComponent | undefined {
  const exe = basename(words[index].word);
  const direct = componentNamed(exe);
  if (direct) return located(direct, words, index);
  if (exe === 'hyperkube') {
    const sub = words.findIndex((w, i) => i > index && !w.word.startsWith('-'));
    const component = sub < 0 ? undefined : HYPERKUBE[words[sub].word];
    if (component) return located(component, words, sub);
    return undefined;
  }
  if (WRAPPERS.has(exe)) {
    for (let i = index + 1; i < words.length; i++) {
      const w = words[i].word;
      if (w === '--' || w.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
      if (componentNamed(w) || basename(w) === 'hyperkube') return fromExecutable(words, i);
    }
    return undefined;
  }
  const shellAt = SHELLS.has(exe) ? index : exe === 'busybox' && SHELLS.has(basename(words[index + 1]?.word ?? '')) ? index + 1 : -1;
  if (shellAt >= 0) {
    // `sh -c SCRIPT` (also `-ec`, `-xc`, `-euc`, `-o pipefail -c`): the script is the word after the option holding `c`
    for (let i = shellAt + 1; i < words.length - 1; i++) {
      const w = words[i].word;
      if (w === '-o' || w === '+o') { i++; continue; }
      if (!/^[-+]/.test(w)) break;
      if (/^-[a-z]*c[a-z]*$/.test(w)) return fromShellScript(words[i + 1]);
    }
  }
  return undefined;
}

/** The component a shell script starts, with the words of that command (all pointing at the script). */
function fromShellScript(script: ArgvEntry): LocatedComponent | undefined {
  for (const command of splitShell(script.word)) {
    let start = 0;
    while (start < command.length && (SHELL_PREFIXES.has(command[start].text) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(command[start].text))) start++;
    if (start >= command.length) continue;
    const entries: ArgvEntry[] = command.slice(start).map((w) => ({ word: w.text, at: script.at }));
    const found = fromExecutable(entries, 0);
    if (found === undefined) continue;
    // a word that is nothing but an expansion (`$EXTRA_ARGS`, `"$@"`) may hold any flags
    const offset = command.length - found.words.length;
    const opaque = command.slice(offset).some((w) => w.expands && (w.text.startsWith('$') || w.text.startsWith('`')));
    return { ...found, flagsComplete: found.flagsComplete && !opaque, argsAt: script.at };
  }
  return undefined;
}

/** Find the component a container runs, and its own arguments. */
export function locateComponent(c: ContainerNode): LocatedComponent | undefined {
  const words = argv(c);
  const exe = words.findIndex((w) => !w.word.startsWith('-'));
  if (exe >= 0) {
    const found = fromExecutable(words, exe);
    if (found) return found;
  }
  const name = imageName(c);
  const byImage = name === undefined ? undefined : name === 'hyperkube' ? undefined : componentNamed(name);
  if (byImage === undefined) return undefined;
  // The image is a component. With only flags on the command line and an upstream image, the image's
  // entrypoint is the component and they are its flags. With some other program in front, or a
  // repackaged image (Bitnami's etcd starts a script that reads ETCD_* settings of its own), they may not be.
  const complete = exe < 0 && OFFICIAL_REGISTRIES.test(asString(c.container.image) ?? '') && !words.some((w) => WHOLE_VAR_REF.test(w.word));
  const argsAt: Path = words.length > 0 ? words[words.length - 1].at.slice(0, 1) : Array.isArray(c.container.args) ? ['args'] : Array.isArray(c.container.command) ? ['command'] : [];
  return { component: byImage, words, flagsComplete: complete, argsAt };
}

/** Which component a container runs: by its command line, else by its image name. */
export function componentOf(c: ContainerNode): ComponentName | undefined {
  return locateComponent(c)?.component;
}

/** `{1, 30}` from `registry.k8s.io/kube-apiserver:v1.30.2`, `{3, 5}` from `registry.k8s.io/etcd:3.5.12-0`; only for the component's own image. */
export function versionOf(c: ContainerNode, component: ComponentName): ComponentVersion | undefined {
  const name = imageName(c);
  if (name !== component && name !== 'hyperkube') return undefined;
  const m = /^v?(\d+)\.(\d+)(?:[.\-+_]|$)/.exec(imageTag(c) ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** A long-running container: a regular container, or an init container kept running as a sidecar. */
function longRunning(c: ContainerNode): boolean {
  if (c.containerKind === 'container') return true;
  return c.containerKind === 'initContainer' && c.container.restartPolicy === 'Always';
}

export function componentsOf(containers: readonly ContainerNode[]): ComponentNode[] {
  const out: ComponentNode[] = [];
  for (const c of containers) {
    if (!longRunning(c)) continue;
    const found = locateComponent(c);
    if (found === undefined) continue;
    const flags: FlagSet = parseFlags(found.words, BOOLEAN_FLAGS, { normalizeUnderscores: found.component !== 'etcd' });
    const node: ComponentNode = { component: found.component, flags, source: { type: 'container', container: c }, argsAt: found.argsAt };
    if (!found.flagsComplete) node.flagsComplete = false;
    const version = versionOf(c, found.component);
    if (version) node.version = version;
    out.push(node);
  }
  return out;
}

/**
 * The component a process runs, from its command line: the executable itself (`/usr/bin/kubelet`,
 * `kubelet.real` is not one) or hyperkube with a subcommand. Wrappers that fork (go-runner, tini)
 * are not followed: their child is a process of its own and is found by itself.
 */
export function locateProcess(argv: readonly string[]): LocatedComponent | undefined {
  if (argv.length === 0) return undefined;
  const words: ArgvEntry[] = argv.map((word, i) => ({ word, at: ['command', i] }));
  const exe = basename(argv[0]);
  if (componentNamed(exe) === undefined && exe !== 'hyperkube') return undefined;
  return fromExecutable(words, 0);
}

/** A component from a located process; `container` is the process's synthetic view (see ProcessInfo). */
export function componentOfProcess(found: LocatedComponent, process: ProcessInfo, container: ContainerNode): ComponentNode {
  const flags = parseFlags(found.words, BOOLEAN_FLAGS, { normalizeUnderscores: found.component !== 'etcd' });
  return { component: found.component, flags, source: { type: 'process', process, container }, argsAt: ['command'] };
}
