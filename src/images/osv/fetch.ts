// `images db update` without `--from`: download each ecosystem's `all.zip` as osv.dev publishes it
// (`<base>/<Ecosystem>/all.zip`; the public bucket by default, a mirror with `--url`). Each file
// streams to a temporary file, bounded in size, with a timeout for the answer and for every pause
// in the body; a failure names the URL.

import { createWriteStream, mkdtempSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

export const OSV_BUCKET_URL = 'https://osv-vulnerabilities.storage.googleapis.com';
/** The ecosystems kubemoat matches packages against (directory names in osv.dev's bucket). */
export const DEFAULT_ECOSYSTEMS = ['Debian', 'Alpine', 'Ubuntu', 'Red Hat', 'AlmaLinux', 'Rocky Linux', 'npm', 'PyPI', 'Go', 'Maven'];
/** npm's all.zip is a few hundred MiB; ten times that is not an OSV export. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024;

export interface FetchOptions {
  baseUrl: string;
  /** where the zips are written */
  dir?: string;
  maxBytes: number;
  /** for the answer, and for any pause while the body streams */
  timeoutMs: number;
}

export type Download = { ecosystem: string; url: string; ok: true; file: string; bytes: number } | { ecosystem: string; url: string; ok: false; reason: string };

export function ecosystemZipUrl(baseUrl: string, ecosystem: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
}

/** A zip starts with a local file header, or (empty) with the end-of-central-directory record. */
function looksLikeZip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return n === 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
  } finally {
    closeSync(fd);
  }
}

async function download(url: string, file: string, options: FetchOptions): Promise<number> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
  };
  arm();
  const out = createWriteStream(file);
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      throw new Error(timedOut ? `no answer within ${options.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message));
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new Error('not found (404): no such ecosystem at this address');
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`the server answered ${res.status} ${res.statusText}`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > options.maxBytes) {
      await res.body?.cancel();
      throw new Error(`${declared} bytes announced, more than the limit of ${options.maxBytes}`);
    }
    let size = 0;
    try {
      for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        arm();
        size += chunk.length;
        if (size > options.maxBytes) {
          controller.abort();
          throw new Error(`more than the limit of ${options.maxBytes} bytes; abandoned`);
        }
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } catch (e) {
      if (timedOut) throw new Error(`no data for ${options.timeoutMs} ms after ${size} bytes; abandoned`);
      throw e;
    }
    if (declared > 0 && size !== declared) throw new Error(`cut short: ${size} of ${declared} bytes`);
    return size;
  } finally {
    clearTimeout(timer);
    out.end();
    await once(out, 'close').catch(() => undefined);
  }
}

/** Download each ecosystem's all.zip; one failure does not stop the others. */
export async function fetchEcosystems(ecosystems: readonly string[], options: FetchOptions): Promise<Download[]> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'kubemoat-osv-'));
  const results: Download[] = [];
  for (const ecosystem of ecosystems) {
    const url = ecosystemZipUrl(options.baseUrl, ecosystem);
    const file = join(dir, `${ecosystem.replace(/[^\w.-]/g, '_')}-all.zip`);
    try {
      const bytes = await download(url, file, options);
      if (!looksLikeZip(file)) throw new Error(`not a zip file (${bytes} bytes that do not start like one)`);
      results.push({ ecosystem, url, ok: true, file, bytes });
    } catch (e) {
      results.push({ ecosystem, url, ok: false, reason: (e as Error).message });
    }
  }
  return results;
}
