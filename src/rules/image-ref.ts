// Container image references, parsed the way the container runtime resolves them (the grammar of
// distribution/reference, with Docker's normalisation of "familiar" names), and matched against the
// trusted-registry allow-list.
//
//   nginx                          → docker.io/library/nginx, no tag (the runtime pulls `latest`)
//   user/app:1.2                   → docker.io/user/app, tag 1.2
//   localhost:5000/app             → registry localhost:5000, no tag (the `:5000` is a port)
//   ghcr.io/acme/app@sha256:…      → pinned by digest
//   app:latest@sha256:…            → the digest wins; the tag is ignored when pulling
//
// The first path segment is a registry host when it contains `.` or `:`, is `localhost`, or has an
// upper-case letter (repository paths are lower-case); otherwise the image is on Docker Hub.

export interface ImageRef {
  /** the reference as written, trimmed */
  raw: string;
  /** registry host (with port), lower-cased; Docker Hub aliases normalise to `docker.io` */
  registry: string;
  /** true when the reference names its registry */
  explicitRegistry: boolean;
  /** repository path inside the registry, e.g. `library/nginx` */
  path: string;
  tag?: string;
  /** `algorithm:hex` */
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';

/** Hosts that serve Docker Hub's content under another name. */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function normaliseRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

function looksLikeHost(segment: string): boolean {
  return segment === 'localhost' || /[.:]/.test(segment) || segment.toLowerCase() !== segment;
}

// Images repeat across a repository (one base image, many workloads): parse each distinct string once.
const CACHE_LIMIT = 50_000;
const cache = new Map<string, ImageRef | undefined>();

/** Parse an image reference; undefined when it is not a valid reference (a template left unrendered, a typo). The result is shared: do not change it. */
export function parseImageRef(image: string): Readonly<ImageRef> | undefined {
  const hit = cache.get(image);
  if (hit !== undefined || cache.has(image)) return hit;
  const ref = parse(image);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(image, ref);
  return ref;
}

function parse(image: string): ImageRef | undefined {
  const raw = image.trim();
  if (raw === '' || /\s/.test(raw)) return undefined;
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) return undefined;
  }
  // A tag is a `:` after the last `/`; an earlier `:` belongs to the registry's port.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  let registry = DOCKER_HUB;
  let explicitRegistry = false;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && looksLikeHost(rest.slice(0, slash))) {
    const host = rest.slice(0, slash);
    if (!HOST.test(host)) return undefined;
    registry = normaliseRegistry(host);
    explicitRegistry = true;
    path = rest.slice(slash + 1);
  }
  if (path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c))) return undefined;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { raw, registry, explicitRegistry, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `registry/path`, the canonical name without tag or digest. */
export function canonicalName(ref: ImageRef): string {
  return `${ref.registry}/${ref.path}`;
}

/** The last path segment: `nginx` for `docker.io/library/nginx`. */
export function repositoryName(ref: ImageRef): string {
  const i = ref.path.lastIndexOf('/');
  return i < 0 ? ref.path : ref.path.slice(i + 1);
}

export interface RegistryEntry {
  /** the entry as configured */
  entry: string;
  /** a lower-cased host, or `*.suffix` for any subdomain of suffix */
  host: string;
  /** a path prefix, matched on whole segments; '' allows the whole registry */
  path: string;
}

/**
 * Read an allow-list entry: a host (`ghcr.io`, `registry.local:5000`), a host and path prefix
 * (`ghcr.io/acme`), a wildcard host (`*.dkr.ecr.eu-west-1.amazonaws.com`), or a Docker Hub
 * namespace written as an image would be (`bitnami` → `docker.io/bitnami`). A scheme is ignored.
 */
export function parseRegistryEntry(entry: string): RegistryEntry {
  const text = entry.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  const slash = text.indexOf('/');
  const first = slash < 0 ? text : text.slice(0, slash);
  const rest = slash < 0 ? '' : text.slice(slash + 1);
  if (first.startsWith('*.') || looksLikeHost(first)) {
    const host = first.startsWith('*.') ? `*.${first.slice(2).toLowerCase()}` : normaliseRegistry(first);
    return { entry, host, path: rest.toLowerCase() };
  }
  return { entry, host: DOCKER_HUB, path: text.toLowerCase() };
}

function hostMatches(entryHost: string, registry: string): boolean {
  if (entryHost.startsWith('*.')) return registry.endsWith(entryHost.slice(1)) && registry.length > entryHost.length - 1;
  return entryHost === registry;
}

/** Does the allow-list entry cover this image? Paths match on segment boundaries: `ghcr.io/acme` does not cover `ghcr.io/acme-evil/x`. */
export function registryEntryAllows(entry: RegistryEntry, ref: ImageRef): boolean {
  if (!hostMatches(entry.host, ref.registry)) return false;
  if (entry.path === '') return true;
  return ref.path === entry.path || ref.path.startsWith(`${entry.path}/`);
}
