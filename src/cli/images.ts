// `kubemoat images`: vulnerable and untrusted images, offline. Subcommands:
//   images db update [--from FILE|DIR] index OSV records into the local store (fetched when no --from)
//   images db status                   how old the data is
//   images [REF…]                      scan images (registry refs, oci:DIR, oci-archive:FILE,
//                                      docker-archive:FILE), or with no REF every image of the
//                                      live cluster or of --manifests
//   images sbom REF                    CycloneDX for one image

import { Command, Option } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, StoreBuilder, ageInDays, defaultStoreDir } from '../images/osv/store.js';
import { importOsv } from '../images/osv/import.js';
import { DEFAULT_ECOSYSTEMS, DEFAULT_MAX_DOWNLOAD_BYTES, OSV_BUCKET_URL, fetchEcosystems } from '../images/osv/fetch.js';
import { UsageError } from './exit.js';
import { loadConfig, type KubemoatConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { parseCosignPublicKey, type CosignKey, type SignaturePolicy } from '../images/cosign.js';
import type { CoverageGap, Finding } from '../core/finding.js';
import { buildReport } from '../core/report.js';
import { applySuppressions } from '../core/suppression.js';
import { analyse } from '../core/pipeline.js';
import { imageRules } from '../rules/image/index.js';
import { imageScanRulesForReports } from '../images/rules.js';
import { LayerCache } from '../images/image/layer.js';
import { hostPlatform, parsePlatform, type Platform } from '../images/image/manifest.js';
import { credentialsFromDockerConfig, loadDockerConfigCredentials, type Credentials, type RegistryOptions } from '../images/image/registry.js';
import { judge, resolveImage, scanTargets, type ImageResult, type ImagesProgress } from '../images/run.js';
import { scanResolvedImage } from '../images/scan.js';
import { cycloneDx } from '../images/sbom.js';
import { defaultStateFile, loadState, saveState } from '../images/state.js';
import { targetsFromInventory, targetsFromRefs, type ImageTarget } from '../images/targets.js';
import { packagesView, renderPackagesText, renderVulnsText, renderWorkloadsText, vulnsView, workloadsView } from '../images/views.js';
import { loadManifests } from '../sources/manifests/source.js';
import { connect, type ClusterConnection } from '../sources/cluster/connection.js';
import { collectCluster, WORKLOAD_KINDS } from '../sources/cluster/collect.js';
import { clusterProgress } from './cluster.js';
import { addProgressOption, progressLine, type ProgressState } from './progress.js';
import type { Inventory } from '../inventory/inventory.js';
import { asObject, asString, type JsonValue } from '../core/json.js';
import { addReportOptions, type ReportFlags } from './report-options.js';
import { choiceOf, milliseconds, wholeNumber } from './flag-values.js';
import { selectRules } from './rule-selection.js';
import { emit } from './output.js';
import { listScope, manifestsScope } from '../store/record.js';
import type { HistoryStore } from '../store/store.js';
import { addStoreOption, finishRecorded, withStore, type StoreFlags } from './store-options.js';

export const DEFAULT_MAX_DB_AGE_DAYS = 7;

function dbDir(flags: { db?: string }): string {
  return flags.db ?? process.env.KUBEMOAT_DB ?? defaultStoreDir();
}

interface UpdateFlags {
  from?: string[];
  ecosystem?: string;
  url?: string;
  timeout: number;
  maxSize: number;
  db?: string;
}

function updateFromFiles(flags: UpdateFlags, from: string[]): void {
  if (flags.ecosystem !== undefined || flags.url !== undefined) throw new UsageError('--ecosystem and --url say what to fetch; with --from nothing is fetched');
  const builder = new StoreBuilder();
  const started = Date.now();
  const result = importOsv(builder, from);
  for (const p of result.problems) process.stderr.write(`kubemoat: skipped ${p.place}: ${p.reason}\n`);
  if (result.records === 0) throw new UsageError(`no OSV records found in ${from.join(', ')}; the database was left as it was`);
  writeStore(builder, flags, from, result.files, started);
  if (result.problems.length > 0) process.exitCode = 2;
}

function writeStore(builder: StoreBuilder, flags: UpdateFlags, sources: string[], files: number, started: number): void {
  const dir = dbDir(flags);
  const meta = builder.write(dir, sources);
  const ecosystems = Object.entries(meta.ecosystems).map(([k, v]) => `${k} ${v}`).join(', ');
  process.stdout.write(`indexed ${meta.records} advisories for ${meta.packages} packages (${ecosystems}) from ${files} file(s) into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Fetch each ecosystem's all.zip and index them; if any cannot be had, the database is left as it was (a partial one would silently drop an ecosystem). */
async function updateOnline(flags: UpdateFlags): Promise<void> {
  const ecosystems = (flags.ecosystem ?? DEFAULT_ECOSYSTEMS.join(',')).split(',').map((e) => e.trim()).filter(Boolean);
  if (ecosystems.length === 0) throw new UsageError('--ecosystem names no ecosystem');
  const baseUrl = flags.url ?? OSV_BUCKET_URL;
  if (!/^https?:\/\//.test(baseUrl)) throw new UsageError(`--url ${baseUrl}: give an http:// or https:// address`);
  const maxMiB = flags.maxSize;
  const timeoutMs = flags.timeout;
  const started = Date.now();
  process.stderr.write(`kubemoat: fetching OSV data for ${ecosystems.join(', ')} from ${baseUrl}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-osv-'));
  try {
    const downloads = await fetchEcosystems(ecosystems, { baseUrl, dir, maxBytes: maxMiB * 1024 * 1024, timeoutMs });
    const builder = new StoreBuilder();
    const failures: string[] = [];
    let records = 0;
    for (const d of downloads) {
      if (!d.ok) {
        failures.push(`${d.url}: ${d.reason}`);
        continue;
      }
      const result = importOsv(builder, [d.file]);
      for (const p of result.problems) process.stderr.write(`kubemoat: skipped ${p.place.replace(d.file, d.url)}: ${p.reason}\n`);
      if (result.records === 0) failures.push(`${d.url}: no OSV records in it`);
      records += result.records;
      process.stderr.write(`kubemoat: ${d.ecosystem}: ${d.bytes} bytes, ${result.records} records\n`);
    }
    for (const f of failures) process.stderr.write(`kubemoat: ${f}\n`);
    if (failures.length > 0) {
      process.stderr.write(`kubemoat: ${failures.length} of ${ecosystems.length} ecosystem(s) could not be fetched; the database was left as it was\n`);
      process.exitCode = 2;
      return;
    }
    writeStore(builder, flags, downloads.map((d) => d.url), downloads.length, started);
    if (records === 0) process.exitCode = 2;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dbCommand(): Command {
  const db = new Command('db').description('the local vulnerability database (OSV records)');
  db.command('update')
    .description('index OSV records into the local database, replacing what was there: from files (--from: JSON files, per-ecosystem all.zip files, or directories of them), or fetched: each ecosystem\'s all.zip from osv.dev\'s public bucket (or --url, a mirror)')
    .option('--from <path...>', 'OSV JSON files, all.zip files or directories (nothing is fetched)')
    .option('--ecosystem <names>', `ecosystems to fetch, comma-separated, spelled as OSV does (default: ${DEFAULT_ECOSYSTEMS.join(',')})`)
    .option('--url <base>', `where to fetch <base>/<Ecosystem>/all.zip from (default: ${OSV_BUCKET_URL})`)
    .addOption(new Option('--timeout <duration>', 'fetching: timeout for an answer and for any pause in a download (60s; a plain number is milliseconds)').default(60000, '60s').argParser(milliseconds))
    .addOption(new Option('--max-size <MiB>', 'fetching: refuse a file larger than this').default(DEFAULT_MAX_DOWNLOAD_BYTES / 1024 / 1024).argParser(wholeNumber(1)))
    .option('--db <dir>', 'database directory (default: $KUBEMOAT_DB or ~/.cache/kubemoat/osv)')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<UpdateFlags>();
      if (flags.from !== undefined) return updateFromFiles(flags, flags.from);
      return updateOnline(flags);
    });
  db.command('status')
    .description('say what the local database holds and how old its data is')
    .option('--db <dir>', 'database directory (default: $KUBEMOAT_DB or ~/.cache/kubemoat/osv)')
    .addOption(new Option('--max-age <days>', 'data older than this is stale (exit 1)').default(DEFAULT_MAX_DB_AGE_DAYS).argParser(wholeNumber(0)))
    .addOption(new Option('-f, --format <format>', 'output format: table or json').default('table').argParser(choiceOf(['table', 'json'])))
    // the name the status had before every command said -f json: kept working, out of the help
    .addOption(new Option('--json', 'the old name of -f json').hideHelp())
    .action((_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ db?: string; maxAge: number; format: 'table' | 'json'; json?: boolean }>();
      const store = openStore(dbDir(flags));
      const age = ageInDays(store.meta);
      const stale = age > flags.maxAge;
      if (flags.format === 'json' || flags.json === true) {
        process.stdout.write(JSON.stringify({ dir: store.dir, ...store.meta, ageDays: Math.floor(age), stale }, null, 2) + '\n');
      } else {
        process.stdout.write(
          [
            `database:       ${store.dir}`,
            `built:          ${store.meta.builtAt}`,
            `newest record:  ${store.meta.newestRecord || 'unknown'} (${Math.floor(age)} day(s) old${stale ? `, STALE: older than ${flags.maxAge} days` : ''})`,
            `advisories:     ${store.meta.records} for ${store.meta.packages} packages`,
            `ecosystems:     ${Object.entries(store.meta.ecosystems).map(([k, v]) => `${k} ${v}`).join(', ')}`,
            `sources:        ${store.meta.sources.join(', ')}`,
            '',
          ].join('\n'),
        );
      }
      process.exitCode = stale ? 1 : 0;
    });
  return db;
}

export function openStore(dir: string): Store {
  try {
    return Store.open(dir);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

interface RegistryFlags {
  platform?: string;
  dockerConfig?: string;
  plainHttp?: string[];
  timeout: number;
}

function registryOptions(flags: RegistryFlags): RegistryOptions {
  return { credentials: loadDockerConfigCredentials(flags.dockerConfig), plainHttp: flags.plainHttp ?? [], timeoutMs: flags.timeout };
}

function platformOf(flags: RegistryFlags): Platform {
  try {
    return flags.platform ? parsePlatform(flags.platform) : hostPlatform();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function addRegistryOptions(cmd: Command): Command {
  return cmd
    .option('--platform <os/arch>', 'platform to pick from a multi-platform image (default: this machine\'s, linux/amd64 here)')
    .option('--docker-config <file>', 'Docker config with registry credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)')
    .option('--plain-http <host...>', 'registries spoken to over plain HTTP (loopback registries always are)')
    .addOption(new Option('--timeout <duration>', 'timeout of each registry request, and idle timeout of a layer download (30s; a plain number is milliseconds)').default(30000, '30s').argParser(milliseconds));
}

type View = 'findings' | 'packages' | 'vulns' | 'workloads';

interface ScanFlags extends StoreFlags, ReportFlags, RegistryFlags {
  db?: string;
  onlyFixed?: boolean;
  manifests?: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  view: View;
  package?: string;
  vuln?: string;
  state?: string;
  saveState: boolean;
  concurrency: number;
  maxDbAge: number;
  stats?: boolean;
  cosignKey?: string[];
  progress: boolean;
}

function loadCosignKey(file: string): CosignKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the cosign public key (${(e as Error).message})`);
  }
  try {
    return parseCosignPublicKey(pem, file);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Signature requirements: each `imageSignatures` entry of the config, and `--cosign-key` for every image. */
function signaturePolicies(config: KubemoatConfig, flagKeys: readonly string[]): SignaturePolicy[] {
  const policies = (config.imageSignatures ?? []).map((p, i) => ({ origin: `${config.file ?? '.kubemoat.yaml'} imageSignatures[${i}]`, images: p.images, keys: p.keys.map(loadCosignKey) }));
  if (flagKeys.length > 0) policies.push({ origin: '--cosign-key', images: [], keys: flagKeys.map(loadCosignKey) });
  return policies;
}

/** The scan's state as the progress line shows it. */
export function imagesProgress(p: ImagesProgress): ProgressState {
  return { label: 'images', done: p.done, total: p.total, unit: 'images', ...(p.failed > 0 ? { details: [`${p.failed} failed`] } : {}) };
}

/** The images of the live cluster, with the pull secrets their pods name read for credentials. */
async function clusterTargets(flags: ScanFlags, coverage: CoverageGap[]): Promise<{ inventory: Inventory; targets: ImageTarget[]; conn: ClusterConnection; context: string }> {
  const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout });
  const progress = progressLine(flags);
  const load = await collectCluster(conn, { namespace: flags.namespace, pageSize: 500, concurrency: 4, kinds: new Set([...WORKLOAD_KINDS, 'ServiceAccount']), onProgress: (p) => progress.update(clusterProgress(p)) }).finally(() => progress.clear());
  coverage.push(...load.coverage);
  return { inventory: load.inventory, targets: targetsFromInventory(load.inventory), conn, context: conn.context };
}

/** Registry credentials from the imagePullSecrets the target's pods name (values are never printed). */
async function pullSecretCredentials(conn: ClusterConnection, targets: ImageTarget[], coverage: CoverageGap[]): Promise<Map<string, Credentials>> {
  const bySecret = new Map<string, Credentials>();
  for (const name of new Set(targets.flatMap((t) => t.pullSecrets))) {
    const [ns, secret] = name.split('/');
    const res = await conn.get(`/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(secret)}`);
    if (!res.ok) {
      coverage.push({ target: `Secret ${name}`, reason: `imagePullSecret not readable (${res.reason}); images that need it may not be scanned`, severity: 'warning' });
      continue;
    }
    const data = asObject(asObject(res.body as JsonValue)?.data);
    const encoded = asString(data?.['.dockerconfigjson']) ?? asString(data?.['.dockercfg']);
    if (!encoded) continue;
    try {
      let json = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as JsonValue;
      if (asObject(json)?.auths === undefined) json = { auths: json } as JsonValue; // legacy .dockercfg
      bySecret.set(name, credentialsFromDockerConfig(json));
    } catch {
      coverage.push({ target: `Secret ${name}`, reason: 'imagePullSecret is not a Docker config', severity: 'warning' });
    }
  }
  return bySecret;
}

function storeFor(flags: ScanFlags, coverage: CoverageGap[]): Store {
  const store = openStore(dbDir(flags));
  const age = ageInDays(store.meta);
  if (age > flags.maxDbAge) {
    const msg = `the vulnerability database's newest record is ${Math.floor(age)} days old (more than ${flags.maxDbAge}); run \`kubemoat images db update\` with fresh OSV data`;
    coverage.push({ target: store.dir, reason: msg, severity: 'warning' });
    process.stderr.write(`kubemoat: warning: ${msg}\n`);
  }
  return store;
}

function renderView(view: Exclude<View, 'findings'>, results: ImageResult[], flags: ScanFlags): string {
  const json = flags.format === 'json';
  if (!json && flags.format !== 'table') throw new UsageError(`--view ${view} prints table or json, not ${flags.format}`);
  if (view === 'packages') {
    const rows = packagesView(results, flags.package);
    return json ? JSON.stringify({ view, rows }, null, 2) + '\n' : renderPackagesText(rows);
  }
  if (view === 'vulns') {
    const rows = vulnsView(results, flags.vuln);
    return json ? JSON.stringify({ view, rows }, null, 2) + '\n' : renderVulnsText(rows);
  }
  const rows = workloadsView(results);
  return json ? JSON.stringify({ view, rows }, null, 2) + '\n' : renderWorkloadsText(rows);
}

async function runScan(refs: string[], flags: ScanFlags, history: HistoryStore | undefined): Promise<void> {
  if (flags.allNamespaces && flags.namespace !== undefined) throw new UsageError('-A (every namespace) and -n (one namespace) exclude each other');
  const config = loadConfig(flags.config, knownRuleIds());
  const rules = selectRules([...imageRules, ...imageScanRulesForReports()], flags);
  const selected = new Set(rules.map((r) => r.meta.id));
  const policies = signaturePolicies(config, flags.cosignKey ?? []);
  const startedAt = new Date();
  const coverage: CoverageGap[] = [];
  const findings: Finding[] = [];
  const store = storeFor(flags, coverage);
  let targets: ImageTarget[];
  let source: 'arguments' | 'cluster' | 'manifests';
  let scope: string;
  let conn: ClusterConnection | undefined;
  let secretCreds = new Map<string, Credentials>();
  let inventory: Inventory | undefined;
  if (refs.length > 0) {
    targets = targetsFromRefs(refs);
    source = 'arguments';
    scope = listScope(refs);
  } else if (flags.manifests !== undefined) {
    const load = await loadManifests(flags.manifests);
    coverage.push(...load.coverage);
    inventory = load.inventory;
    targets = targetsFromInventory(load.inventory);
    source = 'manifests';
    scope = `manifests ${manifestsScope(flags.manifests)}`;
  } else {
    const c = await clusterTargets(flags, coverage);
    conn = c.conn;
    inventory = c.inventory;
    targets = c.targets;
    source = 'cluster';
    scope = `cluster ${c.context}${flags.namespace ? ` namespace=${flags.namespace}` : ''}`;
  }
  try {
    if (inventory !== undefined) {
      // trust: tags instead of digests and registries outside the allow-list, per workload (KM-IM-001..003)
      const trust = analyse(inventory, { type: 'images', images: [], source }, [], startedAt, { rules: imageRules.filter((r) => selected.has(r.meta.id)), config, minimumSeverity: 'info' });
      findings.push(...trust.findings, ...trust.suppressed);
      coverage.push(...trust.coverage);
    }
    if (conn !== undefined) secretCreds = await pullSecretCredentials(conn, targets, coverage);
  } finally {
    conn?.close();
  }
  const registry = registryOptions(flags);
  const cache = new LayerCache();
  const progress = progressLine(flags);
  const results = await scanTargets(targets, {
    onProgress: (p) => progress.update(imagesProgress(p)),
    store,
    platform: platformOf(flags),
    registry,
    cache,
    concurrency: flags.concurrency,
    onlyFixed: flags.onlyFixed === true,
    signaturePolicies: policies,
    credentialsFor: (t) => {
      const merged: Credentials = new Map(registry.credentials);
      for (const s of t.pullSecrets) for (const [host, cred] of secretCreds.get(s) ?? []) merged.set(host, cred);
      return merged;
    },
  }).finally(() => progress.clear());
  if (flags.stats) {
    const scanned = results.filter((r) => r.scanned);
    const referenced = scanned.reduce((n, r) => n + (r.scanned?.image.layers.length ?? 0), 0);
    const packages = scanned.reduce((n, r) => n + (r.scanned?.contents.packages.length ?? 0), 0);
    process.stderr.write(`kubemoat: ${scanned.length} of ${results.length} images scanned; layers: ${cache.analysed} analysed, ${referenced} referenced (${cache.hits} served from the cache); ${packages} packages; ${results.reduce((n, r) => n + r.vulnerabilities.length, 0)} vulnerable package matches\n`);
  }
  const stateFile = flags.state ?? defaultStateFile();
  const judged = judge(results, flags.saveState ? loadState(stateFile) : {});
  if (flags.saveState) saveState(stateFile, judged.state);
  coverage.push(...judged.coverage);
  if (flags.view !== 'findings') {
    emit(renderView(flags.view, results, flags), flags.output);
    for (const gap of coverage.filter((c) => c.severity === 'error')) process.stderr.write(`kubemoat: not scanned: ${gap.target}: ${gap.reason}\n`);
    process.exitCode = coverage.some((c) => c.severity === 'error') ? 2 : 0;
    return;
  }
  const imageFindings = judged.findings.filter((f) => selected.has(f.ruleId));
  const { expired } = applySuppressions(imageFindings, config, () => [], startedAt.toISOString().slice(0, 10));
  for (const s of expired) coverage.push({ target: config.file ?? '.kubemoat.yaml', reason: `suppression of ${s.rules.join(', ')} expired on ${s.expires}; its findings are reported again`, severity: 'warning' });
  const report = buildReport({
    startedAt,
    target: { type: 'images', images: targets.map((t) => t.ref), source },
    findings: [...findings, ...imageFindings],
    coverage,
    minimumSeverity: flags.severity,
    resources: targets.length,
  });
  await finishRecorded(report, flags, rules, coverage.some((c) => c.severity === 'error'), { store: history, series: { kind: 'images', scope } });
}

function sbomCommand(): Command {
  return addRegistryOptions(
    new Command('sbom')
      .description('write a CycloneDX 1.5 SBOM (JSON) of one image')
      .argument('<ref>', 'registry reference, oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:TAG]')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action(async (ref: string, _opts: unknown, cmd: Command) => {
    const flags = cmd.optsWithGlobals<RegistryFlags & { output?: string }>();
    let image;
    try {
      image = await resolveImage(ref, platformOf(flags), registryOptions(flags));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const scanned = await scanResolvedImage(image, { cache: new LayerCache() });
    for (const e of scanned.errors) process.stderr.write(`kubemoat: ${ref}: ${e}\n`);
    const text = JSON.stringify(cycloneDx(scanned), null, 2) + '\n';
    emit(text, flags.output);
    process.exitCode = scanned.errors.length > 0 ? 2 : 0;
  });
}

export function imagesCommand(): Command {
  const images = addProgressOption(addRegistryOptions(
    addStoreOption(addReportOptions(
      new Command('images')
        .description('scan container images for known-vulnerable packages and untrusted origins, offline from a local OSV database; with no REF, every image the live cluster (or --manifests) runs')
        .argument('[refs...]', 'registry references, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:TAG]')
        .option('--db <dir>', 'vulnerability database directory (default: $KUBEMOAT_DB or ~/.cache/kubemoat/osv)')
        .option('--only-fixed', 'report only vulnerabilities that have a fixed version')
        .option('--manifests <path...>', 'take the images from these manifests instead of the live cluster')
        .option('--kubeconfig <file>', 'kubeconfig for the live cluster')
        .option('--context <name>', 'kubeconfig context')
        .option('-n, --namespace <ns>', 'only workloads of this namespace')
        .option('-A, --all-namespaces', 'workloads of every namespace (the default; as kubectl and `kubemoat cluster` spell it)')
        .addOption(new Option('--view <view>', 'findings (the report), or a cross-image view').choices(['findings', 'packages', 'vulns', 'workloads']).default('findings'))
        .option('--package <name>', 'with --view packages: only this package (binary or source name)')
        .option('--vuln <id>', 'with --view vulns: only this id or alias (e.g. CVE-2024-3094)')
        .option('--state <file>', 'where the digest behind each tag is remembered between scans (default: ~/.cache/kubemoat/images-seen.json)')
        .option('--no-save-state', 'do not read or update the remembered digests')
        .option('--stats', 'print on stderr how many layers were analysed and referenced')
        .option('--cosign-key <file...>', 'cosign public key (PEM); every image scanned must carry a valid signature by one of these keys (KM-IM-007). Per-image keys: imageSignatures in .kubemoat.yaml')
        .addOption(new Option('--concurrency <n>', 'images scanned at once').default(4).argParser(wholeNumber(1, 64)))
        .addOption(new Option('--max-db-age <days>', 'warn when the database is older than this').default(DEFAULT_MAX_DB_AGE_DAYS).argParser(wholeNumber(0))),
    )),
  )).action(async (refs: string[], flags: ScanFlags) => {
    if (flags.view === 'findings') return withStore(flags, (history) => runScan(refs, flags, history));
    if (flags.store !== undefined) throw new UsageError(`--store records the findings; --view ${flags.view} is not recorded (drop one of them)`);
    return runScan(refs, flags, undefined);
  });
  images.addCommand(dbCommand());
  images.addCommand(sbomCommand());
  for (const c of [images, ...images.commands, ...images.commands.flatMap((c) => c.commands)]) c.exitOverride();
  return images;
}
