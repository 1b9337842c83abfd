import { defineRule } from '../../core/rule.js';
import type { Severity } from '../../core/finding.js';
import { asArray, asString, type JsonObject, type Path } from '../../core/json.js';
import { parseImageRef } from '../image-ref.js';
import { commandWords, isDashboardRef } from './consoles.js';

const MITRE_EXTERNAL_REMOTE_SERVICES = 'T1133';
const MITRE_VALID_ACCOUNTS = 'T1078';
const MITRE_DEPLOY_CONTAINER = 'T1610';
const NSA_RBAC = 'NSA-CISA Authentication and authorization: role-based access control';
const DOCS_DASHBOARD_ARGS = 'https://github.com/kubernetes/dashboard/blob/master/docs/common/arguments.md';
const DOCS_DASHBOARD_ACCESS = 'https://github.com/kubernetes/dashboard/blob/master/docs/user/accessing-dashboard/README.md';

interface Flag {
  value: string | undefined;
  at: Path;
}

/** Go's strconv.ParseBool, which pflag uses: undefined for a value the Dashboard would refuse. */
function parseBool(v: string): boolean | undefined {
  if (/^(?:1|t|T|TRUE|true|True)$/.test(v)) return true;
  if (/^(?:0|f|F|FALSE|false|False)$/.test(v)) return false;
  return undefined;
}

const BOOL_FLAGS = new Set(['enable-skip-login', 'enable-insecure-login', 'disable-settings-authorizer', 'auto-generate-certificates']);
const VALUE_FLAGS = new Set(['insecure-bind-address', 'insecure-port', 'tls-cert-file', 'tls-key-file']);

/**
 * The Dashboard's flags as pflag reads them: `--flag`, `--flag=value`, `-flag=value`; the last one wins.
 * A boolean flag takes its value only after `=` (`--enable-skip-login false` is true, followed by a stray `false`);
 * other flags also take the next word.
 */
