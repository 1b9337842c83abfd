// KM-IM-007 against real cosign: Debian's docker-registry, cosign (built from the Go module proxy
// by lab/setup.d/35-cosign.sh) and kubemoat all run inside a network namespace this test makes,
// with only its loopback up, so cosign cannot reach Rekor, Fulcio or any other host even if it
// tried. cosign makes two key pairs and signs one image (no transparency-log upload); kubemoat must
// accept it with the right key, report it with the other key, report an unsigned image, and report
// a signature copied onto another image's `.sig` tag; the same for cosign's new bundle format (a
// sigstore bundle attached as an OCI 1.1 referrer). cosign's own `verify` is run on the same
// images as a cross-check.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { pushWithSkopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { gzip, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  evidence?: string;
  resource?: { name: string };
}
interface JsonReport {
  findings: JsonFinding[];
  coverage: { target: string; reason: string; severity: string }[];
}

const NETNS = `kmcosign${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'km-cosign-e2e-'));
const COSIGN = ['/usr/local/bin/cosign', join(process.env.HOME ?? '/root', 'go/bin/cosign')].find((p) => existsSync(p)) ?? 'cosign';
const PASSWORD = 'kmtest-cosign-pw';
let registry: TestRegistry;
const digests: Record<string, string> = {};

/** Run a command inside the test's network namespace (only its loopback exists there). */
async function inNs(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = work): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)('ip', ['netns', 'exec', NETNS, ...argv], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 180_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
    return { status: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

// cosign keeps its state (TUF cache) under $HOME/.sigstore: a throwaway home, and no proxies.
const cosignEnv = { HOME: join(work, 'home'), COSIGN_PASSWORD: PASSWORD, TUF_ROOT: join(work, 'home', 'tuf'), HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '' };

async function cosign(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return inNs([COSIGN, ...args], cosignEnv);
}

async function kubemoat(args: string[], cwd = work): Promise<{ status: number; report: JsonReport; stderr: string }> {
  const r = await inNs([process.execPath, CLI, 'images', ...args, '--db', join(work, 'db'), '--no-save-state', '--format', 'json'], { XDG_CACHE_HOME: join(work, 'cache') }, cwd);
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`kubemoat printed no JSON report (exit ${r.status}): ${r.stderr}`);
  }
  return { status: r.status, report, stderr: r.stderr };
}

const ref = (name: string) => `${registry.host}/team/app@${digests[name]}`;
const signatureFindings = (report: JsonReport) => report.findings.filter((f) => f.ruleId === 'KM-IM-007');

before(async () => {
  execFileSync('ip', ['netns', 'add', NETNS]);
  execFileSync('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
  registry = await startRegistry('none', NETNS);
  const images = ['signed', 'unsigned', 'copied', 'bundled'].map((tag) => ({ tag, layers: [{ blob: gzip(tarOf([{ path: `srv/${tag}.txt`, content: `the ${tag} image\n` }])) }] }));
  const layoutDigests = writeOciLayout(join(work, 'oci'), images);
  images.forEach((img, i) => (digests[img.tag] = layoutDigests[i]));
  for (const tag of Object.keys(digests)) await pushWithSkopeo(join(work, 'oci'), tag, registry, 'team/app', tag, false, NETNS);
  await pushWithSkopeo(join(work, 'oci'), 'unsigned', registry, 'other/app', 'unsigned', false, NETNS);
  // an empty-but-valid vulnerability database: these tests are about signatures
  writeFileSync(join(work, 'osv.json'), JSON.stringify({ id: 'KMTEST-0001', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'npm', name: 'kmtest-nothing' }, versions: ['0.0.1'] }] }));
  const update = spawnSync(process.execPath, [CLI, 'images', 'db', 'update', '--from', join(work, 'osv.json'), '--db', join(work, 'db')], { encoding: 'utf8' });
  assert.equal(update.status, 0, update.stderr);
  // two key pairs, made by cosign
  for (const name of ['release', 'other']) {
    const r = await inNs([COSIGN, 'generate-key-pair', '--output-key-prefix', name], cosignEnv);
    assert.equal(r.status, 0, `cosign generate-key-pair: ${r.stderr}`);
  }
  assert.match(readFileSync(join(work, 'release.pub'), 'utf8'), /BEGIN PUBLIC KEY/);
  // cosign signs the "signed" image by digest, without the transparency log
  const signed = await cosign(['sign', '--key', join(work, 'release.key'), '--tlog-upload=false', '--allow-http-registry', '--allow-insecure-registry', '--yes', ref('signed')]);
  assert.equal(signed.status, 0, `cosign sign: ${signed.stderr}`);
  // and the "bundled" image in cosign's new bundle format: a sigstore bundle attached as an OCI referrer
  const bundled = await cosign(['sign', '--new-bundle-format', '--key', join(work, 'release.key'), '--tlog-upload=false', '--allow-http-registry', '--allow-insecure-registry', '--yes', ref('bundled')]);
  assert.equal(bundled.status, 0, `cosign sign --new-bundle-format: ${bundled.stderr}`);
  // the signature copied onto the "copied" image's .sig tag (a registry writer without the key could do this)
  const sigTag = (d: string) => `${d.replace(':', '-')}.sig`;
  const base = `http://${registry.host}/v2/team/app/manifests`;
  const got = await inNs(['curl', '-sf', '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', '-o', join(work, 'sig.json'), `${base}/${sigTag(digests.signed)}`]);
  assert.equal(got.status, 0, `fetching cosign's .sig manifest: ${got.stderr}`);
  const mediaType = (JSON.parse(readFileSync(join(work, 'sig.json'), 'utf8')) as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  const put = await inNs(['curl', '-sf', '-X', 'PUT', '-H', `Content-Type: ${mediaType}`, '--data-binary', `@${join(work, 'sig.json')}`, `${base}/${sigTag(digests.copied)}`]);
  assert.equal(put.status, 0, `copying the .sig manifest: ${put.stderr}`);
});

