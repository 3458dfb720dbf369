/**
 * Real Linux reads a simulated guest's tables (issue 12, "Real Linux reads the guest's tables").
 *
 * A v4 and a v3 run (host -> xen -> dom0 -> xl -> qemu -> hvmloader) each give guest vm1 a 32 MiB
 * label-less vNVDIMM mapped from the Xen data region of the host NVDIMM. For each, the test
 *  - writes marker bytes into the host image at the frames Xen mapped for two guest pages,
 *  - assembles a backing file holding what the guest's vNVDIMM exposes: for each mapped run (in
 *    guest-address order), the host image bytes at its offset (sim mappings: host frames -> image),
 *  - boots the real kernel (test/harness/linux-guest) with one QEMU NVDIMM of that size backed by
 *    that file, and the guest's NFIT and NVDIMM SSDT as found in its memory (guests/vm1/acpi/,
 *    extracted from memory.img by the RSDP/XSDT walk) handed over as initrd table overrides.
 *
 * Changed in the guest's tables, and only because the override mechanism needs it: the OEM Revision
 * (1 -> 2; a table with the firmware table's ids replaces it only with a strictly higher revision,
 * drivers/acpi/tables.c acpi_table_initrd_override), in v3 the SSDT's OEM ID and OEM Table ID, and
 * the checksums. The NFIT's ids and v4's SSDT ids are QEMU's ("BOCHS " / "BXPC", "NVDIMM"), those
 * of the KVM firmware's tables, so both replace (not add to) the firmware's. v3's SSDT is NVDR
 * wrapped by hvmloader under Xen's ids ("Xen", "HVM"): added as is, it would be a second \_SB.NVDR
 * beside QEMU's, so it takes the ids of QEMU's SSDT; it has no _FIT (QEMU 6ba9054453), so Linux reads
 * the NFIT table. In v4 hvmloader does not wrap the SSDT (the
 * table-loader places QEMU's own SSDT); its `MEMA` still names the DSM buffer hvmloader allocated in
 * the Xen guest (0xfc00xxxx), which is no RAM in this KVM guest, so the `_FIT` call fails there and
 * Linux's nfit driver uses the NFIT table (acpi_nfit_add falls back to it): what the kernel reads
 * is the guest's NFIT.
 *
 * The harness's QEMU (512 MiB RAM, one slot) puts its NVDIMM at the hotplug base 0x100000000; the
 * sim's guest (memory = 520: 512 MiB RAM + 8 MiB video) has its vNVDIMM there too (layout.json),
 * and the markers read back at their guest offsets show the bytes are where the NFIT says.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acpiTableHeader } from '../../src/acpi/header.js';
import { acpiChecksumFor } from '../../src/core/checksum/acpi.js';
import { runAll } from '../../src/sim/index.js';
import { guestMappingViews } from '../../src/sim/guestMappings.js';
import { runGuest } from '../harness/linux-guest/guest.js';
import { readRange, writeRange } from '../support/files.js';
import { MiB, workDir, writeScenario } from './helpers.js';

const work = workDir('nvtool-guest-tables-linux-');
afterAll(() => work.cleanup());

const PAGE = 4096;
const OVERRIDE_OEM_REVISION = 2;

/**
 * The table with the OEM Revision the override needs, the OEM ID and OEM Table ID of `idsOf` (the
 * firmware table it must replace) when given, and its checksum recomputed.
 */
function forOverride(table: Uint8Array, idsOf?: Uint8Array): Uint8Array {
  const t = Uint8Array.from(table);
  const view = new DataView(t.buffer);
  if (idsOf) {
    for (const f of ['oemId', 'oemTableId'] as const) {
      const at = acpiTableHeader.offsetOf(f);
      const n = acpiTableHeader.offsetOf(f === 'oemId' ? 'oemTableId' : 'oemRevision') - at;
      t.set(idsOf.subarray(at, at + n), at);
    }
  }
  expect(view.getUint32(acpiTableHeader.offsetOf('oemRevision'), true)).toBeLessThan(OVERRIDE_OEM_REVISION);
  view.setUint32(acpiTableHeader.offsetOf('oemRevision'), OVERRIDE_OEM_REVISION, true);
  const at = acpiTableHeader.offsetOf('checksum');
  t[at] = 0;
  t[at] = acpiChecksumFor(t, at);
  return t;
}

const hexNum = (s: string | bigint) => Number(BigInt(s));

