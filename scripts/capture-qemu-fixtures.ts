/**
 * Regenerates fixtures/qemu/ from real QEMU 7.2 (TCG + SeaBIOS):
 *   npx tsx scripts/capture-qemu-fixtures.ts [--only NAME]
 * NAME is a configuration, a rejected configuration or `qom-order`. Without --only, everything is
 * rebuilt. The top-level index.json (versions, config list, sha256 of every file) is always rewritten.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AcpiTable } from '../test/harness/acpi-walk.js';
import { nfitDimmOrder } from '../test/harness/nfit-handles.js';
import { captureAcpi, qemuVersion, QemuRefusedError, type AcpiCapture } from '../test/harness/qemu.js';
import { shellLine } from '../test/harness/shell-quote.js';
import { FIXTURE_CONFIGS, REJECTED_CONFIGS, type FixtureConfig, type RejectedConfig } from './qemu-fixture-configs.js';
import { qomPlatform, randomIdSets, snapshotQom, type QomSnapshot } from './qom-order.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'qemu');
/** Fixed (not mkdtemp) so that qemu-cmdline.txt is identical on every regeneration. */
const WORKDIR = join(tmpdir(), 'nvtool-qemu-capture');

const hex = (n: number): string => `0x${n.toString(16)}`;
const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const problems: string[] = [];

function tableFileNames(tables: AcpiTable[]): string[] {
  const used = new Set<string>();
  return tables.map((t) => {
    const base = t.signature === 'SSDT' ? `SSDT-${t.oemTableId.replace(/[\0 ]+$/, '') || 'unnamed'}` : t.signature;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return `${name}.aml`;
  });
}

function dimmOrder(capture: AcpiCapture<QomSnapshot>): { handle: number; spaBase: string; name: string | null }[] {
  if (!capture.nfit) return [];
  const nameBySlot = new Map(Object.entries(capture.inspected.slotOf).map(([name, slot]) => [slot, name]));
  return nfitDimmOrder(capture.nfit.bytes).map(({ handle, spaBase }) => ({
    handle,
    spaBase: hex(spaBase),
    name: nameBySlot.get(handle - 1) ?? null,
  }));
}

async function captureConfig(config: FixtureConfig): Promise<Record<string, unknown>> {
  const capture = await captureAcpi(config.platform, { workdir: WORKDIR, inspect: snapshotQom });
  const dir = join(OUT, config.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'platform.json'), json(config.platform));
  await writeFile(join(dir, 'qemu-cmdline.txt'), `${shellLine(capture.argv)}\n`);

  if (!capture.nfit) problems.push(`${config.name}: no NFIT`);
  if (!capture.nvdimmSsdt) problems.push(`${config.name}: no NVDIMM SSDT`);
  const names = tableFileNames(capture.tables);
  const tables = [];
  for (const [i, table] of capture.tables.entries()) {
    const keep = config.allTables || table === capture.nfit || table === capture.nvdimmSsdt;
    if (keep) await writeFile(join(dir, names[i]!), table.bytes);
    tables.push({
      signature: table.signature,
      oemId: table.oemId,
      oemTableId: table.oemTableId,
      address: hex(table.address),
      length: table.bytes.length,
      sha256: sha256(table.bytes),
      file: keep ? names[i] : null,
    });
  }
  const qom = capture.inspected;
  await writeFile(
    join(dir, 'index.json'),
    json({
      name: config.name,
      argv: capture.argv,
      stderr: capture.stderr,
      mema: capture.mema === undefined ? null : hex32(capture.mema),
      rsdp: { address: hex(capture.rsdp.address), revision: capture.rsdp.revision, oemId: capture.rsdp.oemId },
      tables,
      nfitDimmOrder: dimmOrder(capture),
      qom: { machine: qom.machine, peripheral: qom.peripheral, peripheralAnon: qom.peripheralAnon, slotOf: qom.slotOf },
      memoryDevices: qom.memoryDevices,
    }),
  );
  return {
    name: config.name,
    refused: false,
    machine: config.platform.machine.type,
    slots: config.platform.memory.slots ?? null,
    dimms: config.platform.nvdimms.length,
    nfitLength: capture.nfit?.bytes.length ?? null,
    nvdimmSsdtLength: capture.nvdimmSsdt?.bytes.length ?? null,
    mema: capture.mema === undefined ? null : hex32(capture.mema),
    allTables: config.allTables ?? false,
  };
}

