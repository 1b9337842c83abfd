// A separate process writing to a history store, for the tests of concurrent and killed writers:
//   runs URL SCOPE RUNS FINDINGS   record RUNS complete runs of FINDINGS findings each, then exit
//   stream URL                     one run that never ends: batches of findings and alerts, each
//                                  announced on stdout ("ack findings A B" / "ack alerts A B")
//                                  only after its transaction committed; kill it to stop it

import { HistoryStore } from '../../src/store/store.js';
import { alert, finding } from './store-fixtures.js';

const [mode, url, ...rest] = process.argv.slice(2);

async function runs(scope: string, count: number, perRun: number): Promise<void> {
  const store = await HistoryStore.open(url, { create: true });
  for (let r = 0; r < count; r++) {
    const run = await store.beginRun({ kind: 'scan', scope, target: { type: 'manifests', paths: [scope] }, toolVersion: 'test', startedAt: new Date().toISOString() });
    // the same findings every run, in a few batches so the two writers interleave
    for (let start = 0; start < perRun; start += 250) {
      await run.addFindings(Array.from({ length: Math.min(250, perRun - start) }, (_, i) => finding(start + i)));
    }
    await run.finish('complete');
  }
  await store.close();
}

async function stream(): Promise<void> {
  const store = await HistoryStore.open(url, { create: true });
  const run = await store.beginRun({ kind: 'detect', scope: 'killed writer', target: { type: 'detect' }, toolVersion: 'test', startedAt: new Date().toISOString() });
  process.stdout.write(`run ${run.id}\n`);
  for (let batch = 0; ; batch++) {
    const first = batch * 20;
    await run.addFindings(Array.from({ length: 20 }, (_, i) => finding(first + i)));
    process.stdout.write(`ack findings ${first} ${first + 19}\n`);
    await run.addAlerts(Array.from({ length: 5 }, (_, i) => alert(batch * 5 + i)));
    process.stdout.write(`ack alerts ${batch * 5} ${batch * 5 + 4}\n`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// `node --test dist/test/` also runs this file, with no arguments: then there is nothing to write.
if (mode === 'runs') await runs(rest[0], Number(rest[1]), Number(rest[2]));
else if (mode === 'stream') await stream();
else if (mode !== undefined) throw new Error(`store-writer: unknown mode ${mode}`);