describe("real Linux reads a guest's NFIT and NVDIMM SSDT over the bytes its mappings expose (one boot per design)", () => {
  for (const design of ['v4', 'v3'] as const) it(`${design}: the kernel takes both tables, ndctl shows the region at the guest address and the label-less namespace, the markers read back`, async () => {
    const at = (rel: string) => join(work.path, design, rel);
    mkdirSync(at('.'));
    writeFileSync(at('vm1.cfg'), `name = "vm1"\nbuilder = "hvm"\nmemory = 520\nvcpus = 1\nvnvdimms = [ 'type=mfn, backend=0x110000, nr_pages=0x2000' ]\n`);
    const scenario = writeScenario(at('.'), 's.json', {
      design,
      host: { platform: { machine: { type: 'pc' }, memory: { size: '512M', slots: 2, maxmem: '8G' }, nvdimms: [{ id: 'nv0', size: '1G', labelSize: '128K' }] } },
      // management region 64 MiB at the start of the host pmem, data region up to the last 2 MiB-aligned frame
      xl: ['pmem-setup -m 0x100000 0x104000', 'pmem-setup -d 0x104000 0x13e000 0x100000 0x104000'],
      guests: [{ name: 'vm1', config: 'vm1.cfg' }],
    });
    const dir = await runAll(scenario, at('run'));
    const g = 'guests/vm1';
    expect(dir.readJson<any>(`${g}/mappings.json`).status).toBe('running');
    const layout = dir.readJson<any>(`${g}/layout.json`);
    expect(layout.nvdimms).toHaveLength(1);
    const base = hexNum(layout.nvdimms[0].addr);
    const size = hexNum(layout.nvdimms[0].pmemSize);
    expect(layout.nvdimms[0].labelSize).toBe('0x0');
    expect(size).toBe(32 * MiB);

    const view = guestMappingViews(dir).find((v) => v.guest === 'vm1')!;
    const runs = [...view.vnvdimms[0]!.runs].sort((a, b) => hexNum(a.guest.start) - hexNum(b.guest.start));
    // the runs cover the vNVDIMM's range without a gap
    expect(runs.reduce((at, r) => (expect(hexNum(r.guest.start)).toBe(at), hexNum(r.guest.end) + 1), base)).toBe(base + size);
    const hostAt = (guestOffset: number) => {
      const r = runs.find((x) => base + guestOffset >= hexNum(x.guest.start) && base + guestOffset <= hexNum(x.guest.end))!;
      return { image: dir.path(r.image!), offset: hexNum(r.imageOffset!) + (base + guestOffset - hexNum(r.guest.start)) };
    };

    // Markers through the guest's mapping, in the host image.
    const marks = [{ at: 3 * PAGE + 0x10, text: 'nvtool-guest-p3.' }, { at: size - PAGE, text: 'nvtool-guest-end' }];
    for (const m of marks) {
      const h = hostAt(m.at);
      writeRange(h.image, h.offset, Buffer.from(m.text, 'latin1'));
    }

    // The backing file: the host image bytes each run exposes, at the run's guest offset.
    const backing = at('vm1-vnvdimm.img');
    writeFileSync(backing, '');
    for (const r of runs) {
      const bytes = readRange(dir.path(r.image!), hexNum(r.imageOffset!), r.pages * PAGE);
      writeRange(backing, hexNum(r.guest.start) - base, bytes);
    }

    // The tables as the guest finds them (RSDP -> XSDT walk of memory.img).
    expect(readdirSync(dir.path(`${g}/acpi`)).filter((f) => /^(NFIT|SSDT)/.test(f)).sort()).toEqual(['NFIT.aml', 'SSDT.aml']);
    const nfit = forOverride(dir.readBytes(`${g}/acpi/NFIT.aml`));
    // v4: QEMU's own SSDT, placed by the table-loader (QEMU's ids). v3: NVDR wrapped by hvmloader
    // under Xen's ids, which would add a second \_SB.NVDR beside the firmware's: it gets the ids of
    // the SSDT QEMU builds (qemu/nvdimm-ssdt.aml, equal to real QEMU 7.2's: xl-qemu-v4.test.ts).
    const found = dir.readBytes(`${g}/acpi/SSDT.aml`);
    const tableId = acpiTableHeader.offsetOf('oemTableId');
    expect(Buffer.from(found.subarray(tableId, tableId + 8)).toString('latin1')).toBe(design === 'v3' ? 'HVM\0\0\0\0\0' : 'NVDIMM\0\0');
    const ssdt = forOverride(found, design === 'v3' ? dir.readBytes(`${g}/qemu/nvdimm-ssdt.aml`) : undefined);

    const r = await runGuest({
      nvdimms: [{ file: backing, size, labelSize: 0 }],
      memory: '512M',
      acpiOverrides: [{ bytes: nfit, name: 'nfit.aml' }, { bytes: ssdt, name: 'ssdt.aml' }],
      timeoutMs: 120_000,
      job: [
        "section fitlog; dmesg | grep -e 'NVDR._FIT' || true",
        'run regions ndctl list -R',
        'run namespaces ndctl list -N',
        'section resource; cat /sys/bus/nd/devices/region0/resource',
        ...marks.map((m, i) => `section mark${i}; dd if=/dev/pmem0 bs=${PAGE} skip=${Math.floor(m.at / PAGE)} count=1 2>/dev/null | tail -c +${(m.at % PAGE) + 1} | head -c 16; echo`),
      ].join('\n'),
    });
    console.log(`${design} guest-tables boot: ${r.durationMs} ms; ${JSON.stringify(r.acpiUpgrade)}`);
    // Both firmware tables replaced by the guest's (acpi_table_initrd_override), none added.
    expect([...r.acpiUpgrade!.overridden].sort()).toEqual(['NFIT-BOCHS -BXPC    ', 'SSDT-BOCHS -  NVDIMM']);
    expect(r.acpiUpgrade!.installed).toEqual([]);
    // v4: _FIT aborted (the Xen guest's DSM buffer address, no RAM here), so the nfit driver read the
    // NFIT table. v3: the wrapped NVDR has no _FIT (and replaced the firmware's SSDT, which had one).
    if (design === 'v3') expect(r.sections.fitlog).toBe('');
    else expect(r.sections.fitlog).toMatch(/Aborting method \\_SB\.NVDR\._FIT due to previous error \(AE_AML_BUFFER_LIMIT\)/);
    expect(r.rcs).toMatchObject({ regions: 0, namespaces: 0 });
    const regions = [JSON.parse(r.sections.regions!)].flat();
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ dev: 'region0', size, type: 'pmem' });
    expect(Number(r.sections.resource!.trim())).toBe(base);
    // No label area: Linux's label-less namespace covering the whole region.
    expect([JSON.parse(r.sections.namespaces!)].flat()).toEqual([expect.objectContaining({ dev: 'namespace0.0', mode: 'raw', size, blockdev: 'pmem0' })]);
    expect(marks.map((_, i) => r.sections[`mark${i}`]!.trim())).toEqual(marks.map((m) => m.text));
  }, 180_000);
});
