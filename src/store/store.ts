// The history store: every run of kubemoat (its kind, scope, counts), the findings it saw keyed by
// fingerprint, and the alerts detect raised. A sink after the reporters: it never changes a finding.
// Each finding's state is relative to the previous complete run of the same kind and scope: new,
// still open, suppressed; what that run had and this one has not is fixed. States and diffs are
// worked out here from the two runs' fingerprints (one indexed read of each), not by joins whose
// plan depends on the server's statistics of a run it has just been handed.

import { SEVERITIES, severityRank, type Finding, type Severity } from '../core/finding.js';
import type { JsonValue } from '../core/json.js';
import type { Alert } from '../detect/alert.js';
import { StoreError } from './errors.js';
import { describeStore, parseStoreLocation, redact, type StoreLocation } from './location.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { RunRef } from './refs.js';
import { migrate } from './schema.js';
import { truthy, type Database, type OnConflict, type Sql, type SqlResult, type SqlValue } from './sql.js';

export const RUN_KINDS = ['scan', 'cluster', 'node', 'probe', 'images', 'detect'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export type RunStatus = 'running' | 'complete' | 'incomplete';

/** Runs of one kind over one scope are compared with each other. */
export interface Series {
  kind: RunKind;
  /** what was looked at: manifest paths, a cluster, a node, probe targets, images, detect inputs */
  scope: string;
}

export interface RunStart extends Series {
  /** the report's `target`, kept as JSON */
  target: unknown;
  toolVersion: string;
  startedAt: string;
}

export interface RunRecord extends Series {
  id: number;
  /** the report's target */
  target: JsonValue;
  toolVersion: string;
  startedAt: string;
  finishedAt?: string;
  status: RunStatus;
  /** the run this one's states are relative to */
  previousRunId?: number;
  /** findings not suppressed, and alerts, by severity */
  bySeverity: Record<Severity, number>;
  suppressed: number;
  newCount: number;
  fixedCount: number;
}

export type FindingState = 'new' | 'open' | 'suppressed';

export interface StoredFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  namespace?: string;
  /** `Kind/name [container]` */
  resource?: string;
  /** `file:line:column`, or the endpoint probed */
  location?: string;
  message: string;
  suppressed: boolean;
  /** against the run's previous run; absent while the run is running, and in diffs */
  state?: FindingState;
}

export interface RunDiff {
  from: RunRecord;
  to: RunRecord;
  /** in `to`, not in `from` (or suppressed there) */
  new: StoredFinding[];
  /** in `from`, gone from `to` */
  fixed: StoredFinding[];
  /** in both */
  open: StoredFinding[];
  /** suppressed in `to` */
  suppressed: StoredFinding[];
}

export interface RunFilter {
  kind?: RunKind;
  /** this scope exactly */
  scope?: string;
  /** scopes containing this text */
  scopeContains?: string;
  /** ISO time: runs started at or after it */
  since?: string;
  limit?: number;
}

export type TrendKey = 'namespace' | 'rule';

export interface TrendCell {
  runId: number;
  /** the namespace ('' for cluster-scoped and non-Kubernetes findings) or rule id */
  key: string;
  count: number;
}

export interface OpenOptions {
  /** create the store when it does not exist (writers); readers want an error instead */
  create: boolean;
  /** migrate only this far (tests of the upgrade path) */
  migrations?: readonly Migration[];
}

const RUN_COLUMNS = 'id, kind, scope, target, tool_version, started_at, finished_at, status, previous_run_id, critical, high, medium, low, info, suppressed, new_count, fixed_count';
const FINDING_COLUMNS = ['run_id', 'fingerprint', 'rule_id', 'severity', 'namespace', 'resource', 'location', 'message', 'suppressed'] as const;
const ALERT_COLUMNS = ['run_id', 'seq', 'rule_id', 'severity', 'source', 'event_time', 'detected_at', 'namespace', 'subject', 'message', 'body'] as const;
const COUNT_COLUMNS = ['run_id', 'dimension', 'item', 'severity', 'n'] as const;
const ADD_COUNTS: OnConflict = { type: 'add', key: ['run_id', 'dimension', 'item', 'severity'], column: 'n' };

/** What a trend counts of one finding or alert. */
interface Counted {
  ruleId: string;
  namespace: string | undefined;
  severity: Severity;
}

