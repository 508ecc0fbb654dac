#!/usr/bin/env node
// `npm run bench:manifest`: hgkit's LazyManifest (Node) against Mercurial's C
// lazymanifest (driven by bench/manifest/bench_c.py under /usr/bin/python3) on
// the same generated manifests of 10,000, 100,000 and 300,000 entries.
//
// Each operation runs alternately on the two sides, one timed run at a time,
// after untimed warm-up runs; the table shows the median wall time of each
// side, the ratio hgkit/C (below 1.0 = hgkit faster), the same ratio on CPU
// time (less sensitive to a busy machine), and the throughput for parse and
// iteration. Setup (reading files, building the manifest to edit) is outside
// the timings on both sides.
//
// Options: --sizes 10000,100000  --rounds N (timed runs per side and op)
//          --ops parse,lookup,... (a subset of the operations, by their short names)
//          --markdown (print only the markdown tables)
//          --write-docs (put the tables into docs/benchmarks.md, between the
//          bench:manifest markers of the "LazyManifest (bench:manifest)" section)
//
// The library is bundled from src/ with esbuild into bench/.work/manifest/.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import os from 'node:os';

await main();

async function main() {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const WORK = path.join(ROOT, 'bench', '.work', 'manifest');
  const DATA = path.join(WORK, 'data');
  mkdirSync(DATA, { recursive: true });

  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const sizes = opt('--sizes', '10000,100000,300000').split(',').map(Number);
  const roundsOpt = opt('--rounds', undefined);
  const markdownOnly = args.includes('--markdown');
  const onlyOps = opt('--ops', undefined)?.split(',');
  const log = markdownOnly ? () => {} : (...a) => console.error(...a);

  // --- bundle the library ---------------------------------------------------------
  const { build } = await import('esbuild');
  const libFile = path.join(WORK, 'lib.mjs');
  await build({
    stdin: {
      contents:
        "export * from './src/manifest/lazy-manifest.ts';\nexport * from './src/manifest/matcher.ts';\nexport { parseKernelName } from './src/manifest/lazy-manifest-parse.ts';\n",
      resolveDir: ROOT,
      sourcefile: 'bench-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: libFile,
    logLevel: 'warning',
  });
  const lib = await import(pathToFileURL(libFile).href + `?t=${Date.now()}`);
  const { LazyManifest, prefixMatcher, parseKernelName } = lib;

  // --- data ------------------------------------------------------------------------------
  const enc = (s) => Buffer.from(s, 'latin1');
  for (const size of sizes) {
    if (!existsSync(path.join(DATA, `${size}.prefix`))) generate(size, DATA);
  }

  // --- C side ------------------------------------------------------------------------------
  const probe = spawnSync('/usr/bin/python3', ['-c', 'from mercurial.cext import parsers; parsers.lazymanifest']);
  if (probe.status !== 0) {
    console.error('bench:manifest needs /usr/bin/python3 with Mercurial C extensions (mercurial.cext.parsers).');
    process.exit(2);
  }
  const py = spawn('/usr/bin/python3', [path.join(ROOT, 'bench', 'manifest', 'bench_c.py'), DATA], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  async function c(op, size) {
    py.stdin.write(JSON.stringify({ op, size }) + '\n');
    const { value, done } = await lines.next();
    if (done) throw new Error('bench_c.py exited');
    return JSON.parse(value);
  }

  // --- hgkit side ------------------------------------------------------------------------------
  const dataCache = new Map();
  function data(size) {
    let d = dataCache.get(size);
    if (d) return d;
    const rd = (n) => new Uint8Array(readFileSync(path.join(DATA, `${size}.${n}`)));
    const text = rd('text');
    const other = rd('other');
    const lookups = Buffer.from(rd('lookups')).toString('latin1').split('\n').slice(0, -1).map(enc).map((b) => new Uint8Array(b));
    const sets = Buffer.from(rd('sets'))
      .toString('latin1')
      .split('\n')
      .slice(0, -1)
      .map((l) => {
        const p = l.slice(0, -43);
        const node = new Uint8Array(Buffer.from(l.slice(-42, -2), 'hex'));
        const fl = l.slice(-1) === '-' ? '' : l.slice(-1);
        return [new Uint8Array(enc(p)), node, fl];
      });
    const changes = Buffer.from(rd('changes')).toString('latin1').split('\n').slice(0, -1).map((p) => new Uint8Array(enc(p)));
    const prefix = rd('prefix');
    const m = new LazyManifest(text);
    m.size;
    const mo = new LazyManifest(other);
    mo.size;
    d = { text, other, lookups, sets, changes, prefix, m, mo };
    dataCache.set(size, d);
    return d;
  }

  function timed(fn) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    return { wall: t1 - t0, cpu: (c1.user + c1.system) / 1000 };
  }

  const startsWith = (p, pre) => {
    if (p.length < pre.length) return false;
    for (let i = 0; i < pre.length; i++) if (p[i] !== pre[i]) return false;
    return true;
  };

  let sink = 0;
  function node(op, size) {
    const d = data(size);
    switch (op) {
      case 'parse': {
        const t = d.text;
        return timed(() => {
          sink += new LazyManifest(t).size;
        });
      }
      case 'lookup': {
        const { m, lookups } = d;
        return timed(() => {
          for (let i = 0; i < lookups.length; i++) if (m.get(lookups[i]) !== undefined) sink++;
        });
      }
      case 'iterkeys':
        return timed(() => {
          for (const k of d.m.keys()) sink += k.length;
        });
      case 'iterentries':
        return timed(() => {
          for (const e of d.m.entries()) sink += e.node[0];
        });
      case 'forEachRaw':
        return timed(() => {
          d.m.forEachRaw((buf, start, pathEnd) => {
            sink += pathEnd - start;
          });
        });
      case 'diff':
        return timed(() => {
          sink += d.m.diff(d.mo).length;
        });
      case 'settext': {
        const m = new LazyManifest(d.text);
        m.size;
        const sets = d.sets;
        return timed(() => {
          for (let i = 0; i < sets.length; i++) m.set(sets[i][0], sets[i][1], sets[i][2]);
          sink += m.text().length;
        });
      }
      case 'filter': {
        const pre = d.prefix;
        return timed(() => {
          sink += d.m.filterCopy((p) => startsWith(p, pre)).size;
        });
      }
      case 'matches': {
        const dir = d.prefix.subarray(0, d.prefix.length - 1);
        return timed(() => {
          sink += d.m.matches(prefixMatcher([dir])).size;
        });
      }
      case 'fastdelta': {
        const m = d.m.copy();
        const work = d.changes.map((p, i) => {
          m.set(p, new Uint8Array(20).fill((i % 251) + 1), '');
          return [p, false];
        });
        return timed(() => {
          sink += m.fastDelta(d.text, work).delta.length;
        });
      }
      case 'copy':
        return timed(() => {
          sink += d.m.copy().size;
        });
      default:
        throw new Error(op);
    }
  }

  // --- run ------------------------------------------------------------------------------------
  // [label, node op, C op]
  const OPS = [
    ['parse (construct + index)', 'parse', 'parse'],
    ['10,000 random lookups', 'lookup', 'lookup'],
    ['iterate keys()', 'iterkeys', 'iterkeys'],
    ['iterate entries()', 'iterentries', 'iterentries'],
    ['forEachRaw (vs C iterkeys)', 'forEachRaw', 'iterkeys'],
    ['diff, 0.5% of lines differ', 'diff', 'diff'],
    ['1,000 sets + text()', 'settext', 'settext'],
    ['filterCopy by dir prefix', 'filter', 'filter'],
    ['matches(prefixMatcher) (vs C filtercopy)', 'matches', 'filter'],
    ['fastDelta, 100 changes', 'fastdelta', 'fastdelta'],
    ['copy()', 'copy', 'copy'],
  ];
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };

  log(`hgkit LazyManifest (${parseKernelName()} line-index kernel) vs Mercurial C lazymanifest`);
  const loadAtStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  log(`node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, load ${loadAtStart}`);
  const rows = [];
  const memRows = [];
  for (const size of sizes) {
    const d = data(size);
    // Memory beyond the text: the index structures of freshly parsed manifests
    // (exact), and the growth of ArrayBuffer memory for 10 of them over one
    // shared text (what the process actually allocated).
    const structural = (m) => m._idx.byteLength + (m._meta ? m._meta.byteLength : 0) + m._extra.byteLength;
    const keep = [];
    const ab0 = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 10; i++) {
      const m = new LazyManifest(d.text);
      m.size;
      keep.push(m);
    }
    const abPer = (process.memoryUsage().arrayBuffers - ab0) / 10 / d.m.size;
    memRows.push({ size, structural: structural(keep[0]) / d.m.size, measured: abPer });
    keep.length = 0;
    const cl = (await c('size', size)).len;
    if (cl !== d.m.size) throw new Error(`size mismatch ${cl} vs ${d.m.size}`);
    const rounds = Number(roundsOpt ?? (size <= 10000 ? 41 : size <= 100000 ? 21 : 11));
    const mb = d.text.length / 1e6;
    const mr = memRows[memRows.length - 1];
    log(`\n${size} entries, ${mb.toFixed(1)} MB text, ${rounds} rounds; memory beyond the text ${mr.structural.toFixed(2)} bytes/entry (ArrayBuffer growth ${mr.measured.toFixed(2)})`);
    for (const [label, nop, cop] of OPS) {
      if (onlyOps && !onlyOps.includes(nop)) continue;
      for (let w = 0; w < 8; w++) {
        node(nop, size);
        await c(cop, size);
      }
      const nw = [];
      const nc = [];
      const cw = [];
      const cc = [];
      for (let r = 0; r < rounds; r++) {
        // alternate who goes first
        const runNode = () => {
          const t = node(nop, size);
          nw.push(t.wall);
          nc.push(t.cpu);
        };
        if (r % 2 === 0) runNode();
        const t = await c(cop, size);
        cw.push(t.wall);
        cc.push(t.cpu);
        if (r % 2 === 1) runNode();
      }
      const row = {
        size,
        label,
        node: median(nw),
        c: median(cw),
        nodeMin: Math.min(...nw),
        cMin: Math.min(...cw),
        nodeCpu: median(nc),
        cCpu: median(cc),
        mb,
        throughput: nop === 'parse' || nop.startsWith('iter') || nop === 'forEachRaw',
      };
      rows.push(row);
      log(
        `  ${label.padEnd(42)} hgkit ${row.node.toFixed(3).padStart(8)} ms   C ${row.c.toFixed(3).padStart(8)} ms   ratio ${(row.node / row.c).toFixed(2)} (min ${(row.nodeMin / row.cMin).toFixed(2)}, cpu ${(row.nodeCpu / row.cCpu).toFixed(2)})` +
          (row.throughput ? `   ${(mb / row.node).toFixed(2)} GB/s` : ''),
      );
    }
  }
  py.stdin.end();

  // --- markdown ---------------------------------------------------------------------------------
  const md = [];
  md.push('| entries | operation | hgkit ms | C ms | hgkit/C | hgkit/C (min) | hgkit/C (cpu) | hgkit GB/s |');
  md.push('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    md.push(
      `| ${r.size.toLocaleString('en-US')} | ${r.label} | ${r.node.toFixed(2)} | ${r.c.toFixed(2)} | ${(r.node / r.c).toFixed(2)} | ${(r.nodeMin / r.cMin).toFixed(2)} | ${(r.nodeCpu / r.cCpu).toFixed(2)} | ${r.throughput ? (r.mb / r.node).toFixed(2) : ''} |`,
    );
  }
  md.push('');
  md.push('| entries | memory beyond the text, bytes/entry (index) | ArrayBuffer growth per parse, bytes/entry |');
  md.push('|---:|---:|---:|');
  for (const r of memRows) md.push(`| ${r.size.toLocaleString('en-US')} | ${r.structural.toFixed(2)} | ${r.measured.toFixed(2)} |`);
  console.log((markdownOnly ? '' : '\n') + md.join('\n'));
  if (args.includes('--write-docs')) {
    const hgVersion = spawnSync('/usr/bin/hg', ['--version', '-q'], { encoding: 'utf8' }).stdout.trim();
    const header =
      `Generated by \`npm run bench:manifest -- --write-docs\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}. ` +
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average at start ${loadAtStart}. ` +
      `Node ${process.version} (${parseKernelName()} line-index kernel), ${hgVersion}. ` +
      `Median of ${roundsOpt ?? '41 / 21 / 11'} alternating runs per side after 8 untimed warm-ups.`;
    const file = path.join(ROOT, 'docs', 'benchmarks.md');
    let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    const START = '<!-- bench:manifest results start -->';
    const END = '<!-- bench:manifest results end -->';
    const block = `${START}\n${header}\n\n${md.join('\n')}\n${END}`;
    if (doc.includes(START) && doc.includes(END)) {
      doc = doc.slice(0, doc.indexOf(START)) + block + doc.slice(doc.indexOf(END) + END.length);
    } else {
      doc = `${doc.trimEnd()}\n\n## LazyManifest (bench:manifest)\n\n${block}\n`;
    }
    writeFileSync(file, doc);
    log(`wrote ${file}`);
  }
  void sink;
}

