// A registry client over the distribution API (read-only): manifest and index negotiation,
// platform selection, the Bearer token flow that `WWW-Authenticate` asks for, HTTP basic auth,
// credentials from the Docker config or a cluster's imagePullSecrets. Every request has a timeout;
// a blob that stops sending is abandoned after an idle timeout. Manifests and configs are checked
// against their digests; layers are checked as they stream (layer.ts).

import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { asObject, asString, type JsonValue } from '../../core/json.js';
import { parseImageRef, DOCKER_HUB, type ImageRef } from '../../rules/image-ref.js';
import {
  ACCEPT,
  ImageError,
  MEDIA,
  digestOf,
  isReadableLayer,
  parseManifest,
  selectPlatform,
  verifiedJson,
  type LayerRef,
  type Platform,
  type ResolvedImage,
} from './manifest.js';
import { referrersTag, type SignatureSource } from '../cosign.js';

export interface Credential {
  username: string;
  password: string;
}

/** Credentials by registry host (`ghcr.io`, `localhost:5000`; Docker Hub is `docker.io`). */
export type Credentials = Map<string, Credential>;

export interface RegistryOptions {
  credentials: Credentials;
  /** hosts spoken to over plain HTTP (loopback registries always are) */
  plainHttp: string[];
  timeoutMs: number;
}

