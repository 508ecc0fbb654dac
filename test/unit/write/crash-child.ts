// The process the crash test kills: under the store lock, in one repository
// transaction, it appends revisions to an inline filelog until it turns
// split, to an already split filelog, and creates new filelogs (fncache
// entries), yielding to the event loop between revisions so that signals
// are handled mid-transaction. Deterministic: the same arguments always write
// the same bytes.
//
//   node crash-child.js ROOT REVISIONS SEED [PAUSE_AT]
// prints "started" once the journal exists, the number of iterations done
// after each one, "closing" before the close and "done" after it. With
// PAUSE_AT, it prints "paused" after that many iterations and waits there
// (inside the transaction) for ever.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Revlog } from '../../../src/revlog/revlog.js';
import { RevlogWriter, revlogWriterOptions } from '../../../src/revlog/revlog-writer.js';
import { NodeWritableVfs } from '../../../src/vfs/atomic-write.js';
import { setInterruptHandler } from '../../../src/vfs/lock.js';
import { storeLayoutFromRequirements } from '../../../src/vfs/store-encoding.js';
import { lockStore, openRepoTransaction, resolveTxPath, type TransactionVfsMap } from '../../../src/store/transaction.js';
import { NULL_NODE, type Node } from '../../../src/core/node.js';

const [root, countArg, seedArg, pauseArg] = process.argv.slice(2);
const pauseAt = pauseArg === undefined ? -1 : Number(pauseArg);
const count = Number(countArg ?? 150);
let seed = Number(seedArg ?? 1) >>> 0 || 1;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 1) / 0x80000000;
};

function randomLine(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(33 + Math.floor(rnd() * 90));
  return s + '\n';
}

async function main(): Promise<void> {
  setInterruptHandler((sig) => {
    process.stderr.write(sig === 'SIGINT' ? 'interrupted!\n' : 'killed!\n');
    process.exit(255);
  });
  const hgDir = path.join(root!, '.hg');
  const read = (p: string): string[] => (fs.existsSync(p) ? fs.readFileSync(p, 'latin1').split('\n').filter(Boolean) : []);
  const requirements = new Set([...read(path.join(hgDir, 'requires')), ...read(path.join(hgDir, 'store/requires'))]);
  const target = {
    root: root!,
    hgDir,
    storeDir: path.join(hgDir, 'store'),
    layout: storeLayoutFromRequirements(requirements),
    requirements,
    changelog: { length: 1 },
  };
  const vfs = new NodeWritableVfs();
  const map: TransactionVfsMap = { vfs, storeDir: target.storeDir, hgDir, layout: target.layout };
  const writer = (radix: string): RevlogWriter =>
    new RevlogWriter(
      new Revlog(radix, { index: new Uint8Array(0), readData: () => undefined }),
      radix,
      vfs,
      (f) => resolveTxPath(map, '', f),
      revlogWriterOptions(requirements, 'filelog'),
    );
  const lock = await lockStore(target, { vfs });
  const tr = openRepoTransaction(target, 'crash-test', { vfs, report: (m) => process.stderr.write(m) });
  process.stdout.write('started\n');
  const f = writer('data/f');
  const g = writer('data/g');
  let fText = Buffer.from(f.revlog.rawText(f.revlog.length - 1));
  let gText = Buffer.from(g.revlog.rawText(g.revlog.length - 1));
  let fTip: Node = f.revlog.node(f.revlog.length - 1);
  let gTip: Node = g.revlog.node(g.revlog.length - 1);
  for (let i = 0; i < count; i++) {
    fText = Buffer.concat([fText, Buffer.from(randomLine(1500), 'latin1')]);
    fTip = f.addRevision(tr, fText, 1, fTip, NULL_NODE).node;
    if (i % 3 === 0) {
      const at = Math.floor(rnd() * gText.length);
      gText = Buffer.concat([gText.subarray(0, at), Buffer.from(randomLine(200), 'latin1'), gText.subarray(at)]);
      gTip = g.addRevision(tr, gText, 1, gTip, NULL_NODE).node;
    }
    if (i % 10 === 0) {
      const n = writer(`data/new${i}`);
      n.addRevision(tr, Buffer.from(randomLine(100) + randomLine(3000)), 1, NULL_NODE, NULL_NODE);
    }
    process.stdout.write(`${i + 1}\n`);
    await new Promise((r) => setImmediate(r));
    if (i + 1 === pauseAt) {
      process.stdout.write('paused\n');
      await new Promise(() => setInterval(() => {}, 1000));
    }
  }
  process.stdout.write('closing\n');
  tr.close();
  lock.release();
  process.stdout.write('done\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`crash-child: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