/** run_counts rows: per namespace and per rule, per severity, how many. */
function countRows(runId: number, counted: Iterable<Counted>): SqlValue[][] {
  const cells = new Map<string, SqlValue[]>();
  const add = (dimension: TrendKey, item: string, severity: Severity): void => {
    const k = `${dimension}\0${item}\0${severity}`;
    const cell = cells.get(k);
    if (cell) cell[4] = Number(cell[4]) + 1;
    else cells.set(k, [runId, dimension, item, severity, 1]);
  };
  for (const c of counted) {
    add('namespace', c.namespace ?? '', c.severity);
    add('rule', c.ruleId, c.severity);
  }
  return [...cells.values()];
}

type Row = Record<string, SqlResult>;

function text(v: SqlResult): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

function runRecord(r: Row): RunRecord {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, Number(r[s])])) as Record<Severity, number>;
  const finishedAt = text(r.finished_at);
  const previous = r.previous_run_id;
  return {
    id: Number(r.id),
    kind: String(r.kind) as RunKind,
    scope: String(r.scope),
    target: JSON.parse(String(r.target)) as JsonValue,
    toolVersion: String(r.tool_version),
    startedAt: String(r.started_at),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    status: String(r.status) as RunStatus,
    ...(previous !== null && previous !== undefined ? { previousRunId: Number(previous) } : {}),
    bySeverity,
    suppressed: Number(r.suppressed),
    newCount: Number(r.new_count),
    fixedCount: Number(r.fixed_count),
  };
}

function storedFinding(r: Row): StoredFinding {
  const namespace = text(r.namespace);
  const resource = text(r.resource);
  const location = text(r.location);
  return {
    fingerprint: String(r.fingerprint),
    ruleId: String(r.rule_id),
    severity: String(r.severity) as Severity,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...(location !== undefined ? { location } : {}),
    message: String(r.message),
    suppressed: truthy(r.suppressed),
  };
}

/** Most severe first, then by rule, resource and place: the order every list of stored findings has. */
export function sortStored(list: StoredFinding[]): StoredFinding[] {
  // each finding's key is made once, not at every comparison (diffs sort hundreds of thousands)
  const keyed = list.map((f) => ({ f, rank: severityRank(f.severity), key: `${f.ruleId} ${f.resource ?? ''} ${f.location ?? ''}` }));
  keyed.sort((a, b) => b.rank - a.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.f);
}

export function findingRow(runId: number, f: Finding): SqlValue[] {
  const r = f.resource;
  const resource = r ? `${r.kind}/${r.name}${r.container ? ` [${r.container}]` : ''}` : null;
  const endpoint = f.endpoint ? ('url' in f.endpoint ? f.endpoint.url : `${f.endpoint.host}:${f.endpoint.port}`) : null;
  const location = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : endpoint;
  return [runId, f.fingerprint, f.ruleId, f.severity, r?.namespace ?? null, resource, location, f.message, f.suppressed ? 1 : 0];
}

/** Where a stored finding is, read back from the columns findingRow wrote (a resource's apiVersion is not kept). */
export function storedPlace(s: Pick<StoredFinding, 'resource' | 'namespace' | 'location'>): Pick<Finding, 'resource' | 'location' | 'endpoint'> {
  const r = s.resource !== undefined ? /^([^/]+)\/(.*?)(?: \[(.+)\])?$/.exec(s.resource) : null;
  const at = s.location !== undefined ? /^(.*):(\d+):(\d+)$/.exec(s.location) : null;
  return {
    ...(r ? { resource: { apiVersion: '', kind: r[1], name: r[2], ...(s.namespace ? { namespace: s.namespace } : {}), ...(r[3] ? { container: r[3] } : {}) } } : {}),
    ...(at ? { location: { file: at[1], line: Number(at[2]), column: Number(at[3]) } } : s.location !== undefined && URL.canParse(s.location) ? { endpoint: { url: s.location } } : {}),
  };
}

function alertNamespace(a: Alert): string | undefined {
  return a.source === 'audit' ? a.what.namespace : a.container?.namespace;
}

function alertRow(runId: number, seq: number, a: Alert): SqlValue[] {
  const namespace = alertNamespace(a);
  const subject = a.source === 'audit' ? a.who.user : a.container ? `${a.container.namespace}/${a.container.pod}/${a.container.name}` : `node ${a.node}`;
  return [runId, seq, a.ruleId, a.severity, a.source, a.time || null, a.detectedAt, namespace ?? null, subject, a.message, JSON.stringify(a)];
}

