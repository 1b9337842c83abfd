// A real registry for the image tests: Debian's `docker-registry` (distribution 2.8) started on
// 127.0.0.1 with basic auth (htpasswd) or token auth (a Bearer token service run here that signs
// ES256 JWTs with a certificate the registry trusts). Stopped by the caller.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface TestRegistry {
  host: string;
  user: string;
  password: string;
  /** requests the token service answered, to prove the Bearer flow ran */
  tokensIssued(): number;
  stop(): Promise<void>;
}

export const REGISTRY_USER = 'kmtest';
export const REGISTRY_PASSWORD = 'kmtest-secret-pw';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

async function answers(url: string, netns: string | undefined): Promise<boolean> {
  if (netns === undefined) {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await r.body?.cancel();
    return true;
  }
  await promisify(execFile)('ip', ['netns', 'exec', netns, 'curl', '-s', '-o', '/dev/null', '-m', '1', url]);
  return true;
}

async function waitFor(url: string, child: ChildProcess, log: () => string, netns?: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    try {
      if (await answers(url, netns)) return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`docker-registry did not answer on ${url}: ${log()}`);
}

/**
 * Start a registry on 127.0.0.1, or on the loopback of a network namespace the lab made (`netns`;
 * token auth needs the token service beside it, so only 'none' and 'basic' there).
 */
export async function startRegistry(auth: RegistryAuth, netns?: string): Promise<TestRegistry> {
  if (netns !== undefined && auth === 'token') throw new Error('token auth is only served in the root namespace');
  const dir = mkdtempSync(join(tmpdir(), 'km-registry-'));
  const port = await freePort();
  let tokenServer: Server | undefined;
  let issued = 0;
  let authConfig = '';
  if (auth === 'basic') {
    const hash = execFileSync('python3', ['-W', 'ignore', '-c', `import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))`, REGISTRY_PASSWORD], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'htpasswd'), `${REGISTRY_USER}:${hash}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: kubemoat-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'token.key'), '-out', join(dir, 'token.crt'), '-days', '2', '-subj', '/CN=kubemoat-test-token-signer'], { stdio: 'ignore' });
    const key = createPrivateKey(readFileSync(join(dir, 'token.key')));
    const certDer = new X509Certificate(readFileSync(join(dir, 'token.crt'))).raw;
    const tokenPort = await freePort();
    tokenServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString() : '';
      if (basic !== `${REGISTRY_USER}:${REGISTRY_PASSWORD}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      const access = url.searchParams.getAll('scope').flatMap((s) => {
        const [type, name, actions] = s.split(':');
        return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
      });
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] }));
      const claims = b64url(JSON.stringify({ iss: 'kubemoat-test', sub: REGISTRY_USER, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
      const sig = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
      issued++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${header}.${claims}.${b64url(sig)}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => tokenServer!.listen(tokenPort, '127.0.0.1', r));
    authConfig = `auth:\n  token:\n    realm: http://127.0.0.1:${tokenPort}/token\n    service: kubemoat-registry\n    issuer: kubemoat-test\n    rootcertbundle: ${join(dir, 'token.crt')}\n`;
  }
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${authConfig}`,
  );
  let output = '';
  const argv = ['docker-registry', 'serve', join(dir, 'config.yml')];
  const child = netns === undefined ? spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  await waitFor(`http://127.0.0.1:${port}/v2/`, child, () => output, netns);
  return {
    host: `127.0.0.1:${port}`,
    user: REGISTRY_USER,
    password: REGISTRY_PASSWORD,
    tokensIssued: () => issued,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      if (tokenServer) await new Promise((r) => tokenServer!.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Push an OCI layout's tagged image with skopeo (plain HTTP to the loopback registry). Async: the token service answers from this process. */
export async function pushWithSkopeo(layoutDir: string, tag: string, registry: TestRegistry, repo: string, destTag = tag, auth = true, netns?: string): Promise<void> {
  try {
    await promisify(execFile)(
      netns === undefined ? 'skopeo' : 'ip',
      [...(netns === undefined ? [] : ['netns', 'exec', netns, 'skopeo']), 'copy', '--quiet', '--dest-tls-verify=false', ...(auth ? ['--dest-creds', `${registry.user}:${registry.password}`] : []), `oci:${layoutDir}:${tag}`, `docker://${registry.host}/${repo}:${destTag}`],
      { timeout: 180_000, encoding: 'utf8' },
    );
  } catch (e) {
    throw new Error(`skopeo copy oci:${layoutDir}:${tag} to ${registry.host}/${repo}:${destTag} failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
}

/** Run the built CLI without blocking this process (the token service must keep answering). */
export async function runCliAsync(cli: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}
