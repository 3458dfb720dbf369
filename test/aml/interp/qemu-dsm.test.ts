import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmlInterpreter, MemoryHandler, resultJson, type RegionHandler } from '../../../src/aml/interp/index.js';
import { FIXTURES } from '../helpers.js';

/**
 * The guest side of QEMU 7.2's NVDIMM label methods, run by the interpreter over QEMU's own SSDT:
 * the AML fills the DSM page (NvdimmDsmIn: handle, revision, function, arguments) and writes its
 * address to port 0x0A18; a stand-in for `nvdimm_dsm_write` (hw/acpi/nvdimm.c) answers in the same
 * page (NvdimmFuncGetLabelSizeOut / NvdimmFuncGetLabelDataOut: len, status, data) before the port
 * write returns, as QEMU does; the AML then unpacks the reply.
 */
class DsmPort implements RegionHandler {
  readonly calls: { handle: number; function: number }[] = [];
  constructor(
    private readonly ram: MemoryHandler,
    private readonly label: Uint8Array,
  ) {}
  read(): bigint {
    return 0n;
  }
  write(_address: bigint, _bits: number, page: bigint): void {
    const u32 = (off: number): number => Number(this.ram.read(page + BigInt(off), 32));
    const handle = u32(0);
    const fn = u32(8);
    this.calls.push({ handle, function: fn });
    const reply = (status: number, data: Uint8Array): void => {
      this.ram.write(page, 32, BigInt(8 + data.length));
      this.ram.write(page + 4n, 32, BigInt(status));
      this.ram.load(page + 8n, data);
    };
    const le = (...v: number[]): Uint8Array => new Uint8Array(new Uint32Array(v).buffer);
    if (fn === 4) reply(0, le(this.label.length, 4096));
    else if (fn === 5) reply(0, this.label.subarray(u32(12), u32(12) + u32(16)));
    else reply(1, new Uint8Array(0));
  }
}

describe("QEMU 7.2 SSDT label methods through the interpreter (DSM page + port 0x0A18)", () => {
  const ssdt = new Uint8Array(readFileSync(join(FIXTURES, 'pc-1dimm', 'SSDT-NVDIMM.aml')));
  const label = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
  const ram = new MemoryHandler();
  const port = new DsmPort(ram, label);
  const guest = new AmlInterpreter([ssdt], { handlers: { 0: ram, 1: port } });

  it('_LSI: Package {status 0, label area size, max transfer}', () => {
    expect(resultJson(guest.evaluate('\\_SB.NVDR.NV00._LSI'))).toEqual(resultJson({ type: 'Package', elements: [0n, 256n, 4096n].map((value) => ({ type: 'Integer', value })) }));
    expect(port.calls).toEqual([{ handle: 1, function: 4 }]);
  });

  it('_LSR(16, 32): Package {status 0, the 32 label bytes at offset 16}', () => {
    const r = guest.evaluate('\\_SB.NVDR.NV00._LSR', [{ type: 'Integer', value: 16n }, { type: 'Integer', value: 32n }]);
    expect(resultJson(r)).toEqual(resultJson({ type: 'Package', elements: [{ type: 'Integer', value: 0n }, { type: 'Buffer', value: label.slice(16, 48) }] }));
    expect(port.calls.at(-1)).toEqual({ handle: 1, function: 5 });
  });
});