export class RegistryError extends ImageError {
  constructor(
    message: string,
    /** the HTTP status the registry answered, when it answered */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Read `auths` from a Docker config (or a `.dockerconfigjson` secret's content) into credentials. */
export function credentialsFromDockerConfig(json: JsonValue, into: Credentials = new Map()): Credentials {
  const auths = asObject(asObject(json)?.auths);
  for (const [key, value] of Object.entries(auths ?? {})) {
    const o = asObject(value);
    let username = asString(o?.username);
    let password = asString(o?.password);
    const auth = asString(o?.auth);
    if ((!username || !password) && auth) {
      const decoded = Buffer.from(auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        username = decoded.slice(0, i);
        password = decoded.slice(i + 1);
      }
    }
    if (!username || !password) continue;
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const normal = host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host.toLowerCase();
    if (!into.has(normal)) into.set(normal, { username, password });
  }
  return into;
}

/** The Docker config of this user ($DOCKER_CONFIG/config.json or ~/.docker/config.json), if any. */
export function loadDockerConfigCredentials(file?: string): Credentials {
  const path = file ?? join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  if (!existsSync(path)) return new Map();
  try {
    return credentialsFromDockerConfig(JSON.parse(readFileSync(path, 'utf8')) as JsonValue);
  } catch (e) {
    throw new RegistryError(`${path}: cannot read the Docker config (${(e as Error).message})`);
  }
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"|(\w+)=([^\s,]+)/g)) params[p[1] ?? p[3]] = p[2] ?? p[4];
  return { scheme: m[1].toLowerCase(), params };
}

/** One repository on one registry, with its authorisation remembered across requests. */
class Repository {
  private authorization: string | undefined;
  readonly base: string;

  constructor(
    readonly ref: ImageRef,
    private readonly options: RegistryOptions,
  ) {
    const apiHost = ref.registry === DOCKER_HUB ? 'registry-1.docker.io' : ref.registry;
    const plain = isLoopback(ref.registry) || options.plainHttp.includes(ref.registry);
    this.base = `${plain ? 'http' : 'https'}://${apiHost}/v2/${ref.path}`;
  }

  private get credential(): Credential | undefined {
    return this.options.credentials.get(this.ref.registry);
  }

  private async send(url: string, accept: string | undefined, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (accept) headers.accept = accept;
    if (this.authorization) headers.authorization = this.authorization;
    try {
      return await fetch(url, { headers, signal, redirect: 'follow' });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new RegistryError(`${url}: no answer within ${this.options.timeoutMs} ms`);
      throw new RegistryError(`${url}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    }
  }

  /** Answer a 401's challenge: fetch a Bearer token from the realm, or use basic auth. */
  private async authorise(res: Response, url: string): Promise<boolean> {
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    const cred = this.credential;
    if (challenge?.scheme === 'basic') {
      if (!cred) return false;
      this.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
      return true;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) return false;
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? `repository:${this.ref.path}:pull`);
    const headers: Record<string, string> = {};
    if (cred) headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    let tokenRes: Response;
    try {
      tokenRes = await fetch(realm, { headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (e) {
      throw new RegistryError(`${url}: token service ${realm.origin}${realm.pathname} did not answer (${(e as Error).message})`);
    }
    if (!tokenRes.ok) throw new RegistryError(`${url}: the token service ${realm.origin}${realm.pathname} refused (${tokenRes.status})${cred ? '' : '; no credentials for this registry in the Docker config'}`);
    const body = asObject((await tokenRes.json().catch(() => undefined)) as JsonValue);
    const token = asString(body?.token) ?? asString(body?.access_token);
    if (!token) throw new RegistryError(`${url}: the token service answered without a token`);
    this.authorization = `Bearer ${token}`;
    return true;
  }

  async get(path: string, accept: string | undefined, stream: boolean): Promise<Response> {
    const url = `${this.base}${path}`;
    const signal = stream ? AbortSignal.timeout(60 * 60 * 1000) : AbortSignal.timeout(this.options.timeoutMs);
    let res = await this.send(url, accept, signal);
    if (res.status === 401) {
      await res.body?.cancel();
      if (await this.authorise(res, url)) res = await this.send(url, accept, stream ? AbortSignal.timeout(60 * 60 * 1000) : AbortSignal.timeout(this.options.timeoutMs));
    }
    if (res.ok) return res;
    await res.body?.cancel();
    const what = `${this.ref.registry}/${this.ref.path}${path.replace(/^\/(manifests|blobs)\//, path.startsWith('/manifests') ? ':' : '@')}`;
    if (res.status === 401 || res.status === 403) throw new RegistryError(`${what}: access denied (${res.status})${this.credential ? ' with the configured credentials' : '; no credentials for this registry'}`, res.status);
    if (res.status === 404) throw new RegistryError(`${what}: not found (404)`, 404);
    throw new RegistryError(`${what}: the registry answered ${res.status} ${res.statusText}`, res.status);
  }
}

const MANIFEST_LIMIT = 8 * 1024 * 1024;

async function readLimited(res: Response, limit: number, where: string): Promise<Buffer> {
  const len = Number(res.headers.get('content-length') ?? '0');
  if (len > limit) throw new RegistryError(`${where}: ${len} bytes, more than a manifest or config may have`);
  const parts: Buffer[] = [];
  let size = 0;
  if (res.body === null) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) throw new RegistryError(`${where}: more than ${limit} bytes, refused`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** A stream that fails when no byte arrives for `ms` (a registry that hangs mid-blob). */
function idleTimeout(source: Readable, ms: number, what: string): Readable {
  let timer: NodeJS.Timeout | undefined;
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      arm();
      cb(null, chunk);
    },
    flush(cb) {
      clearTimeout(timer);
      cb();
    },
  });
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const err = new RegistryError(`${what}: no data for ${ms} ms, abandoned`);
      source.destroy(err);
      t.destroy(err);
    }, ms);
    timer.unref();
  };
  arm();
  source.on('error', (e) => t.destroy(e));
  t.on('close', () => clearTimeout(timer));
  return source.pipe(t);
}

export interface RegistryImage extends ResolvedImage {
  registry: string;
  repository: string;
}

/** Resolve a registry reference to its manifest for the platform, with layers that stream their blobs. */
export async function resolveRegistryImage(text: string, platform: Platform, options: RegistryOptions): Promise<RegistryImage> {
  const ref = parseImageRef(text);
  if (ref === undefined) throw new ImageError(`${text}: not an image reference`);
  const repo = new Repository(ref, options);
  const wanted = ref.digest ?? ref.tag ?? 'latest';
  let res = await repo.get(`/manifests/${wanted}`, ACCEPT, false);
  let bytes = await readLimited(res, MANIFEST_LIMIT, text);
  let digest = ref.digest ?? res.headers.get('docker-content-digest') ?? digestOf(bytes);
  const named = digest; // what the reference resolves to (an index, for multi-platform images)
  let manifest = parseManifest(verifiedJson(bytes, digest, text), text, res.headers.get('content-type') ?? undefined);
  for (let depth = 0; manifest.kind === 'index'; depth++) {
    if (depth > 3) throw new ImageError(`${text}: indexes nested too deep`);
    const d = selectPlatform(manifest.manifests, platform, text);
    res = await repo.get(`/manifests/${d.digest}`, ACCEPT, false);
    bytes = await readLimited(res, MANIFEST_LIMIT, `${text}@${d.digest}`);
    digest = d.digest;
    manifest = parseManifest(verifiedJson(bytes, digest, `${text}@${d.digest}`), `${text}@${d.digest}`, d.mediaType);
  }
  const image = manifest;
  const cfgRes = await repo.get(`/blobs/${image.config.digest}`, undefined, false);
  const cfg = asObject(verifiedJson(await readLimited(cfgRes, MANIFEST_LIMIT, `${text} config`), image.config.digest, `${text} config`));
  const os = asString(cfg?.os);
  const architecture = asString(cfg?.architecture);
  const layers: LayerRef[] = image.layers.filter(isReadableLayer).map((d) => ({
    digest: d.digest,
    mediaType: d.mediaType,
    ...(d.size !== undefined ? { size: d.size } : {}),
    verify: { blob: d.digest },
    open: async () => {
      const r = await repo.get(`/blobs/${d.digest}`, undefined, true);
      if (r.body === null) throw new RegistryError(`${text}: layer ${d.digest} has no body`);
      return idleTimeout(Readable.fromWeb(r.body as import('node:stream/web').ReadableStream<Uint8Array>), options.timeoutMs, `${text}: layer ${d.digest}`);
    },
  }));
  return {
    name: text,
    registry: ref.registry,
    repository: ref.path,
    manifestDigest: digest,
    configDigest: image.config.digest,
    ...(os && architecture ? { platform: { os, architecture } } : {}),
    layers,
    tags: ref.tag ? [ref.tag] : [],
    signatures: { source: signatureSource(repo, text), digests: [...new Set([named, digest])] },
  };
}

/** Cosign signatures of this repository: manifests by tag or digest (404 = none), blobs, and OCI 1.1 referrers. */
function signatureSource(repo: Repository, text: string): SignatureSource {
  const manifest = async (reference: string, accept = ACCEPT): Promise<Buffer | undefined> => {
    let res: Response;
    try {
      res = await repo.get(`/manifests/${reference}`, accept, false);
    } catch (e) {
      if (e instanceof RegistryError && e.status === 404) return undefined;
      throw e;
    }
    return readLimited(res, MANIFEST_LIMIT, `${text} signature ${reference}`);
  };
  return {
    manifest,
    blob: async (digest, limit) => readLimited(await repo.get(`/blobs/${digest}`, undefined, false), limit, `${text} signature payload ${digest}`),
    referrers: async (digest) => {
      try {
        return await readLimited(await repo.get(`/referrers/${digest}`, MEDIA.ociIndex, false), MANIFEST_LIMIT, `${text} referrers of ${digest}`);
      } catch (e) {
        // a registry without the referrers API answers 404 (or 400/405/501): the fallback tag stands in for it
        if (!(e instanceof RegistryError && [400, 404, 405, 501].includes(e.status ?? 0))) throw e;
      }
      return manifest(referrersTag(digest), MEDIA.ociIndex);
    },
  };
}
