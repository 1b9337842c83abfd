// The server backend: one PostgreSQL connection through pg. Statements are serialised on it; a
// batch insert is a few multi-row INSERTs (named, so the server plans each shape once).
// Numbers come back as numbers and times as ISO strings, the way the SQLite backend returns them.

import pg from 'pg';
import { StoreError } from './errors.js';
import { redact } from './location.js';
import { SerialDatabase, conflictSql, type Database, type OnConflict, type Sql, type SqlResult, type SqlValue } from './sql.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** parameters in one INSERT (the protocol allows 65535) */
const MAX_PARAMS = 30_000;

const OID = { int8: 20, numeric: 1700, timestamptz: 1184 } as const;

function typeParsers(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(OID.int8, (v: string) => Number(v));
  types.setTypeParser(OID.numeric, (v: string) => Number(v));
  types.setTypeParser(OID.timestamptz, (v: string) => new Date(v).toISOString());
  return types;
}

/** `?` placeholders (the store writes none inside string literals) as PostgreSQL's `$1, $2…`. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export async function openPostgres(url: string, name: string, password: string | undefined): Promise<Database> {
  const client = new pg.Client({ connectionString: url, types: typeParsers(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'kubemoat' });
  const broken: { error?: Error } = {};
  // a server that goes away between statements: remembered, and said by the next statement
  client.on('error', (e) => (broken.error = e));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new StoreError(`store ${name}: cannot connect: ${redact(messageOf(e), [password])}`);
  }
  const raw = new PostgresSql(client, broken);
  return new SerialDatabase(name, {
    raw,
    begin: () => raw.exec('BEGIN'),
    commit: () => raw.exec('COMMIT'),
    rollback: () => raw.exec('ROLLBACK').catch(() => undefined),
    close: () => client.end().catch(() => undefined),
  });
}

function messageOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors.map((x: unknown) => messageOf(x)).join('; ');
  const m = e instanceof Error ? e.message : String(e);
  return m === '' && e instanceof Error && 'code' in e ? String(e.code) : m;
}

class PostgresSql implements Sql {
  readonly dialect = 'postgres' as const;

  constructor(private readonly client: pg.Client, private readonly broken: { error?: Error }) {}

  private async query(sql: string, params: readonly SqlValue[], name?: string): Promise<pg.QueryResult> {
    if (this.broken.error) throw this.broken.error;
    return this.client.query({ text: numberedPlaceholders(sql), values: [...params], ...(name ? { name } : {}) });
  }

  async all<T extends Record<string, SqlResult>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflict: OnConflict = { type: 'skip' }): Promise<void> {
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ${conflictSql(table, onConflict)}`;
      await this.query(sql, chunk.flat(), `kubemoat_insert_${table}_${columns.length}_${chunk.length}_${onConflict.type}`);
    }
  }

  async exec(script: string): Promise<void> {
    if (this.broken.error) throw this.broken.error;
    await this.client.query(script);
  }
}