/** The dialect's "the text contains this" (no LIKE: a scope may hold % and _). */
function containsSql(sql: Sql, column: string): string {
  return sql.dialect === 'sqlite' ? `instr(${column}, ?) > 0` : `strpos(${column}, ?) > 0`;
}

/** The fingerprints of a run's findings that are not suppressed. */
async function activeFingerprints(sql: Sql, runId: number): Promise<Set<string>> {
  const rows = await sql.all<{ fingerprint: string }>('SELECT fingerprint FROM run_findings WHERE run_id = ? AND NOT suppressed', [runId]);
  return new Set(rows.map((r) => r.fingerprint));
}

function stateOf(f: { fingerprint: string; suppressed: boolean }, activeBefore: ReadonlySet<string>): FindingState {
  return f.suppressed ? 'suppressed' : activeBefore.has(f.fingerprint) ? 'open' : 'new';
}

export class HistoryStore {
  private constructor(private readonly db: Database, private readonly secret: string | undefined) {}

  /** The store at `location` (see location.ts), migrated to the schema this kubemoat writes. */
  static async open(location: string | StoreLocation, options: OpenOptions): Promise<HistoryStore> {
    const where = typeof location === 'string' ? parseStoreLocation(location) : location;
    const secret = where.backend === 'postgres' ? where.password : undefined;
    const name = describeStore(where);
    let db: Database;
    if (where.backend === 'sqlite') db = (await import('./sqlite.js')).openSqlite(where.path, { create: options.create });
    else db = await (await import('./postgres.js')).openPostgres(where.url, name, secret);
    const store = new HistoryStore(db, secret);
    try {
      await store.guard('cannot bring its schema up to date', () => migrate(db, options.migrations ?? MIGRATIONS));
    } catch (e) {
      await db.close();
      throw e;
    }
    return store;
  }

  /** the store as messages name it (password redacted) */
  get name(): string {
    return this.db.name;
  }

  /** for the tests of the upgrade path: statements on the store itself */
  get sql(): Sql {
    return this.db;
  }

