// Bringing a store to the schema this kubemoat writes: the missing migrations, in order, in one
// transaction that concurrent openers take turns at (SQLite's write lock; a PostgreSQL advisory
// lock), so two processes opening a new store at once do not both create it.

import { StoreError } from './errors.js';
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE, migrationSql, type Migration } from './migrations.js';
import type { Database, Sql } from './sql.js';

/** a PostgreSQL advisory lock id of kubemoat's own, held by the migrating transaction */
const MIGRATION_LOCK = 17_170_017;

async function hasVersionTable(sql: Sql): Promise<boolean> {
  const rows = sql.dialect === 'sqlite'
    ? await sql.all<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    : await sql.all<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'");
  return rows[0].n > 0;
}

export async function schemaVersion(sql: Sql): Promise<number> {
  if (!(await hasVersionTable(sql))) return 0;
  const rows = await sql.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return rows[0].v ?? 0;
}

/** Apply what `migrations` has beyond the store's version; the versions before and after. */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  const latest = migrations.at(-1)?.version ?? 0;
  const tooNew = (v: number): StoreError => new StoreError(`store ${db.name}: its schema is version ${v}, newer than this kubemoat knows (${latest}); use a newer kubemoat`);
  const seen = await schemaVersion(db);
  if (seen > latest) throw tooNew(seen);
  if (seen === latest) return { from: seen, to: seen };
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(CAST(? AS BIGINT)) AS locked', [MIGRATION_LOCK]);
    await tx.exec(SCHEMA_MIGRATIONS_TABLE(tx.dialect));
    // another process may have migrated while this one waited for the lock
    const from = await schemaVersion(tx);
    if (from > latest) throw tooNew(from);
    for (const m of migrations.filter((x) => x.version > from)) {
      await tx.exec(migrationSql(m, tx.dialect));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
    }
    return { from, to: latest };
  });
}
