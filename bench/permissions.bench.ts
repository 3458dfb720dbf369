/**
 * Permission tracking for pmem pages (issue 15, specs/permissions.md): the five designs of
 * src/sim/permissions measured on contiguous grants, grants shaped like real ext4 files (debugfs
 * extents) and every-other-page grants, for 1 to 1,000 domains over 1 GiB and 16 GiB of host pmem,
 * plus the label-page checks a guest's _LSR/_LSW traffic needs; memory measured in a child process
 * with --expose-gc beside each design's formula; then extrapolated to 64 TiB from the measured
 * points. Every line says whether it is [measured] or [extrapolated].
 * Run alone: npx tsx bench/permissions.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BitmapStore, CAPPED_RANGES, createStore, DEFAULT_CHUNK_PAGES, DESIGNS, HybridStore, PmemPermissions, Rangeset, RANGE_STRUCT_SIZE, RANGESET_STRUCT_SIZE, RangesetStore, type DesignName } from '../src/sim/permissions/index.js';
import { PAGE_INFO_SIZE } from '../src/xen/pageInfo.js';
import { makeFileShapes, type FileShape } from './permissions/ext4Extents.js';
import { adversarial, contiguous, fileWorkload, GiB_PAGES, HOST_FIRST, populate, type Workload } from './permissions/workloads.js';

/** Our budgets (specs/permissions.md §4): hypervisor RAM for all domains' pmem permissions, and one step Xen cannot preempt. */
export const RAM_BUDGET = 64 * 2 ** 20;
export const STEP_BUDGET_MS = 1;
/** DSM label traffic: a 128 KiB label area read in 4 KiB _LSR transfers, each one pmem_rw whose page is checked. */
export const LABEL_CHECKS_PER_READ = (128 * 1024) / 4096;

const DOMAINS = [1, 10, 100, 1000];
const C = DEFAULT_CHUNK_PAGES;
const TiB_PAGES = 1024 * GiB_PAGES;
const HOSTS: [string, number][] = [['1 GiB', GiB_PAGES], ['16 GiB', 16 * GiB_PAGES], ['256 GiB', 256 * GiB_PAGES], ['1 TiB', TiB_PAGES], ['4 TiB', 4 * TiB_PAGES], ['16 TiB', 16 * TiB_PAGES], ['64 TiB', 64 * TiB_PAGES]];

interface Cell {
  design: DesignName;
  workload: string;
  domains: number;
  hostGiB: number;
  skipped?: string;
  grantsPerSec?: number;
  complete?: boolean;
  refused?: number;
  maxGrantMs?: number;
  /** One grant + revoke of a spare extent (spareLen pages) past every share, in the final state. */
  probeUs?: number;
  spareLen?: number;
  /** One check of a label page at the end of a domain's share. */
  checkUs?: number;
  /** Ranges (rangeset designs) or tree nodes (hybrid) of domain 1. */
  n?: number;
  xenBytes?: number;
}

function microsPerOp(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < ms);
  return ((t - t0) * 1000) / n;
}

function cell(design: DesignName, w: Workload, domains: number, hostGiB: number, budgetMs: number): Cell {
  const hostPages = hostGiB * GiB_PAGES;
  const base = { design, workload: w.name, domains, hostGiB };
  if (design === 'bitmap' && domains * BitmapStore.bytesPerDomain(hostPages) > 256 * 2 ** 20) return { ...base, skipped: 'bitmaps over 256 MiB here' };
  const p = populate(design, w, domains, hostPages, budgetMs);
  const t = p.table;
  const [sa, sb] = p.spare;
  const probeDom = Math.max(1, p.domainsDone);
  const probeUs = microsPerOp(() => {
    t.grant(probeDom, sa, sb);
    t.revoke(probeDom, sa, sb);
  }, budgetMs / 4);
  const doms = p.lastPage.map((pg, i) => [i + 1, pg] as const).filter(([, pg]) => pg !== undefined);
  let k = 0;
  const checkUs = doms.length
    ? microsPerOp(() => {
        const [d, pg] = doms[k++ % doms.length]!;
        t.check(d, pg, pg);
      }, budgetMs / 4)
    : 0;
  const store = t.store;
  const n = store instanceof RangesetStore ? t.ranges(1).length : store instanceof HybridStore ? store.shape(1).nodes : undefined;
  return {
    ...base,
    grantsPerSec: (p.grants * 1000) / p.ms,
    complete: p.complete,
    refused: Object.values(t.stats.refused).reduce((a, b) => a + b, 0),
    maxGrantMs: p.maxGrantMs,
    probeUs,
    spareLen: sb - sa + 1,
    checkUs,
    ...(n !== undefined ? { n } : {}),
    xenBytes: store.memory().xenBytes,
  };
}