  /** Errors of the database as StoreErrors naming the store, password redacted. */
  private async guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`store ${this.db.name}: ${doing}: ${redact(e instanceof Error ? e.message : String(e), [this.secret])}`);
    }
  }

  async beginRun(start: RunStart): Promise<RunWriter> {
    const rows = await this.guard('cannot record the run', () =>
      this.db.all<{ id: number }>("INSERT INTO runs (kind, scope, target, tool_version, started_at, status) VALUES (?, ?, ?, ?, ?, 'running') RETURNING id", [
        start.kind,
        start.scope,
        JSON.stringify(start.target ?? null),
        start.toolVersion,
        start.startedAt,
      ]),
    );
    return new RunWriter(this.db, Number(rows[0].id), start, (doing, work) => this.guard(doing, work));
  }

  /** The filter as SQL conditions and their parameters. */
  private conditions(filter: RunFilter): { where: string[]; params: SqlValue[] } {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (condition: string, value: SqlValue): void => {
      where.push(condition);
      params.push(value);
    };
    if (filter.kind !== undefined) add('kind = ?', filter.kind);
    if (filter.scope !== undefined) add('scope = ?', filter.scope);
    if (filter.scopeContains !== undefined) add(containsSql(this.db, 'scope'), filter.scopeContains);
    if (filter.since !== undefined) add('started_at >= ?', filter.since);
    return { where, params };
  }

  /** Runs matching the filter, newest first. */
  async runs(filter: RunFilter = {}): Promise<RunRecord[]> {
    const { where, params } = this.conditions(filter);
    const sql = `SELECT ${RUN_COLUMNS} FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (await this.guard('cannot list runs', () => this.db.all(sql, [...params, filter.limit ?? 1_000_000]))).map(runRecord);
  }

  async run(id: number): Promise<RunRecord | undefined> {
    const rows = await this.guard('cannot read a run', () => this.db.all(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, [id]));
    return rows.length ? runRecord(rows[0]) : undefined;
  }

  /**
   * The run a reference names: an id (which must exist), or the newest finished run matching the
   * filter (`latest`), or the one `back` before it; undefined when there is none.
   */
  async resolve(ref: RunRef, filter: RunFilter = {}): Promise<RunRecord | undefined> {
    if (ref.type === 'id') {
      const run = await this.run(ref.id);
      if (run === undefined) throw new StoreError(`store ${this.db.name}: no run ${ref.id}`);
      return run;
    }
    const { where, params } = this.conditions(filter);
    const sql = `SELECT ${RUN_COLUMNS} FROM runs WHERE ${["status <> 'running'", ...where].join(' AND ')} ORDER BY id DESC LIMIT 1 OFFSET ?`;
    const rows = await this.guard('cannot find the run', () => this.db.all(sql, [...params, ref.back]));
    return rows.length ? runRecord(rows[0]) : undefined;
  }

  /** The run's findings as stored, in no particular order. */
  private async rows(runId: number): Promise<StoredFinding[]> {
    const rows = await this.guard('cannot read findings', () => this.db.all('SELECT * FROM run_findings WHERE run_id = ?', [runId]));
    return rows.map(storedFinding);
  }

  /** What the run saw, suppressed findings too, each with its state once the run is finished. */
  async findings(runId: number): Promise<StoredFinding[]> {
    const run = await this.run(runId);
    const list = await this.rows(runId);
    if (run === undefined || run.status === 'running') return sortStored(list);
    const previous = run.previousRunId;
    const before = previous === undefined ? new Set<string>() : await this.guard('cannot read findings', () => activeFingerprints(this.db, previous));
    return sortStored(list.map((f) => ({ ...f, state: stateOf(f, before) })));
  }

  /** What the previous run had and this one has not. */
  async fixed(runId: number): Promise<StoredFinding[]> {
    const rows = await this.guard('cannot read findings', () =>
      this.db.all(
        `SELECT p.* FROM run_fixed x JOIN runs r ON r.id = x.run_id JOIN run_findings p ON p.run_id = r.previous_run_id AND p.fingerprint = x.fingerprint WHERE x.run_id = ?`,
        [runId],
      ),
    );
    return sortStored(rows.map(storedFinding));
  }

  async fingerprints(runId: number): Promise<Set<string>> {
    const rows = await this.guard('cannot read findings', () => this.db.all<{ fingerprint: string }>('SELECT fingerprint FROM run_findings WHERE run_id = ?', [runId]));
    return new Set(rows.map((r) => r.fingerprint));
  }

  async alerts(runId: number): Promise<Alert[]> {
    const rows = await this.guard('cannot read alerts', () => this.db.all<{ body: string }>('SELECT body FROM run_alerts WHERE run_id = ? ORDER BY seq', [runId]));
    return rows.map((r) => JSON.parse(r.body) as Alert);
  }

  async diff(from: RunRecord, to: RunRecord): Promise<RunDiff> {
    const before = await this.rows(from.id);
    const after = await this.rows(to.id);
    const activeBefore = new Set(before.filter((f) => !f.suppressed).map((f) => f.fingerprint));
    const seenAfter = new Set(after.map((f) => f.fingerprint));
    const activeAfter = after.filter((f) => !f.suppressed);
    return {
      from,
      to,
      new: sortStored(activeAfter.filter((f) => !activeBefore.has(f.fingerprint))),
      fixed: sortStored(before.filter((f) => !f.suppressed && !seenAfter.has(f.fingerprint))),
      open: sortStored(activeAfter.filter((f) => activeBefore.has(f.fingerprint))),
      suppressed: sortStored(after.filter((f) => f.suppressed)),
    };
  }

  /** Findings not suppressed, and alerts, at or above `minimum`, counted per run and namespace or rule. */
  async trend(runIds: readonly number[], by: TrendKey, minimum: Severity): Promise<TrendCell[]> {
    if (runIds.length === 0) return [];
    const severities = SEVERITIES.filter((s) => severityRank(s) >= severityRank(minimum));
    const sql = `SELECT run_id, item, SUM(n) AS n FROM run_counts WHERE run_id IN (${runIds.map(() => '?').join(', ')}) AND dimension = ? AND severity IN (${severities.map(() => '?').join(', ')}) GROUP BY run_id, item`;
    const rows = await this.guard('cannot count findings', () => this.db.all<{ run_id: number; item: string; n: number }>(sql, [...runIds, by, ...severities]));
    return rows.map((r) => ({ runId: Number(r.run_id), key: r.item, count: Number(r.n) }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * One run being recorded: findings and alerts go in as they come, each batch in a transaction of
 * its own (so whatever was added before a crash is kept), then `finish` works out the states.
 */
export class RunWriter {
  private nextSeq = 1;
  private finished = false;
  /** what this run has recorded, the first of each fingerprint (as the table keeps it) */
  private readonly seen = new Map<string, Counted & { suppressed: boolean }>();

  constructor(
    private readonly db: Database,
    readonly id: number,
    readonly series: Series,
    private readonly guard: <T>(doing: string, work: () => Promise<T>) => Promise<T>,
  ) {}

  async addFindings(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    // in key order, rows go in at the end of the table's (and index's) pages instead of all over them
    const rows = [...findings].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)).map((f) => findingRow(this.id, f));
    await this.guard('cannot record findings', () => this.db.insertRows('run_findings', FINDING_COLUMNS, rows));
    for (const f of findings) {
      if (!this.seen.has(f.fingerprint)) this.seen.set(f.fingerprint, { ruleId: f.ruleId, namespace: f.resource?.namespace, severity: f.severity, suppressed: f.suppressed !== undefined });
    }
  }

  /** The alerts, and their counts (the run's per severity, per namespace and rule), in one transaction. */
  async addAlerts(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const first = this.nextSeq;
    this.nextSeq += alerts.length;
    const bump = SEVERITIES.map((s) => alerts.filter((a) => a.severity === s).length);
    await this.guard('cannot record alerts', () =>
      this.db.transaction(async (tx) => {
        await tx.insertRows('run_alerts', ALERT_COLUMNS, alerts.map((a, i) => alertRow(this.id, first + i, a)));
        await tx.run(`UPDATE runs SET ${SEVERITIES.map((s) => `${s} = ${s} + ?`).join(', ')} WHERE id = ?`, [...bump, this.id]);
        await tx.insertRows('run_counts', COUNT_COLUMNS, countRows(this.id, alerts.map((a) => ({ ruleId: a.ruleId, namespace: alertNamespace(a), severity: a.severity }))), ADD_COUNTS);
      }),
    );
  }

  /** Compared with the previous complete run of the series: counts, what is fixed, and the final status. */
  async finish(status: Exclude<RunStatus, 'running'>, finishedAt = new Date().toISOString()): Promise<RunRecord> {
    if (this.finished) throw new Error(`run ${this.id} is already finished`);
    this.finished = true;
    return this.guard('cannot finish the run', () => this.db.transaction((tx) => this.settle(tx, status, finishedAt)));
  }

  private async settle(tx: Sql, status: Exclude<RunStatus, 'running'>, finishedAt: string): Promise<RunRecord> {
    const previous = (await tx.all<{ id: number }>("SELECT id FROM runs WHERE kind = ? AND scope = ? AND id < ? AND status = 'complete' ORDER BY id DESC LIMIT 1", [this.series.kind, this.series.scope, this.id]))[0]?.id;
    const before = previous === undefined ? new Set<string>() : await activeFingerprints(tx, previous);
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    let suppressed = 0;
    let fresh = 0;
    for (const [fingerprint, f] of this.seen) {
      const state = stateOf({ fingerprint, suppressed: f.suppressed }, before);
      if (state === 'suppressed') suppressed++;
      else bySeverity[f.severity]++;
      if (state === 'new') fresh++;
    }
    // a run that saw only part of its target cannot tell fixed from not seen
    const fixed = status === 'complete' ? [...before].filter((fp) => !this.seen.has(fp)) : [];
    await tx.insertRows('run_fixed', ['run_id', 'fingerprint'], fixed.map((fp) => [this.id, fp]));
    await tx.insertRows('run_counts', COUNT_COLUMNS, countRows(this.id, [...this.seen.values()].filter((f) => !f.suppressed)), ADD_COUNTS);
    await tx.run(
      `UPDATE runs SET status = ?, finished_at = ?, previous_run_id = ?, ${SEVERITIES.map((s) => `${s} = ${s} + ?`).join(', ')}, suppressed = ?, new_count = ?, fixed_count = ? WHERE id = ?`,
      [status, finishedAt, previous ?? null, ...SEVERITIES.map((s) => bySeverity[s]), suppressed, fresh, fixed.length, this.id],
    );
    return runRecord((await tx.all(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, [this.id]))[0]);
  }
}