after(async () => {
  await registry?.stop();
  spawnSync('ip', ['netns', 'delete', NETNS]);
  rmSync(work, { recursive: true, force: true });
});

describe('kubemoat images verifies signatures made by real cosign', () => {
  test('cosign itself agrees: the signed image verifies with its key, the copied signature does not', async () => {
    const ok = await cosign(['verify', '--key', join(work, 'release.pub'), '--insecure-ignore-tlog=true', '--allow-http-registry', '--allow-insecure-registry', ref('signed')]);
    assert.equal(ok.status, 0, ok.stderr);
    const copied = await cosign(['verify', '--key', join(work, 'release.pub'), '--insecure-ignore-tlog=true', '--allow-http-registry', '--allow-insecure-registry', ref('copied')]);
    assert.notEqual(copied.status, 0, 'cosign should refuse a signature made for another digest');
  });

  test('the right key: the signed image passes', async () => {
    const r = await kubemoat([ref('signed'), '--cosign-key', join(work, 'release.pub')]);
    assert.deepEqual(signatureFindings(r.report), []);
    assert.deepEqual(r.report.coverage.filter((c) => c.severity === 'error'), []);
    assert.equal(r.status, 0, r.stderr);
  });

  test('another key: reported, naming the key it does not verify with', async () => {
    const r = await kubemoat([ref('signed'), '--cosign-key', join(work, 'other.pub')]);
    const [f, ...rest] = signatureFindings(r.report);
    assert.equal(rest.length, 0);
    assert.equal(f.severity, 'high');
    assert.match(f.message, /has no valid cosign signature by .*other\.pub \(sha256:[0-9a-f]{16}\), which --cosign-key requires: 1 signature\(s\) found, none valid/);
    assert.match(f.evidence ?? '', /does not verify with .*other\.pub/);
    assert.equal(r.status, 1);
  });

  test('the unsigned image: reported as having no signature', async () => {
    const r = await kubemoat([ref('unsigned'), '--cosign-key', join(work, 'release.pub')]);
    const found = signatureFindings(r.report);
    assert.equal(found.length, 1);
    assert.match(found[0].message, new RegExp(`has no cosign signature \\(no ${digests.unsigned.replace(':', '-')}\\.sig tag, no sigstore bundle among its referrers\\)`));
  });

  test("a signature copied onto another image's .sig tag: reported as made for another digest", async () => {
    const r = await kubemoat([ref('copied'), '--cosign-key', join(work, 'release.pub')]);
    const found = signatureFindings(r.report);
    assert.equal(found.length, 1);
    assert.ok(found[0].evidence?.includes(`a valid signature by ${join(work, 'release.pub')}`), found[0].evidence);
    assert.ok(found[0].evidence?.includes(`but for ${digests.signed}, not this image (${digests.copied})`), found[0].evidence);
  });

  test("cosign's new bundle format (sigstore bundle as an OCI referrer): verified with the right key, reported with another", async () => {
    const tags = await inNs(['curl', '-sf', `http://${registry.host}/v2/team/app/tags/list`]);
    assert.ok(tags.stdout.includes(`"${digests.bundled.replace(':', '-')}"`), `cosign stored the bundle under the referrers fallback tag: ${tags.stdout}`);
    assert.ok(!tags.stdout.includes(`"${digests.bundled.replace(':', '-')}.sig"`), 'and no .sig tag');
    const right = await kubemoat([ref('bundled'), '--cosign-key', join(work, 'release.pub')]);
    assert.deepEqual(signatureFindings(right.report), []);
    assert.equal(right.status, 0, right.stderr);
    const wrong = await kubemoat([ref('bundled'), '--cosign-key', join(work, 'other.pub')]);
    const [f] = signatureFindings(wrong.report);
    assert.match(f?.evidence ?? '', /referrer sha256:[0-9a-f]{12}: the signature does not verify with .*other\.pub/);
  });

  test('imageSignatures in .kubemoat.yaml applies to the images it names, by tag too', async () => {
    writeFileSync(join(work, '.kubemoat.yaml'), `imageSignatures:\n  - images: ["${registry.host}/team/*"]\n    key: release.pub\n`);
    const refs = [`${registry.host}/team/app:signed`, `${registry.host}/team/app:unsigned`, `${registry.host}/other/app:unsigned`];
    const r = await kubemoat(refs, work);
    const reported = signatureFindings(r.report).map((f) => f.resource?.name);
    assert.deepEqual(reported, [`${registry.host}/team/app:unsigned`]);
    assert.match(signatureFindings(r.report)[0].message, /\.kubemoat\.yaml imageSignatures\[0\] requires one by .*release\.pub/);
    assert.equal(r.status, 1);
  });

  test('a key file that is not a public key is refused before anything is scanned', async () => {
    const r = await inNs([process.execPath, CLI, 'images', ref('signed'), '--db', join(work, 'db'), '--no-save-state', '--cosign-key', join(work, 'release.key')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /release\.key: this is a private key/);
  });
});