interface MemLine { workload: string; measuredBytes: number; xenBytes: number; where: string; ranges: number; domains: number; grants: number; complete: boolean }

function probeMemory<T>(arg: object): T[] {
  const probe = fileURLToPath(new URL('./permissions/memoryProbe.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, JSON.stringify(arg)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`memory probe ${JSON.stringify(arg).slice(0, 80)} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as T);
}

const measureMemory = (design: DesignName, shapes: FileShape[], domains: number, hostPages: number, budgetMs: number) => probeMemory<MemLine>({ design, domains, hostPages, budgetMs, shapes });

/** What the JavaScript model's own layout should take (to explain measured vs Xen formula). */
function jsModelBytes(design: DesignName, m: MemLine, hostPages: number): number {
  switch (design) {
    case 'rangeset':
    case 'capped':
      return m.ranges * 16; // two arrays of doubles (s, e)
    case 'bitmap':
      return m.domains * Math.ceil(hostPages / 32) * 4; // one Uint32Array per domain
    case 'hybrid':
      return m.xenBytes; // the same nodes and sub-bitmaps; a JS node object is not 48 B (see spec)
    case 'pageowner':
      return hostPages * 6; // Uint16 count_info flags + Uint32 owner per page
  }
}

const fmtB = (b: number) => (b >= 2 ** 40 ? `${(b / 2 ** 40).toFixed(1)} TiB` : b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`);
const fmtR = (r: number | undefined) => (r === undefined ? '-' : r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(r < 10 ? 1 : 0));
const fmtT = (us: number) => (us >= 1e6 ? `${(us / 1e6).toFixed(1)} s` : us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : us >= 1 ? `${us.toFixed(1)} µs` : `${(us * 1000).toFixed(0)} ns`);

/** Ranges a domain holding S pages of workload w has (from the ext4 extents: exact for the tiled shapes). */
const rangesOf = (w: Workload, S: number) => Math.max(1, Math.round(w.rangesPerPage(S) * S));

/** Hybrid Xen bytes for one domain holding S pages of w, as a + b·S fitted on two measured builds. */
function hybridFit(w: Workload): { a: number; b: number } {
  const one = (S: number) => populate('hybrid', w, 1, S, 60_000).table.store.memory().xenBytes;
  const [s1, s2] = [Math.max(GiB_PAGES / 4, w.period), Math.max(GiB_PAGES, 2 * w.period)];
  const [m1, m2] = [one(s1), one(s2)];
  const b = (m2 - m1) / (s2 - s1);
  return { a: m1 - b * s1, b };
}

/** Xen memory by each design's formula for D domains sharing H pages under w. */
function xenMemory(design: DesignName, w: Workload, D: number, H: number, hyb: { a: number; b: number }): { bytes: number; where: 'ram' | 'pmem'; refuses: boolean } {
  const S = Math.floor(H / D);
  const n = rangesOf(w, S);
  switch (design) {
    case 'rangeset':
      return { bytes: D * (RANGESET_STRUCT_SIZE + n * RANGE_STRUCT_SIZE), where: 'ram', refuses: false };
    case 'capped':
      return { bytes: D * (RANGESET_STRUCT_SIZE + Math.min(n, CAPPED_RANGES) * RANGE_STRUCT_SIZE), where: 'ram', refuses: n > CAPPED_RANGES };
    case 'bitmap':
      return { bytes: D * BitmapStore.bytesPerDomain(H), where: 'ram', refuses: false };
    case 'hybrid':
      return { bytes: D * Math.max(0, hyb.a + hyb.b * S), where: 'ram', refuses: false };
    case 'pageowner':
      return { bytes: H * PAGE_INFO_SIZE, where: 'pmem', refuses: false };
  }
}

/**
 * Steps of the longest stretch Xen cannot preempt, in one grant or one check, when each domain holds
 * n ranges (or tree nodes). A rangeset's find_range is one walk under the rangeset's lock; the
 * one-holder check can stop between domains, and the per-page designs between pages
 * (populate_pmem_map returns -ERESTART), so their unit is one page (bitmap: one word), the
 * hybrid's one tree lookup.
 */
function unitSteps(design: DesignName, op: 'grant' | 'check', n: number): number {
  switch (design) {
    case 'rangeset':
    case 'capped':
      return op === 'check' ? n + 1 : 2 * (n + 1);
    case 'bitmap':
      return 1;
    case 'hybrid':
      return Math.log2(n + 1) + 1;
    case 'pageowner':
      return op === 'check' ? 1 : 2;
  }
}

/** Steps of a whole grant of L pages (what domain creation waits for), same model. */
function grantSteps(design: DesignName, n: number, D: number, L: number): number {
  switch (design) {
    case 'rangeset':
    case 'capped':
      return 2 * (n + 1) + D * (n + 1);
    case 'bitmap':
      return D * (Math.ceil(L / 32) + 1);
    case 'hybrid':
      return D * (Math.log2(n + 1) + 1 + Math.min(L, 2 * C) / 32 + L / C);
    case 'pageowner':
      return 2 * L;
  }
}

interface Speed {
  /** µs of one grant+revoke / one check through PmemPermissions on a near-empty state. */
  grantUs: number;
  checkUs: number;
  /** ns per elementary step of the design's cost model (list node, bitmap word, page_info entry, tree level). */
  nsPerStep: number;
  unit: string;
}

/** The anchor: ns per element of the plainest linear search, a Float64Array scanned for a bigger value (fastest of three rounds). */
function anchorNsPerElement(ms: number): number {
  const a = new Float64Array(1 << 20).map((_, i) => i);
  let sink = 0;
  const scan = () => {
    let i = 0;
    for (; i < a.length; i++) if (a[i]! > a.length) break;
    sink += i;
  };
  const us = Math.min(microsPerOp(scan, ms), microsPerOp(scan, ms), microsPerOp(scan, ms));
  if (sink < 0) throw new Error('unreachable');
  return (us * 1000) / a.length;
}

/**
 * [measured] the two constants of each design's time model: the fixed cost of one operation through
 * PmemPermissions, and the cost of one elementary step, timed on one large state per design.
 */
function calibrate(roundMs: number): Map<DesignName, Speed> {
  const out = new Map<DesignName, Speed>();
  // the fastest of three rounds: on a shared machine, slower rounds measure the neighbours
  const microsPerOpMin = (fn: () => void, ms: number) => Math.min(microsPerOp(fn, ms), microsPerOp(fn, ms), microsPerOp(fn, ms));
  const ms = roundMs;
  const P = 1 << 22;
  const host = { first: HOST_FIRST, last: HOST_FIRST + P - 1 };
  for (const d of DESIGNS) {
    const t = new PmemPermissions(createStore(d, { host }));
    t.addDataRegion(host.first, host.last);
    const grantUs = microsPerOpMin(() => {
      t.grant(1, host.first, host.first);
      t.revoke(1, host.first, host.first);
    }, ms) / 2;
    t.grant(1, host.first, host.first);
    const checkUs = microsPerOpMin(() => t.check(1, host.first, host.first), ms);
    let nsPerStep: number;
    let unit: string;
    if (d === 'rangeset' || d === 'capped') {
      const n = 1 << 17;
      const r = Rangeset.fromRanges('calibration', Array.from({ length: n }, (_, i) => ({ first: 2 * i, last: 2 * i })));
      const us = microsPerOpMin(() => r.containsRange(2 * (n - 1), 2 * (n - 1)), ms);
      [nsPerStep, unit] = [(us * 1000) / n, 'list node'];
    } else if (d === 'bitmap' || d === 'pageowner') {
      t.grant(1, host.first, host.last);
      const us = microsPerOpMin(() => t.check(1, host.first, host.last), ms) - checkUs;
      [nsPerStep, unit] = d === 'bitmap' ? [(us * 1000) / (P / 32), 'bitmap word'] : [(us * 1000) / P, 'page_info entry'];
    } else {
      const h = new HybridStore(C);
      for (let i = 0; i < 1 << 14; i++) h.grant(1, 2 * i * C, (2 * i + 1) * C - 1);
      const us = microsPerOpMin(() => h.check(1, 2 * ((1 << 14) - 1) * C, 2 * ((1 << 14) - 1) * C), ms);
      [nsPerStep, unit] = [(us * 1000) / 15, 'tree level'];
    }
    out.set(d, { grantUs, checkUs, nsPerStep: Math.max(0, nsPerStep), unit });
  }
  return out;
}

export async function run(quick = false): Promise<string> {
  const out: string[] = [];
  const say = (s = '') => out.push(s);
  const t0 = performance.now();
  const shapes = makeFileShapes();
  const files = shapes.map(fileWorkload);
  const workloads = [contiguous, ...files, adversarial];
  say('permissions: five designs behind one interface (src/sim/permissions); [measured] on this machine, [extrapolated] from those measurements');
  say(`budgets (ours): ${fmtB(RAM_BUDGET)} of hypervisor RAM for all domains' pmem permissions; ${STEP_BUDGET_MS} ms for one stretch Xen cannot preempt`);
  say('');
  say('[measured] file shapes, one 20 GiB sparse ext4 image (mke2fs, debugfs -w write/fallocate; extents read back with debugfs -R "ex FILE"):');
  for (const w of files) say(`  ${w.name.padEnd(18)} ${w.describe}; ${(w.rangesPerPage(GiB_PAGES) * GiB_PAGES).toFixed(1)} ranges per GiB`);

  const budget = quick ? 60 : 100;
  const sizes = quick ? [1] : [1, 16];
  const cells: Cell[] = [];
  // warm-up: every design's code paths compiled before any cell is timed
  for (const w of workloads) for (const d of DESIGNS) for (const D of [1, 100]) cell(d, w, D, 1, 15);
  for (const hostGiB of sizes) for (const w of workloads) for (const D of DOMAINS) for (const d of DESIGNS) cells.push(cell(d, w, D, hostGiB, budget));

  say('');
  say(`[measured] throughput through PmemPermissions (region check + one-holder check + store). grants/s: building every domain's share in order (budget ${budget} ms, "partial" if it ran out); probe: one grant+revoke of one more extent past all shares in the final state; check: one label page at the end of a share (QEMU's pmem_rw of a label page)`);
  say('  host    workload              D  design       grants/s  longest grant  probe       check    n(d1)  refused  Xen bytes');
  for (const c of cells) {
    const head = `  ${(c.hostGiB + ' GiB').padEnd(6)}  ${c.workload.padEnd(18)} ${String(c.domains).padStart(4)}  ${c.design.padEnd(9)}`;
    if (c.skipped) {
      say(`${head}  not run: ${c.skipped}`);
      continue;
    }
    say(`${head}  ${fmtR(c.grantsPerSec).padStart(9)}  ${fmtT(c.maxGrantMs! * 1000).padStart(12)}  ${fmtT(c.probeUs!).padStart(9)}  ${fmtT(c.checkUs!).padStart(8)}  ${String(c.n ?? '-').padStart(6)}  ${String(c.refused).padStart(7)}  ${fmtB(c.xenBytes!)}${c.complete ? '' : '  (partial)'}`);
  }

  say('');
  const memD = 10;
  const memHost = 4 * GiB_PAGES;
  say(`[measured] memory of ${memD} domains over 4 GiB (child process with --expose-gc: heapUsed + arrayBuffers growth after full GCs) beside the JS model's own layout and Xen's formula; a state under 256 KiB is within the GC noise and not compared:`);
  say('  design     workload             ranges  domains   measured   JS model  Xen formula   measured/JS');
  for (const d of DESIGNS) {
    for (const m of measureMemory(d, shapes, memD, memHost, quick ? 300 : 800)) {
      const js = jsModelBytes(d, m, memHost);
      const ratio = js < 256 * 1024 ? 'too small' : (m.measuredBytes / js).toFixed(2);
      say(`  ${d.padEnd(9)}  ${m.workload.padEnd(18)} ${String(m.ranges).padStart(8)}  ${String(m.domains).padStart(7)}  ${fmtB(m.measuredBytes).padStart(9)}  ${fmtB(js).padStart(9)}  ${fmtB(m.xenBytes).padStart(9)} ${m.where.padEnd(4)}  ${ratio}${m.complete ? '' : ' (partial)'}`);
    }
  }

  say('[measured] memory at scale (the range designs loaded in bulk, a rangeset add being O(n)):');
  for (const l of probeMemory<{ what: string; measuredBytes: number; jsBytes: number; xenBytes: number }>({ scale: true, shapes: [] }))
    say(`  ${l.what.padEnd(62)} measured ${fmtB(l.measuredBytes).padStart(9)}  JS model ${fmtB(l.jsBytes).padStart(9)}  Xen formula ${fmtB(l.xenBytes).padStart(9)}  measured/JS ${(l.measuredBytes / l.jsBytes).toFixed(2)}`);

  const speed = calibrate(quick ? 40 : 80);
  say('');
  const anchorNs = anchorNsPerElement(quick ? 40 : 80);
  say(`[measured] time model constants (JavaScript model on this machine; Xen in C would be faster by a constant factor, the ratios are what carry over). Anchor, same run: ${anchorNs.toFixed(2)} ns per element of a linear search through a Float64Array:`);
  for (const d of DESIGNS) {
    const v = speed.get(d)!;
    say(`  ${d.padEnd(9)}  grant ${fmtT(v.grantUs)}, check ${fmtT(v.checkUs)} on a near-empty state; ${v.nsPerStep.toFixed(2)} ns per ${v.unit} (×${(v.nsPerStep / anchorNs).toFixed(1)} the anchor)`);
  }
  const grantUs = (d: DesignName, steps: number) => speed.get(d)!.grantUs + (speed.get(d)!.nsPerStep * steps) / 1000;
  const checkUsAt = (d: DesignName, steps: number) => speed.get(d)!.checkUs + (speed.get(d)!.nsPerStep * steps) / 1000;

  const hyb = new Map(workloads.map((w) => [w.name, hybridFit(w)]));
  say('');
  say('[measured] hybrid chunk size: Xen bytes per GiB a domain holds (one domain, at least two repetitions of the shape), for chunks of 512, 4096 and 32768 pages (64 B, 512 B, 4 KiB sub-bitmaps):');
  for (const w of workloads.slice(1)) {
    const S = Math.max(GiB_PAGES, 2 * w.period);
    const parts = [512, 4096, C].map((chunk) => {
      const st = populate('hybrid', w, 1, S, 60_000, chunk).table.store as HybridStore;
      const { nodes, bitmaps } = st.shape();
      return `${chunk}: ${fmtB(st.memory().xenBytes / (S / GiB_PAGES))}/GiB (${nodes} nodes, ${bitmaps} sub-bitmaps)`;
    });
    say(`  ${w.name.padEnd(18)} over ${(S / GiB_PAGES).toFixed(1)} GiB: ${parts.join(' | ')}`);
  }
  say('');
  say(`[extrapolated] where each design breaks: the smallest host (of ${HOSTS.map(([n]) => n).join(', ')}) at which its Xen RAM exceeds ${fmtB(RAM_BUDGET)}, one unpreemptible stretch exceeds ${STEP_BUDGET_MS} ms, its checks fall short of ${LABEL_CHECKS_PER_READ}·D label checks/s, or (capped) it refuses the grants. Memory from the formulas (hybrid: fitted on measured builds of one domain); time from the constants above.`);
  for (const w of workloads) {
    say(`  ${w.name}:`);
    for (const D of DOMAINS) {
      const parts = DESIGNS.map((d) => {
        for (const [hn, H] of HOSTS) {
          const S = Math.floor(H / D);
          const n = d === 'hybrid' ? Math.max(1, Math.round((hyb.get(w.name)!.a + hyb.get(w.name)!.b * S) / 4096)) : rangesOf(w, S);
          const m = xenMemory(d, w, D, H, hyb.get(w.name)!);
          const stepUs = grantUs(d, unitSteps(d, 'grant', n));
          const checkUs = checkUsAt(d, unitSteps(d, 'check', n));
          const why = m.refuses ? 'refuses' : m.where === 'ram' && m.bytes > RAM_BUDGET ? `RAM ${fmtB(m.bytes)}` : stepUs > STEP_BUDGET_MS * 1000 ? `step ${fmtT(stepUs)}` : checkUs > STEP_BUDGET_MS * 1000 || 1e6 / checkUs < LABEL_CHECKS_PER_READ * D ? `check ${fmtT(checkUs)}` : '';
          if (why) return `${d} ${hn} (${why})`;
        }
        const m = xenMemory(d, w, D, 64 * TiB_PAGES, hyb.get(w.name)!);
        return `${d} holds (${fmtB(m.bytes)}${m.where === 'pmem' ? ' pmem' : ''} at 64 TiB)`;
      });
      say(`    D=${String(D).padEnd(4)} ${parts.join(' | ')}`);
    }
  }

  say('');
  say('[extrapolated] 64 TiB, whole-grant time of one share (what creating the domain waits for; preemptible except in the rangeset designs):');
  for (const w of workloads)
    for (const D of [1, 1000]) {
      const S = Math.floor((64 * TiB_PAGES) / D);
      const L = Math.max(1, Math.round(w.meanGrant(S)));
      const grants = Math.max(1, Math.round(S / L));
      const parts = DESIGNS.filter((d) => d !== 'capped').map((d) => {
        const n = rangesOf(w, S);
        // building in order: the average grant meets half the final ranges
        const us = grants * grantUs(d, grantSteps(d, d === 'rangeset' ? n / 2 : n, D, L));
        return `${d} ${fmtT(us)}`;
      });
      say(`  ${w.name.padEnd(18)} D=${String(D).padEnd(4)} ${grants} grants of ${L} pages: ${parts.join(' | ')}`);
    }
  say('');
  say(`[extrapolated] DSM label traffic: one-page checks per second of a label page at the end of a domain's share, against the ${LABEL_CHECKS_PER_READ}·D a second that all D guests reading their 128 KiB label areas in 4 KiB _LSR transfers within one second would need:`);
  for (const w of [files[0]!, files[files.length - 1]!, adversarial])
    for (const [hn, H] of [HOSTS[0]!, HOSTS[3]!, HOSTS[6]!])
      for (const D of [1, 1000]) {
        const S = Math.floor(H / D);
        const parts = DESIGNS.map((d) => {
          const n = d === 'hybrid' ? Math.max(1, Math.round((hyb.get(w.name)!.a + hyb.get(w.name)!.b * S) / 4096)) : rangesOf(w, S);
          const perSec = 1e6 / checkUsAt(d, unitSteps(d, 'check', Math.min(n, d === 'capped' ? CAPPED_RANGES : n)));
          return `${d} ${fmtR(perSec)}${perSec < LABEL_CHECKS_PER_READ * D ? ' SHORT' : ''}`;
        });
        say(`  ${w.name.padEnd(18)} ${hn.padEnd(6)} D=${String(D).padEnd(4)} need ${fmtR(LABEL_CHECKS_PER_READ * D).padStart(5)}/s: ${parts.join(' | ')}`);
      }
  say('');
  say(`crossover, memory [formula]: a rangeset of n ranges costs 32n B, a flat bitmap H/8 B per domain; for a domain holding S = H/D pages in r ranges per page, the rangeset is smaller while r < D/256 (D=1: runs longer than 1 MiB on average).`);
  say(`bench time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out.join('\n') + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(await run(process.argv.includes('--quick')));
