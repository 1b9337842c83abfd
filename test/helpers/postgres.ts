// A real PostgreSQL server (Debian's, installed by lab/setup.d/50-postgres.sh) for one test file:
// initdb into a temporary directory, run as the postgres user when the tests run as root (initdb
// refuses root), listening on 127.0.0.1 on a free port and on a unix socket in that directory.
// TCP logins need the password (scram-sha-256), so errors that could show it are real ones.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeTcpPort } from './net.js';

export interface Postgres {
  port: number;
  user: string;
  password: string;
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DB */
  url(database: string): string;
  /** a new, empty database; its URL */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'kubemoat';

/** The newest PostgreSQL of /usr/lib/postgresql that has a server. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}: run lab/setup.d/50-postgres.sh (npm run setup)`);
  return join(root, versions[0], 'bin');
}

/** uid and gid of the postgres user when running as root; undefined otherwise (run as ourselves). */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error('running as root, and there is no postgres user to run the server as (the postgresql package creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function ready(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (child.exitCode !== null || Date.now() > end) throw new Error(`PostgreSQL did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PostgresOptions {
  /** write to disk as a real server does (benchmarks); tests leave it off */
  fsync?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-pg-'));
  const password = `pw-${Math.random().toString(36).slice(2)}-s3cret`;
  writeFileSync(join(dir, 'pwfile'), `${password}\n`);
  if (account) {
    chownSync(dir, account.uid, account.gid);
    chownSync(join(dir, 'pwfile'), account.uid, account.gid);
  }
  const as = account ? { uid: account.uid, gid: account.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', USER, `--pwfile=${join(dir, 'pwfile')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], { ...as, cwd: dir, encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error?.message}`);
  }
  const port = await freeTcpPort();
  // fsync off by default: the tests kill clients, never the machine, and a committed row is in the server either way
  const child = spawn(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', `fsync=${options.fsync ? 'on' : 'off'}`, '-c', 'max_connections=50'], { ...as, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = (database: string): string => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  try {
    await ready(url('postgres'), child, () => log);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    user: USER,
    password,
    url,
    createDatabase: async (name) => {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // fast shutdown: clients are disconnected, nothing waits for them
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