async function captureRejected(config: RejectedConfig): Promise<Record<string, unknown>> {
  const dir = join(OUT, 'rejected', config.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'platform.json'), json(config.platform));
  try {
    const capture = await captureAcpi(config.platform, { workdir: WORKDIR });
    problems.push(`rejected/${config.name}: QEMU accepted it`);
    await writeFile(join(dir, 'qemu-cmdline.txt'), `${shellLine(capture.argv)}\n`);
    await writeFile(join(dir, 'stderr.txt'), capture.stderr);
    return { name: `rejected/${config.name}`, refused: false, expectedMessage: config.expectedMessage };
  } catch (err) {
    if (!(err instanceof QemuRefusedError)) throw err;
    await writeFile(join(dir, 'qemu-cmdline.txt'), `${shellLine(err.argv)}\n`);
    await writeFile(join(dir, 'stderr.txt'), err.stderr);
    const matches = err.stderr.includes(config.expectedMessage);
    if (!matches) problems.push(`rejected/${config.name}: stderr lacks ${JSON.stringify(config.expectedMessage)}`);
    return {
      name: `rejected/${config.name}`,
      refused: true,
      exitCode: err.exitCode,
      expectedMessage: config.expectedMessage,
      stderrMatchesReference: matches,
    };
  }
}

async function captureQomOrder(): Promise<void> {
  const idSets: { ids: (string | null)[]; machine?: 'q35' }[] = [
    ['nv0', 'nv1', 'nv2', 'nv3'],
    Array.from({ length: 8 }, (_, i) => `nv${i}`),
    Array.from({ length: 12 }, (_, i) => `nv${i}`),
    ['dimm-x', 'pmem', 'nvdimm1', 'foo', 'zz', 'q'],
    [null, null, null],
    // Named and anonymous mixed: the order of the two containers in /machine matters too.
    ['nv0', null, 'nv1'],
    [null, 'a', null, 'b'],
    ...randomIdSets(15, 0x5eed_2024),
  ].map((ids) => ({ ids }));
  // q35's /machine has other children than pc's: check the container order there too.
  idSets.push({ ids: ['nv0', null, 'nv1'], machine: 'q35' }, { ids: ['nv0', 'nv1', 'nv2', 'nv3'], machine: 'q35' });
  const entries = [];
  for (const { ids, machine = 'pc' } of idSets) {
    const capture = await captureAcpi(qomPlatform(ids, machine), { workdir: WORKDIR, inspect: snapshotQom });
    const qom = capture.inspected;
    entries.push({
      machine,
      ids,
      qomList: qom.peripheral,
      qomListAnon: qom.peripheralAnon,
      machineChildren: qom.machine,
      nfitOrder: dimmOrder(capture).map((d) => d.name),
      nfitHandles: dimmOrder(capture).map((d) => d.handle),
    });
  }
  await writeFile(join(OUT, 'qom-order.json'), json(entries));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

function packageVersions(): string {
  try {
    return execFileSync('dpkg-query', ['-W', 'qemu-system-x86', 'seabios'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (err) {
    return `dpkg-query failed: ${(err as Error).message}`;
  }
}

async function writeTopIndex(summaries: Record<string, unknown>[]): Promise<void> {
  const previous = await readFile(join(OUT, 'index.json'), 'utf8')
    .then((text) => JSON.parse(text) as { configs?: Record<string, unknown>[] })
    .catch(() => ({ configs: [] }));
  const byName = new Map((previous.configs ?? []).map((c) => [c.name as string, c]));
  for (const summary of summaries) byName.set(summary.name as string, summary);
  const order = [...FIXTURE_CONFIGS.map((c) => c.name), ...REJECTED_CONFIGS.map((c) => `rejected/${c.name}`)];
  const configs = order.flatMap((name) => (byName.has(name) ? [byName.get(name)!] : []));

  const files: Record<string, string> = {};
  for (const path of await filesUnder(OUT)) {
    const rel = relative(OUT, path);
    if (rel !== 'index.json') files[rel] = sha256(await readFile(path));
  }
  await writeFile(
    join(OUT, 'index.json'),
    json({
      generatedBy: 'npx tsx scripts/capture-qemu-fixtures.ts',
      qemuVersion: await qemuVersion(),
      packages: packageVersions(),
      accel: 'tcg',
      firmware: 'SeaBIOS (QEMU default bios-256k.bin)',
      configs,
      files,
    }),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  if (onlyAt >= 0 && !only) throw new Error('--only needs a NAME');
  const wanted = (name: string): boolean => only === undefined || only === name;
  const known = [...FIXTURE_CONFIGS.map((c) => c.name), ...REJECTED_CONFIGS.map((c) => c.name), 'qom-order'];
  if (only !== undefined && !known.includes(only.replace(/^rejected\//, ''))) {
    throw new Error(`unknown configuration ${only}; known: ${known.join(' ')}`);
  }

  await mkdir(OUT, { recursive: true });
  const summaries: Record<string, unknown>[] = [];
  for (const config of FIXTURE_CONFIGS.filter((c) => wanted(c.name))) {
    const started = Date.now();
    summaries.push(await captureConfig(config));
    console.log(`${config.name}: ${Date.now() - started} ms`);
  }
  for (const config of REJECTED_CONFIGS.filter((c) => wanted(c.name) || wanted(`rejected/${c.name}`))) {
    summaries.push(await captureRejected(config));
    console.log(`rejected/${config.name}: done`);
  }
  if (wanted('qom-order')) {
    await captureQomOrder();
    console.log('qom-order: done');
  }
  await writeTopIndex(summaries);
  await rm(WORKDIR, { recursive: true, force: true });

  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}

await main();
