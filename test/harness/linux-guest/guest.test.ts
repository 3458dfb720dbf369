import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, closeSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingToolError, requireTool } from './assets.js';
import { buildCpio } from './cpio.js';
import { GuestError, acpiCpio, acpiUpgradeReport, parseResult, runGuest } from './guest.js';

const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'nvtool-guest-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readAt(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

describe('linux-guest plumbing (no boot)', () => {
  it('parses sections, stderr sections and exit statuses from the result channel', () => {
    const raw =
      'noise\r\n@@NVTOOL:BEGIN@@\npre\n@@NVTOOL:SECTION:a@@\nline1\nline2\n' +
      '@@NVTOOL:SECTION:a.stderr@@\noops\n\n@@NVTOOL:RC:a:3@@\n\n@@NVTOOL:SECTION:b@@\nno-newline\n@@NVTOOL:END:0@@\n';
    const p = parseResult(raw);
    expect(p.exitCode).toBe(0);
    expect(p.sections).toEqual({ '': 'pre', a: 'line1\nline2', 'a.stderr': 'oops\n', b: 'no-newline' });
    expect(p.rcs).toEqual({ a: 3 });
    expect(parseResult('kernel panic').exitCode).toBeUndefined();
  });

  it('writes newc archives that GNU cpio lists', () => {
    const f = join(work, 't.cpio');
    writeFileSync(
      f,
      buildCpio([
        { kind: 'dir', path: 'd' },
        { kind: 'file', path: 'd/x', data: Buffer.from('hello') },
        { kind: 'symlink', path: 'd/l', target: 'x' },
      ]),
    );
    const listing = execFileSync(requireTool('cpio', 'cpio'), ['-it', '--quiet', '-F', f], { encoding: 'utf8' });
    expect(listing.trim().split('\n')).toEqual(['d', 'd/x', 'd/l']);
  });

  it('puts ACPI tables where the kernel looks (kernel/firmware/acpi/ in a newc archive) and reads its log about them', () => {
    const table = (sig: string) => Uint8Array.from([...Buffer.from(sig), 36, 0, 0, 0, ...new Array(28).fill(0)]);
    const f = join(work, 'acpi.cpio');
    writeFileSync(f, acpiCpio([{ bytes: table('NFIT') }, { bytes: table('SSDT'), name: 'ssdt.aml' }]));
    const listing = execFileSync(requireTool('cpio', 'cpio'), ['-it', '--quiet', '-F', f], { encoding: 'utf8' });
    expect(listing.trim().split('\n')).toEqual(['kernel', 'kernel/firmware', 'kernel/firmware/acpi', 'kernel/firmware/acpi/NFIT-0.aml', 'kernel/firmware/acpi/ssdt.aml']);
    expect(() => acpiCpio([{ bytes: new Uint8Array(10) }])).toThrow(/shorter than an ACPI header/);
    // Lines as drivers/acpi/tables.c prints them (pr_info/pr_err with the "ACPI: " prefix).
    const log = [
      '[    0.000000] ACPI: NFIT ACPI table found in initrd [kernel/firmware/acpi/nfit.aml][0x2a0]',
      '[    0.000000] ACPI: ACPI OVERRIDE: Bad table checksum [kernel/firmware/acpi/bad.aml]',
      '[    0.010000] ACPI: Table Upgrade: override [NFIT-BOCHS -BXPC    ]',
      '[    0.010000] ACPI: Table Upgrade: install [SSDT-NVTOOL-  EXTRA]',
    ].join('\n');
    expect(acpiUpgradeReport(log)).toEqual({
      found: ['NFIT ACPI table found in initrd [kernel/firmware/acpi/nfit.aml][0x2a0]'],
      overridden: ['NFIT-BOCHS -BXPC    '],
      installed: ['SSDT-NVTOOL-  EXTRA'],
      errors: ['Bad table checksum [kernel/firmware/acpi/bad.aml]'],
    });
  });

  it('names the Debian package when a tool is missing', () => {
    expect(() => requireTool('nvtool-no-such-tool', 'some-package')).toThrow(MissingToolError);
    expect(() => requireTool('nvtool-no-such-tool', 'some-package')).toThrow(/apt-get install some-package/);
  });
});

