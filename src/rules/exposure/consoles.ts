// Admin consoles: web UIs that show or change the cluster. Recognised by image (and, for Argo CD,
// whose components share one image, by the command it runs), or by the labels a Service selects
// when the workload itself is not in the input.

import type { Severity } from '../../core/finding.js';
import { asArray, asString, type JsonObject } from '../../core/json.js';
import { parseImageRef, type ImageRef } from '../image-ref.js';

export interface Console {
  name: string;
  /** how bad it is to reach it from outside the cluster */
  severity: Severity;
  /** a short reason shown in messages */
  why: string;
}

/** an image reference split for matching: `quay.io/argoproj/argocd` → owner `argoproj`, name `argocd` */
interface ImageParts {
  path: string;
  owner: string;
  name: string;
}

interface ConsoleSpec extends Console {
  image(ref: ImageParts, words: () => string[]): boolean;
  /** values of app / k8s-app / app.kubernetes.io/name / name labels that select it */
  appLabels: string[];
}

function partsOf(ref: ImageRef): ImageParts {
  const parts = ref.path.split('/');
  return { path: ref.path, owner: parts.length > 1 ? parts[parts.length - 2] : '', name: parts[parts.length - 1] };
}

export const DASHBOARD: Console = {
  name: 'the Kubernetes Dashboard',
  severity: 'critical',
  why: 'it acts on the cluster with its service account, and is often installed with login skipped',
};

const CONSOLES: ConsoleSpec[] = [
  {
    ...DASHBOARD,
    image: (ref) => isDashboardParts(ref),
    appLabels: ['kubernetes-dashboard', 'kubernetes-dashboard-web', 'kubernetes-dashboard-api', 'kubernetes-dashboard-auth'],
  },
  {
    name: 'Weave Scope',
    severity: 'critical',
    why: 'it has no login and lets anyone open a shell in any container',
    image: (ref) => ref.path === 'weaveworks/scope',
    appLabels: ['weave-scope', 'weave-scope-app'],
  },
  { name: 'kube-ops-view', severity: 'high', why: 'it has no login and shows every node and pod', image: (ref) => ref.name === 'kube-ops-view', appLabels: ['kube-ops-view'] },
  { name: 'Headlamp', severity: 'high', why: 'it is a full cluster console', image: (ref) => ref.name === 'headlamp', appLabels: ['headlamp'] },
  { name: 'Skooner (k8dash)', severity: 'high', why: 'it is a full cluster console', image: (ref) => /^(?:skooner|k8dash)$/.test(ref.name), appLabels: ['skooner', 'k8dash'] },
  {
    name: 'Portainer',
    severity: 'high',
    why: 'a fresh install lets the first visitor create the admin account, and it manages the whole cluster',
    image: (ref) => ref.owner === 'portainer' && /^portainer(?:-ce|-ee)?$/.test(ref.name),
    appLabels: ['portainer'],
  },
  { name: 'Rancher', severity: 'high', why: 'it administers every cluster it manages', image: (ref) => ref.path === 'rancher/rancher', appLabels: ['rancher'] },
  {
    name: 'the Argo CD API server',
    severity: 'high',
    why: 'it deploys anything into the clusters it manages',
    image: (ref, words) => /^argocd$|^argo-cd$/.test(ref.name) && words().some((w) => /(?:^|\/)argocd-server$/.test(w)),
    appLabels: ['argocd-server'],
  },
  { name: 'the Kubeflow central dashboard', severity: 'high', why: 'it creates notebooks and pipelines that run code in the cluster', image: (ref) => ref.name === 'centraldashboard', appLabels: ['centraldashboard'] },
  { name: 'Grafana', severity: 'medium', why: 'it ships with a default admin password and holds data-source credentials', image: (ref) => ref.owner === 'grafana' && /^grafana(?:-oss|-enterprise)?$/.test(ref.name), appLabels: ['grafana'] },
  { name: 'the Prometheus UI', severity: 'medium', why: 'it has no login and maps every scraped target, label and secret-bearing URL', image: (ref) => /^(?:prom|prometheus)$/.test(ref.owner) && ref.name === 'prometheus', appLabels: ['prometheus'] },
  { name: 'the Alertmanager UI', severity: 'medium', why: 'it has no login and lets anyone silence alerts', image: (ref) => /^(?:prom|prometheus)$/.test(ref.owner) && ref.name === 'alertmanager', appLabels: ['alertmanager'] },
];

function isDashboardParts(ref: ImageParts): boolean {
  if (ref.owner === 'kubernetesui' && /^dashboard(?:-web|-api|-auth)?$/.test(ref.name)) return true;
  return /^kubernetes-dashboard(?:-(?:amd64|arm64|arm|ppc64le|s390x))?$/.test(ref.name);
}

export function isDashboardRef(ref: ImageRef): boolean {
  return isDashboardParts(partsOf(ref));
}

/** command and args split into words, so `sh -c "/dashboard --enable-skip-login"` is seen too */
export function commandWords(container: JsonObject): { word: string; field: 'command' | 'args'; index: number }[] {
  const out: { word: string; field: 'command' | 'args'; index: number }[] = [];
  for (const field of ['command', 'args'] as const) {
    asArray(container[field]).forEach((item, index) => {
      const s = typeof item === 'string' ? item : typeof item === 'number' || typeof item === 'boolean' ? String(item) : undefined;
      if (s === undefined) return;
      for (const word of s.split(/\s+/)) if (word !== '') out.push({ word: word.replace(/^["']|["']$/g, ''), field, index });
    });
  }
  return out;
}

/** The console a container runs, if any. */
export function consoleOfContainer(container: JsonObject): Console | undefined {
  const image = asString(container.image);
  const ref = image === undefined ? undefined : parseImageRef(image);
  if (ref === undefined) return undefined;
  let words: string[] | undefined;
  const lazyWords = (): string[] => (words ??= commandWords(container).map((w) => w.word));
  const parts = partsOf(ref);
  const hit = CONSOLES.find((c) => c.image(parts, lazyWords));
  return hit === undefined ? undefined : { name: hit.name, severity: hit.severity, why: hit.why };
}

const APP_LABEL_KEYS = ['app.kubernetes.io/name', 'k8s-app', 'app', 'name', 'app.kubernetes.io/component'];

/** The console a selector names by its well-known labels (used only when the selected workload is not in the input). */
export function consoleOfLabels(labels: Record<string, string>): Console | undefined {
  for (const key of APP_LABEL_KEYS) {
    const v = labels[key];
    if (v === undefined) continue;
    const hit = CONSOLES.find((c) => c.appLabels.includes(v));
    if (hit !== undefined) return { name: hit.name, severity: hit.severity, why: hit.why };
  }
  return undefined;
}
