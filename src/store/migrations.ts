// The store's schema, as an ordered list of migrations. A store records the versions it has in
// schema_migrations; opening it applies the missing ones in one transaction. Never edit a migration
// that has shipped: add the next one. Each is one text with the few types that differ per dialect
// named, so the two backends cannot drift apart.

import type { Dialect } from './sql.js';

interface DialectTypes {
  /** an auto-numbered primary key */
  id: string;
  /** a 64-bit reference to one */
  ref: string;
  time: string;
  bool: string;
  /** after a table keyed by its primary key alone: SQLite keeps its rows in that key's order */
  clustered: string;
}

const TYPES: Record<Dialect, DialectTypes> = {
  sqlite: { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', ref: 'INTEGER', time: 'TEXT', bool: 'INTEGER', clustered: ' WITHOUT ROWID' },
  postgres: { id: 'BIGSERIAL PRIMARY KEY', ref: 'BIGINT', time: 'TIMESTAMPTZ', bool: 'BOOLEAN', clustered: '' },
};

export interface Migration {
  version: number;
  name: string;
  sql(types: DialectTypes): string;
}

export function migrationSql(m: Migration, dialect: Dialect): string {
  return m.sql(TYPES[dialect]);
}

export const SCHEMA_MIGRATIONS_TABLE = (dialect: Dialect): string =>
  `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${TYPES[dialect].time} NOT NULL)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs and their findings',
    // a finding's state (new, open, suppressed) follows from previous_run_id and is not stored;
    // run_fixed: fingerprints of the previous run's findings that this run no longer has
    sql: (t) => `
      CREATE TABLE runs (
        id ${t.id},
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        target TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        started_at ${t.time} NOT NULL,
        finished_at ${t.time},
        status TEXT NOT NULL,
        previous_run_id ${t.ref} REFERENCES runs(id) ON DELETE SET NULL,
        critical INTEGER NOT NULL DEFAULT 0,
        high INTEGER NOT NULL DEFAULT 0,
        medium INTEGER NOT NULL DEFAULT 0,
        low INTEGER NOT NULL DEFAULT 0,
        info INTEGER NOT NULL DEFAULT 0,
        suppressed INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX runs_series ON runs (kind, scope, id);
      CREATE INDEX runs_started ON runs (started_at);
      CREATE TABLE run_findings (
        run_id ${t.ref} NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        namespace TEXT,
        resource TEXT,
        location TEXT,
        message TEXT NOT NULL,
        suppressed ${t.bool} NOT NULL,
        PRIMARY KEY (run_id, fingerprint)
      )${t.clustered};
      CREATE TABLE run_fixed (
        run_id ${t.ref} NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        PRIMARY KEY (run_id, fingerprint)
      )${t.clustered};`,
  },
  {
    version: 2,
    name: 'detect alerts; per run: new and fixed counts, counts per namespace and rule',
    // history lists new/fixed per run, and trends per namespace and rule, from a few rows per run
    // instead of every finding of every run; runs recorded before this version are counted once, here
    sql: (t) => `
      CREATE TABLE run_alerts (
        run_id ${t.ref} NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        rule_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        source TEXT NOT NULL,
        event_time ${t.time},
        detected_at ${t.time} NOT NULL,
        namespace TEXT,
        subject TEXT,
        message TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE run_counts (
        run_id ${t.ref} NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        dimension TEXT NOT NULL,
        item TEXT NOT NULL,
        severity TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (run_id, dimension, item, severity)
      )${t.clustered};
      INSERT INTO run_counts (run_id, dimension, item, severity, n)
        SELECT run_id, 'namespace', COALESCE(namespace, ''), severity, COUNT(*) FROM run_findings WHERE NOT suppressed GROUP BY run_id, COALESCE(namespace, ''), severity;
      INSERT INTO run_counts (run_id, dimension, item, severity, n)
        SELECT run_id, 'rule', rule_id, severity, COUNT(*) FROM run_findings WHERE NOT suppressed GROUP BY run_id, rule_id, severity;
      ALTER TABLE runs ADD COLUMN new_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN fixed_count INTEGER NOT NULL DEFAULT 0;
      UPDATE runs SET
        new_count = (SELECT COUNT(*) FROM run_findings f WHERE f.run_id = runs.id AND NOT f.suppressed
          AND NOT EXISTS (SELECT 1 FROM run_findings p WHERE p.run_id = runs.previous_run_id AND p.fingerprint = f.fingerprint AND NOT p.suppressed)),
        fixed_count = (SELECT COUNT(*) FROM run_fixed x WHERE x.run_id = runs.id);`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
