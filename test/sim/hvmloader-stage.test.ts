/**
 * The qemu stage's hand-over and the hvmloader stage on real runs: v4 (fw_cfg files) and v1
 * (xenstore.txt + the DM ACPI buffer in memory.img). The guest's tables are read back from
 * memory.img by the test harness's independent walker; a user's edit between the stages
 * (a blacklisted device name in xenstore.txt, a loader entry out of bounds) is what hvmloader sees.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeLoader, encodeLoader } from '../../src/acpi/loader/index.js';
import { runStage, startRun, type SimDir } from '../../src/sim/index.js';
import { GuestMemory } from '../../src/sim/hvmloader/index.js';
import { findRsdp, walkAcpiTables } from '../harness/acpi-walk.js';
import { runCli } from '../support/cli.js';
import { validateCliJson } from '../support/schemas.js';

const cfg = (name: string, v: string) => `name = "${name}"\nbuilder = "hvm"\nmemory = 1032\nvcpus = 2\nvnvdimms = [ ${v} ]\n`;

async function v4Run(d: string): Promise<SimDir> {
  writeFileSync(join(d, 'g1.cfg'), cfg('g1', `'type=mfn, backend=0x110000, nr_pages=0x8000, nr_label_pages=32'`));
  writeFileSync(join(d, 'g2.cfg'), cfg('g2', `'type=mfn, backend=0x1000, nr_pages=0x1000'`));
  writeFileSync(join(d, 's.json'), JSON.stringify({
    design: 'v4',
    host: { platform: { machine: { type: 'pc' }, memory: { size: '1G', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
    xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
    guests: [{ name: 'g1', config: 'g1.cfg' }, { name: 'g2', config: 'g2.cfg' }],
  }));
  const dir = await startRun(join(d, 's.json'), join(d, 'run'));
  for (const s of ['xen', 'dom0', 'xl', 'qemu']) await runStage(dir, s);
  return dir;
}

async function walk(dir: SimDir, guest: string) {
  const r = GuestMemory.reader(dir.path(`guests/${guest}/memory.img`));
  try {
    const rsdp = findRsdp(r.read(0xe0000, 0x20000), 0xe0000)!;
    return await walkAcpiTables(async (a, n) => r.read(a, n), rsdp);
  } finally {
    r.close();
  }
}

describe('v4: fw_cfg files from QEMU, hvmloader runs the table-loader', () => {
  let dir: SimDir;
  beforeAll(async () => {
    dir = await v4Run(mkdtempSync(join(tmpdir(), 'nvtool-hvm4-')));
    await runStage(dir, 'hvmloader');
  }, 120_000);

  it("the running guest gets Xen's tables plus QEMU's NFIT (byte-identical to qemu/nfit.aml) and SSDT; acpi/ holds what the guest finds", async () => {
    const tables = await walk(dir, 'g1');
    expect(tables.map((t) => t.signature)).toEqual(['XSDT', 'FACP', 'DSDT', 'FACS', 'APIC', 'NFIT', 'SSDT']);
    const nfit = tables.find((t) => t.signature === 'NFIT')!;
    expect(Buffer.from(nfit.bytes).equals(readFileSync(dir.path('guests/g1/qemu/nfit.aml')))).toBe(true);
    for (const t of tables) {
      const name = t.signature === 'FACP' ? 'FACP.aml' : `${t.signature}.aml`;
      expect(Buffer.from(t.bytes).equals(readFileSync(dir.path(`guests/g1/acpi/${name}`))), name).toBe(true);
    }
    const j = dir.readJson<any>('guests/g1/hvmloader.json');
    expect(j.xsdtEntries.map((e: any) => `${e.signature}:${e.origin}`)).toEqual(['FACP:xen', 'APIC:xen', 'NFIT:dm', 'SSDT:dm']);
  });

  it('nvtool sim mappings: each vNVDIMM run from guest range to host frames to the host image offset (SPA base read from host/nfit.aml by hand)', async () => {
    const nfit = readFileSync(dir.path('host/nfit.aml'));
    // first NFIT structure at 40: an SPA range (type 0); its base at +32 (ACPI 6.5 §5.2.26.2)
    expect(nfit.readUInt16LE(40)).toBe(0);
    const spaBase = nfit.readBigUInt64LE(40 + 32);
    const out = await runCli(['sim', 'mappings', dir.root, '--json']);
    expect(out.code).toBe(0);
    const v = (validateCliJson('sim-mappings', out.stdout) as any).guests;
    const g1 = v.find((x: any) => x.guest === 'g1');
    const mapped = dir.readJson<any>('guests/g1/mappings.json').mapped;
    const runs = [...g1.vnvdimms.flatMap((d: any) => d.runs), ...g1.other];
    expect(runs).toHaveLength(mapped.length);
    for (const r of mapped) {
      const row = runs.find((x: any) => x.hostSpa.start === Number(BigInt(r.mfn) * 4096n));
      expect(row.image).toBe('host/nv0.img');
      expect(row.imageOffset).toBe(Number(BigInt(r.mfn) * 4096n - spaBase));
      expect(row.guest.start).toBe(Number(BigInt(r.gfn) * 4096n));
    }
    expect(g1.vnvdimms[0].runs.length).toBeGreaterThan(0);
    const text = await runCli(['sim', 'mappings', dir.root]);
    expect(text.stdout).toMatch(/^g1: running\n  \S+ \(slot 0\) guest 0x[0-9a-f]+-0x[0-9a-f]+\n    data  guest 0x/);
    expect(text.stdout).toMatch(/g2: failed/);
  });

  it('a guest whose creation failed gets no firmware run', () => {
    expect(dir.readJson<any>('guests/g2/mappings.json').status).toBe('failed');
    expect(dir.exists('guests/g2/memory.img')).toBe(false);
    expect(dir.exists('guests/g2/hvmloader.json')).toBe(false);
  });

  it('an ADD_POINTER edited to point past its file, between the stages: no QEMU table at all, the loader entry named', async () => {
    const d = await v4Run(mkdtempSync(join(tmpdir(), 'nvtool-hvm4e-')));
    const f = 'guests/g1/fw_cfg/etc/table-loader';
    const entries = decodeLoader(d.readBytes(f));
    const i = entries.findIndex((e) => e.u.addPointer);
    entries[i]!.u.addPointer!.offset = 0xfffffffe;
    d.writeBytes(f, encodeLoader(entries));
    await runStage(d, 'hvmloader');
    expect((await walk(d, 'g1')).map((t) => t.signature)).toEqual(['XSDT', 'FACP', 'DSDT', 'FACS', 'APIC']);
    const j = d.readJson<any>('guests/g1/hvmloader.json');
    expect(j.dmDecisions[0].reason).toMatch(new RegExp(`^entry ${i}: ADD_POINTER etc/acpi/tables: offset 4294967294`));
  }, 120_000);
});

describe('v1: xenstore dm-acpi keys and the DM ACPI page', () => {
  let dir: SimDir;
  let d: string;
  beforeAll(async () => {
    d = mkdtempSync(join(tmpdir(), 'nvtool-hvm1-'));
    writeFileSync(join(d, 'a1.cfg'), `name = "a1"\nmemory = 520\nvnvdimm = [ '/mnt/dax/w.pmem' ]\n`);
    writeFileSync(join(d, 's.json'), JSON.stringify({
      design: 'v1', seed: 'hvm-v1',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
      dom0: { nv0: { labelVersion: '1.2', namespaces: [
        { name: 'xenpmem', size: '1G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt/dax', files: [{ path: 'w.pmem', size: '8M' }] } },
      ] } },
      guests: [{ name: 'a1', config: 'a1.cfg', mapping: 'memory_mapping' }],
    }));
    dir = await startRun(join(d, 's.json'), join(d, 'run'));
    for (const s of ['dom0', 'xen', 'xl', 'qemu']) await runStage(dir, s);
  }, 180_000);

  it("QEMU's keys in xenstore-ls -f form: address/length in hex, each blob's type/offset/length in decimal", () => {
    expect(dir.readJson<any>('guests/a1/mappings.json').status).toBe('running');
    const xs = readFileSync(dir.path('guests/a1/xenstore.txt'), 'utf8');
    const domid = dir.readJson<any>('guests/a1/xl.json').domid;
    const root = `/local/domain/${domid}/hvmloader/dm-acpi`;
    expect(xs).toContain(`${root}/address = "0xfbfff000"\n${root}/length = "0x1000"\n`);
    expect(xs).toMatch(new RegExp(`${root}/NFIT/type = "0"\\n${root}/NFIT/offset = "0"\\n${root}/NFIT/length = "\\d+"`));
    expect(xs).toMatch(new RegExp(`${root}/NVDR/type = "1"\\n${root}/NVDR/offset = "\\d+"\\n${root}/NVDR/length = "\\d+"`));
  });

  it('hvmloader appends the NFIT (checksum recomputed) and NVDR wrapped as an SSDT; a PCI0 rename in xenstore.txt is refused', async () => {
    const copy = join(d, 'run2');
    const { execFileSync } = await import('node:child_process');
    execFileSync('cp', ['-a', '--sparse=always', dir.root, copy]);
    await runStage(dir, 'hvmloader');
    const tables = await walk(dir, 'a1');
    expect(tables.map((t) => t.signature)).toEqual(['XSDT', 'FACP', 'DSDT', 'FACS', 'APIC', 'NFIT', 'SSDT']);
    expect(tables.find((t) => t.signature === 'SSDT')!.oemTableId).toBe('HVM\0\0\0\0\0');
    const { SimDir: Dir } = await import('../../src/sim/runDir.js');
    const edited = new Dir(copy);
    const x = readFileSync(edited.path('guests/a1/xenstore.txt'), 'utf8').replaceAll('/NVDR', '/PCI0');
    writeFileSync(edited.path('guests/a1/xenstore.txt'), x);
    await runStage(edited, 'hvmloader');
    expect((await walk(edited, 'a1')).map((t) => t.signature)).toEqual(['XSDT', 'FACP', 'DSDT', 'FACS', 'APIC', 'NFIT']);
    expect(edited.readJson<any>('guests/a1/hvmloader.json').dmDecisions.find((x: any) => x.what === 'PCI0').reason).toBe("device name PCI0 is on Xen's blacklist");
  });
});

describe('v3: xenstore as in v1, the NVDR body without _FIT (QEMU 6ba9054453)', () => {
  it("a v3 run: 4-page DM ACPI buffer, NFIT and NVDR appended; iasl shows Device (NVDR) with NV00/NV01 and no _FIT, v1's body has one", async () => {
    const d = mkdtempSync(join(tmpdir(), 'nvtool-hvm3-'));
    writeFileSync(join(d, 'g1.cfg'), cfg('g1', `'type=mfn, backend=0x110000, nr_pages=0x8000, nr_label_pages=32'`));
    writeFileSync(join(d, 's.json'), JSON.stringify({
      design: 'v3',
      host: { platform: { machine: { type: 'pc' }, memory: { size: '1G', slots: 2, maxmem: '64G' }, nvdimms: [{ id: 'nv0', size: '2G', labelSize: '128K' }] } },
      xl: ['pmem-setup -m 0x100000 0x108000', 'pmem-setup -d 0x108000 0x170000 0x100000 0x108000'],
      guests: [{ name: 'g1', config: 'g1.cfg' }],
    }));
    const dir = await startRun(join(d, 's.json'), join(d, 'run'));
    for (const s of ['xen', 'dom0', 'xl', 'qemu', 'hvmloader']) await runStage(dir, s);
    expect(readFileSync(dir.path('guests/g1/xenstore.txt'), 'utf8')).toContain('/hvmloader/dm-acpi/length = "0x4000"\n');
    const tables = await walk(dir, 'g1');
    expect(tables.map((t) => t.signature)).toEqual(['XSDT', 'FACP', 'DSDT', 'FACS', 'APIC', 'NFIT', 'SSDT']);
    const { iaslDisassemble } = await import('../support/iasl.js');
    const { nvdrBody } = await import('../../src/sim/handover/index.js');
    const { wrapNamespaceDevice } = await import('../../src/sim/hvmloader/index.js');
    // one table per iasl run: disassembled together they would share a namespace (NVDR twice)
    const [v3] = iaslDisassemble([tables.find((t) => t.signature === 'SSDT')!.bytes]);
    const [v1] = iaslDisassemble([wrapNamespaceDevice('NVDR', nvdrBody(2, true)) as Uint8Array]);
    expect(v3).toMatch(/Device \(NVDR\)/);
    expect(v3).toMatch(/Device \(NV01\)/);
    expect(v3).not.toMatch(/_FIT/);
    expect(v1).toMatch(/Method \(_FIT/);
  }, 120_000);
});