// --- generator -------------------------------------------------------------------------------------
// Deterministic manifests with a realistic shape: a directory tree up to 7
// levels deep with words from a fixed vocabulary, 1-60 files per directory,
// file names of two words and an extension (average line ~100 bytes).
function generate(size, dir) {
  let seed = 0x9e3779b9 ^ size;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const syll = ['ab', 'co', 're', 'ta', 'mi', 'on', 'lex', 'tr', 'ser', 'vi', 'ce', 'pro', 'to', 'col', 'net', 'work', 'ui', 'app', 'core', 'util', 'data', 'x'];
  const words = [];
  while (words.length < 400) {
    let w = pick(syll) + pick(syll);
    if (rnd() < 0.5) w += pick(syll);
    if (rnd() < 0.2) w += '_' + pick(syll);
    words.push(w);
  }
  const exts = ['.c', '.h', '.py', '.ts', '.js', '.rs', '.md', '.txt', '.json', '.cpp', '.html', '.css'];
  const dirs = [''];
  const depth = [0];
  const paths = new Set();
  while (paths.size < size) {
    if (rnd() < 0.05 || dirs.length < 20) {
      const pi = Math.floor(rnd() ** 0.7 * dirs.length);
      if (depth[pi] < 7) {
        dirs.push(dirs[pi] + pick(words) + '/');
        depth.push(depth[pi] + 1);
        continue;
      }
    }
    const d = dirs[Math.floor(rnd() * dirs.length)];
    paths.add(d + pick(words) + (rnd() < 0.6 ? '_' + pick(words) : '') + pick(exts));
  }
  const hex = '0123456789abcdef';
  const rhex = () => {
    let h = '';
    for (let i = 0; i < 40; i++) h += hex[Math.floor(rnd() * 16)];
    return h;
  };
  const entries = new Map();
  for (const p of paths) entries.set(p, [rhex(), rnd() < 0.05 ? 'x' : rnd() < 0.01 ? 'l' : '']);
  const sorted = (m) => [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const serialize = (m) => sorted(m).map((p) => `${p}\0${m.get(p)[0]}${m.get(p)[1]}\n`).join('');
  const keys = sorted(entries);
  const w = (name, s) => writeFileSync(path.join(dir, `${size}.${name}`), Buffer.from(s, 'latin1'));
  w('text', serialize(entries));
  // other: 0.5% of lines differ (60% new node, 20% removed, 20% added)
  const other = new Map(entries);
  const nd = Math.round(size * 0.005);
  for (let i = 0; i < nd; i++) {
    const x = rnd();
    const k = pick(keys);
    if (x < 0.6) other.set(k, [rhex(), other.get(k)?.[1] ?? '']);
    else if (x < 0.8) other.delete(k);
    else other.set(pick(dirs) + 'new_' + pick(words) + i + '.txt', [rhex(), '']);
  }
  w('other', serialize(other));
  const lookups = [];
  for (let i = 0; i < 10000; i++) lookups.push(pick(keys) + '\n');
  w('lookups', lookups.join(''));
  const sets = [];
  for (let i = 0; i < 1000; i++) {
    const p = rnd() < 0.9 ? pick(keys) : pick(dirs) + 'added_' + pick(words) + i + '.c';
    sets.push(`${p} ${rhex()} ${rnd() < 0.1 ? 'x' : '-'}\n`);
  }
  w('sets', sets.join(''));
  const ch = new Set();
  while (ch.size < 100) ch.add(pick(keys));
  w('changes', [...ch].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((p) => p + '\n').join(''));
  // the top-level directory holding the most paths
  const counts = new Map();
  for (const p of keys) {
    const t = p.slice(0, p.indexOf('/') + 1);
    if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  w('prefix', top);
}