function readFlags(words: ReturnType<typeof commandWords>): Map<string, Flag> {
  const flags = new Map<string, Flag>();
  words.forEach((w, i) => {
    const m = /^--?([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(w.word);
    if (m === null) return;
    const [, name, inline] = m;
    const at: Path = [w.field, w.index];
    if (BOOL_FLAGS.has(name)) flags.set(name, { value: inline ?? 'true', at });
    else if (VALUE_FLAGS.has(name)) flags.set(name, { value: inline ?? words[i + 1]?.word, at });
  });
  return flags;
}

function mentionsDashboardFlags(container: JsonObject): boolean {
  for (const field of ['command', 'args'] as const) {
    for (const item of asArray(container[field])) {
      const text = typeof item === 'string' ? item : String(item);
      if (text.includes('dashboard') || text.includes('login') || text.includes('settings-authorizer')) return true;
    }
  }
  return false;
}

function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  return /^127\./.test(a) || a === '::1' || a === 'localhost';
}

/** The 1.x version of a `kubernetes-dashboard-*` image tag: 1.0–1.6 had no login at all, 1.7.0–1.10.0 let anyone bypass it (CVE-2018-18264). */
function versionOf(tag: string | undefined): { minor: number; patch: number } | undefined {
  const m = tag === undefined ? null : /^v?1\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(tag);
  return m === null ? undefined : { minor: Number(m[1]), patch: Number(m[2] ?? '0') };
}

function nonEmpty(f: Flag | undefined): boolean {
  return f?.value !== undefined && f.value.trim() !== '';
}

export default defineRule({
  meta: {
    id: 'KM-CO-001',
    title: 'Kubernetes Dashboard login disabled',
    severity: 'critical',
    door: 'console',
    description:
      'This is the Tesla incident (2018): a Kubernetes Dashboard reachable without a password let attackers into the cluster, where they found ' +
      'AWS keys in a pod and ran cryptominers on Tesla\'s bill. The Dashboard acts on the cluster with its own service account, often bound to ' +
      'cluster-admin, for anyone who skips the login (`--enable-skip-login`); for everyone who reaches its plain-HTTP port, which the 1.x and 2.x ' +
      'Dashboard serves whenever no certificate is configured (`--auto-generate-certificates` or `--tls-cert-file`/`--tls-key-file`) and which the ' +
      'official image binds to every interface through its entrypoint (`--insecure-bind-address=0.0.0.0`); in versions before 1.7, which had no ' +
      'login at all; and in 1.7.0 to 1.10.0, whose login could be bypassed (CVE-2018-18264). `--enable-insecure-login` shows a login on plain HTTP ' +
      'instead, so tokens cross the network unencrypted (high); `--disable-settings-authorizer` lets anyone change the Dashboard\'s settings ' +
      '(medium). Flags are read from command and args as pflag reads them, the last one winning: `--enable-skip-login=false` is off, while ' +
      '`--enable-skip-login false` is on. The 7.x modules (dashboard-api, -web, -auth) use the caller\'s token and are checked for skip-login only.',
    remediation:
      'Remove `--enable-skip-login`, `--enable-insecure-login` and `--disable-settings-authorizer`; serve HTTPS only (`--auto-generate-certificates` ' +
      'or a certificate), or bind the HTTP port to 127.0.0.1 behind an authenticating proxy in the same pod; upgrade a Dashboard older than 1.10.1; ' +
      'keep its service account at the minimal default role; and reach it through `kubectl port-forward` or single sign-on rather than a public Service.',
    references: [DOCS_DASHBOARD_ARGS, DOCS_DASHBOARD_ACCESS, 'https://kubernetes.io/docs/tasks/access-application-cluster/web-ui-dashboard/'],
    frameworks: { nsa: [NSA_RBAC], mitre: [MITRE_EXTERNAL_REMOTE_SERVICES, MITRE_VALID_ACCOUNTS, MITRE_DEPLOY_CONTAINER] },
    messages: {
      skipLogin: '{{container}} in {{resource}} runs the Kubernetes Dashboard with `--enable-skip-login`: anyone who reaches it can skip the login and act as its service account',
      insecureBind: '{{container}} in {{resource}} serves the Kubernetes Dashboard over plain HTTP on {{address}}:{{port}}{{how}}, where it shows no login and acts as its service account',
      oldVersion: '{{container}} in {{resource}} runs Kubernetes Dashboard {{version}}, a version with no login at all',
      bypassable: '{{container}} in {{resource}} runs Kubernetes Dashboard {{version}}, whose login can be bypassed to act as its service account (CVE-2018-18264, fixed in 1.10.1)',
      insecureLogin: '{{container}} in {{resource}} runs the Kubernetes Dashboard with `--enable-insecure-login`: login tokens travel over plain HTTP',
      settings: '{{container}} in {{resource}} runs the Kubernetes Dashboard with `--disable-settings-authorizer`: anyone can change its settings without logging in',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  template:
    spec:
      containers:
        - name: kubernetes-dashboard
          image: kubernetesui/dashboard:v2.7.0
          args:
            - --namespace=kubernetes-dashboard
            - --enable-skip-login
            - --enable-insecure-login`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: dashboard, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: dashboard
          image: registry.k8s.io/kubernetes-dashboard-amd64:v1.10.1
          args: ["--insecure-bind-address", "0.0.0.0", "--insecure-port=9090", "--disable-settings-authorizer=true"]`,
      `apiVersion: v1
kind: Pod
metadata: {name: old-dashboard, namespace: kube-system}
spec:
  containers:
    - name: dashboard
      image: gcr.io/google_containers/kubernetes-dashboard-amd64:v1.6.3`,
      // the documented "alternative" setup: no certificate, so plain HTTP on every interface, and no login
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  template:
    spec:
      containers:
        - name: kubernetes-dashboard
          image: kubernetesui/dashboard:v2.7.0
          ports: [{containerPort: 9090}]
          args: [--namespace=kubernetes-dashboard]`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: console, namespace: tools}
spec:
  template:
    spec:
      containers:
        - name: ui
          image: registry.example.com/mirror/dashboard-fork:2.7.0
          command: ["sh", "-c", "/dashboard --enable-skip-login false --auto-generate-certificates"]`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  template:
    spec:
      containers:
        - name: kubernetes-dashboard
          image: kubernetesui/dashboard:v2.7.0
          args:
            - --auto-generate-certificates
            - --namespace=kubernetes-dashboard
            - --enable-skip-login=false
            - --enable-insecure-login=False
            - --insecure-bind-address=127.0.0.1`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: dashboard, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: dashboard
          image: registry.k8s.io/kubernetes-dashboard-amd64:v1.10.1
          args: ["--insecure-bind-address=0.0.0.0", "--insecure-port=0", "--auto-generate-certificates"]
        - name: proxied
          image: kubernetesui/dashboard:v2.7.0
          command: [/dashboard, --enable-insecure-login]
        - name: apiserver
          image: registry.k8s.io/kube-apiserver:v1.30.0
          command: ["kube-apiserver", "--insecure-bind-address=0.0.0.0"]`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const image = asString(c.container.image);
        const ref = image === undefined ? undefined : parseImageRef(image);
        const dashboardImage = ref !== undefined && isDashboardRef(ref);
        // nothing to read: not a Dashboard image, and no command or args that could carry its flags
        // (each report needs a Dashboard image, a word ending in `dashboard`, or a `login` or
        // `settings-authorizer` flag: words are pieces of these strings)
        if (!dashboardImage && !mentionsDashboardFlags(c.container)) return;
        const split = commandWords(c.container);
        const flags = readFlags(split);
        const words = split.map((w) => w.word);
        // the single-binary Dashboard (1.x, 2.x) serves HTTP on --insecure-port; the 7.x modules (dashboard-api, -web, -auth) use the caller's token
        const modular = ref !== undefined && /^kubernetesui\/dashboard-(?:api|web|auth)$/.test(ref.path);
        const official = dashboardImage && !modular;
        const singleBinary = !modular && (official || words.some((w) => /(?:^|\/)dashboard$/.test(w)));
        const on = (name: string): Flag | undefined => {
          const f = flags.get(name);
          return f !== undefined && f.value !== undefined && parseBool(f.value) === true ? f : undefined;
        };
        const report = (messageId: string, at: Path, severity: Severity, data: Record<string, string> = {}): void =>
          context.report({ node: c, messageId, at, severity, data });

        const skip = on('enable-skip-login');
        if (skip) report('skipLogin', skip.at, 'critical');

        const version = official && ref !== undefined && /^kubernetes-dashboard/.test(ref.path.split('/').pop() ?? '') ? versionOf(ref.tag) : undefined;
        const loginless = version !== undefined && version.minor < 7;
        if (loginless) report('oldVersion', ['image'], 'critical', { version: ref?.tag ?? '' });
        else if (version !== undefined && (version.minor < 10 || (version.minor === 10 && version.patch === 0))) {
          report('bypassable', ['image'], 'critical', { version: ref?.tag ?? '' });
        }

        const insecureLogin = on('enable-insecure-login');
        if (singleBinary && !loginless) {
          // HTTP is served only when no certificate is configured; the official image's entrypoint binds it to 0.0.0.0
          const tls = on('auto-generate-certificates') !== undefined || (nonEmpty(flags.get('tls-cert-file')) && nonEmpty(flags.get('tls-key-file')));
          const bindFlag = flags.get('insecure-bind-address');
          const commandOverridden = Array.isArray(c.container.command) && c.container.command.length > 0;
          const bind = bindFlag?.value ?? (official && !commandOverridden ? '0.0.0.0' : '127.0.0.1');
          const port = flags.get('insecure-port')?.value?.trim() ?? '9090';
          const reachable = !tls && !isLoopback(bind) && port !== '0';
          if (reachable && insecureLogin) report('insecureLogin', insecureLogin.at, 'high');
          else if (reachable) {
            const at: Path = bindFlag?.at ?? (Array.isArray(c.container.args) ? ['args'] : ['image']);
            const how = bindFlag !== undefined ? '' : ' (no certificate is configured, and the image binds its HTTP port to every interface)';
            report('insecureBind', at, 'critical', { address: bind, port, how });
          }
        } else if (insecureLogin) {
          report('insecureLogin', insecureLogin.at, 'high');
        }

        const settings = on('disable-settings-authorizer');
        if (settings) report('settings', settings.at, 'medium');
      },
    };
  },
});
