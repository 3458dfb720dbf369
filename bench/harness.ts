/**
 * Tiny benchmark harness: every measurement is a ratio against a baseline run in the same
 * process (or the same job), never an absolute time asserted anywhere.
 */
export interface Measurement {
  name: string;
  /** Operations per second (median of the rounds). */
  opsPerSec: number;
  /** Bytes processed per second, when the operation has a byte size. */
  bytesPerSec?: number;
}

/** Milliseconds of CPU time of this process, all threads (user + system). */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * `clock: 'cpu'` counts this process's CPU time instead of wall time: on a shared machine wall
 * time also counts the time other processes hold the cores.
 */
export function measure(name: string, fn: () => unknown, opts: { bytes?: number; minMs?: number; rounds?: number; clock?: 'wall' | 'cpu' } = {}): Measurement {
  const minMs = opts.minMs ?? 300;
  const rounds = opts.rounds ?? 5;
  const now = opts.clock === 'cpu' ? cpuNow : () => performance.now();
  for (let i = 0; i < 3; i++) fn(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < minMs) {
      fn();
      n++;
      t = now();
    }
    rates.push((n * 1000) / (t - t0));
  }
  rates.sort((a, b) => a - b);
  const opsPerSec = rates[Math.floor(rates.length / 2)]!;
  return { name, opsPerSec, ...(opts.bytes ? { bytesPerSec: opsPerSec * opts.bytes } : {}) };
}

export function report(title: string, baseline: Measurement, others: Measurement[]): string {
  const fmt = (m: Measurement) =>
    `  ${m.name.padEnd(44)} ${m.opsPerSec.toFixed(1).padStart(10)} ops/s${m.bytesPerSec ? `  ${(m.bytesPerSec / 1e6).toFixed(1).padStart(8)} MB/s` : ''}  ×${(m.opsPerSec / baseline.opsPerSec).toFixed(2)} of baseline`;
  return [`${title} (baseline: ${baseline.name})`, fmt(baseline), ...others.map(fmt)].join('\n') + '\n';
}
