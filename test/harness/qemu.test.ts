import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sum8 } from './acpi-walk.js';
import { captureAcpi, platformToQemuArgs, QemuMissingError, QemuRefusedError, type Platform } from './qemu.js';
import { shellLine } from './shell-quote.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/qemu/pc-1dimm/', import.meta.url));

describe('QEMU ACPI capture harness (boots real qemu-system-x86_64)', () => {
  it('reproduces the stored pc-1dimm NFIT and NVDIMM SSDT byte for byte', async () => {
    const platform = JSON.parse(await readFile(join(FIXTURE, 'platform.json'), 'utf8')) as Platform;
    const index = JSON.parse(await readFile(join(FIXTURE, 'index.json'), 'utf8')) as { argv: string[]; mema: string };

    // The stored command line is what platformToQemuArgs gives for the capture script's workdir.
    const workdir = index.argv.find((a) => a.startsWith('unix:'))!.replace(/^unix:(.*)\/qmp\.sock,.*$/, '$1');
    const stored = (await readFile(join(FIXTURE, 'qemu-cmdline.txt'), 'utf8')).trim();
    expect(shellLine(platformToQemuArgs(platform, workdir).argv)).toBe(stored);

    const capture = await captureAcpi(platform, { timeoutMs: 60_000 });
    expect(capture.nfit).toBeDefined();
    expect(capture.nvdimmSsdt).toBeDefined();
    const nfit = capture.nfit!.bytes;
    const ssdt = capture.nvdimmSsdt!.bytes;
    expect(sum8(nfit)).toBe(0);
    expect(sum8(ssdt)).toBe(0);
    expect(Buffer.from(nfit).equals(await readFile(join(FIXTURE, 'NFIT.aml')))).toBe(true);
    expect(Buffer.from(ssdt).equals(await readFile(join(FIXTURE, 'SSDT-NVDIMM.aml')))).toBe(true);
    expect(`0x${capture.mema!.toString(16).padStart(8, '0')}`).toBe(index.mema);
  });
});

describe('QEMU ACPI capture harness: failures are loud', () => {
  const onePmemDimm: Platform = {
    machine: { type: 'pc' },
    memory: { size: '256M', slots: 4, maxmem: '8G' },
    nvdimms: [{ id: 'nv0', size: '1G', labelSize: '64K' }],
  };

  it('returns QEMU\'s own message for a configuration it refuses', async () => {
    const refusal = await captureAcpi(onePmemDimm).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(QemuRefusedError);
    expect((refusal as QemuRefusedError).stderr).toContain("Property 'nvdimm.label-size' (0x10000) is required at least 0x20000");
  });

  it('throws (never skips) when the QEMU binary is missing', async () => {
    await expect(captureAcpi(onePmemDimm, { binary: 'qemu-system-x86_64-not-installed' })).rejects.toBeInstanceOf(QemuMissingError);
  });
});