describe('linux-guest: real kernel under QEMU', () => {
  it('boots, sees nmem0, initializes v1.2 labels that ndctl reads back and that land in the backing file', async () => {
    const img = join(work, 'smoke.img');
    writeFileSync(img, '');
    truncateSync(img, 256 * MiB); // sparse
    const r = await runGuest({
      nvdimms: [{ file: img, size: 256 * MiB, labelSize: 128 * 1024 }],
      timeoutMs: 120_000,
      job: [
        'run uname uname -r',
        'run listD ndctl list -D',
        'run disable ndctl disable-region all',
        'run init ndctl init-labels -f all -V 1.2',
        'run enable ndctl enable-region all',
        'run labels ndctl read-labels -j nmem0',
        'run list ndctl list -N -R -D -v',
      ].join('\n'),
    });
    console.log(`linux-guest smoke boot: ${r.durationMs} ms (${r.assets.kernel.package} ${r.assets.kernel.packageVersion})`);
    expect(r.exitCode).toBe(0);
    expect(r.rcs).toEqual({ uname: 0, listD: 0, disable: 0, init: 0, enable: 0, labels: 0, list: 0 });
    expect(r.sections.uname?.trim()).toBe(r.assets.kernel.release);
    expect(r.sections['init.stderr']).toMatch(/initialized 1 nmem/);

    const dimms = JSON.parse(r.sections.listD ?? 'null') as Array<{ dev: string }>;
    expect(dimms.map((d) => d.dev)).toEqual(['nmem0']);

    const labels = JSON.parse(r.sections.labels ?? 'null') as {
      dev: string;
      index: Array<{ signature: string; major: number; minor: number; labelsize: number; seq: number; nslot: number }>;
    };
    expect(labels.dev).toBe('nmem0');
    expect(labels.index).toHaveLength(2);
    for (const ix of labels.index) {
      expect(ix).toMatchObject({ signature: 'NAMESPACE_INDEX', major: 1, minor: 2, labelsize: 256, nslot: 510 });
    }
    expect(labels.index.map((ix) => ix.seq).sort()).toEqual([2, 3]);

    const list = JSON.parse(r.sections.list ?? 'null') as {
      dimms: Array<{ dev: string }>;
      regions: Array<{ dev: string; size: number; type: string; mappings: Array<{ dimm: string }> }>;
    };
    expect(list.dimms[0]?.dev).toBe('nmem0');
    expect(list.regions).toHaveLength(1);
    // The region is the backing file minus the label area at its end.
    expect(list.regions[0]).toMatchObject({ type: 'pmem', size: 256 * MiB - 128 * 1024 });
    expect(list.regions[0]?.mappings[0]?.dimm).toBe('nmem0');

    // share=on: the guest's label writes reached the last 128 KiB of the file.
    const lsa = readAt(img, 256 * MiB - 128 * 1024, 512);
    for (const base of [0, 256]) {
      expect(lsa.subarray(base, base + 16).toString('latin1')).toBe('NAMESPACE_INDEX\0');
      expect(lsa.readUInt32LE(base + 56)).toBe(510); // nslot
      expect([lsa.readUInt16LE(base + 60), lsa.readUInt16LE(base + 62)]).toEqual([1, 2]);
      expect(lsa.readBigUInt64LE(base + 48)).toBe(512n); // labeloff
    }
  });

  it('fails with the console (panic) when the guest kernel crashes mid-job', async () => {
    const img = join(work, 'crash.img');
    writeFileSync(img, '');
    truncateSync(img, 64 * MiB);
    const err = await runGuest({ nvdimms: [{ file: img }], job: 'echo before; echo c > /proc/sysrq-trigger; echo after' })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GuestError);
    expect((err as GuestError).message).toMatch(/without completing the job/);
    expect((err as GuestError).console).toMatch(/Kernel panic - not syncing: sysrq triggered crash/);
    expect((err as GuestError).result).toMatch(/before/);
    expect((err as GuestError).result).not.toMatch(/after/);
  });

  it('kills QEMU and reports the console when the guest exceeds its time bound', async () => {
    const img = join(work, 'timeout.img');
    writeFileSync(img, '');
    truncateSync(img, 64 * MiB);
    const p = runGuest({ nvdimms: [{ file: img }], job: 'sleep 600', timeoutMs: 2_500 });
    await expect(p).rejects.toThrow(GuestError);
    await expect(p).rejects.toThrow(/timed out after 2500 ms/);
  });
});
