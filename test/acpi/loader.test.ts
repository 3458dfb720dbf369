/**
 * The BIOSLinkerLoader and fw_cfg directory declarations and the loader's execution, as
 * properties: entries round-trip through their one declaration; decoders of arbitrary bytes throw
 * only NvError; the loader, given random scripts over random files, never throws and never writes
 * outside the blocks it allocated, and a script that succeeds leaves each pointer equal to its old
 * value plus its source's address (a reference model of the three commands).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvError } from '../../src/core/errors.js';
import { decodeStruct, encodeStruct } from '../../src/core/schema/index.js';
import {
  decodeFileDir, decodeLoader, encodeFileDir, encodeLoader, executeLoader, fwCfgFile, LOADER_ENTRY_SIZE, loaderEntry, LoaderCommand, type LoaderEntry,
} from '../../src/acpi/loader/index.js';

const onlyNvError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof NvError)) throw e;
  }
};

describe('declarations', () => {
  it('an entry is 128 bytes; a fw_cfg file entry 64 (QEMU: sizeof(BiosLinkerLoaderEntry), struct fw_cfg_file)', () => {
    expect(loaderEntry.size).toBe(LOADER_ENTRY_SIZE);
    expect(fwCfgFile.size).toBe(64);
    expect(loaderEntry.offsetOf('u')).toBe(4);
  });

  it('entries round-trip byte for byte (any union member or raw bytes)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 128, maxLength: 128 }), fc.constantFrom(1, 2, 3, 4, 9), (b, cmd) => {
      b.set([cmd, 0, 0, 0]);
      const v = decodeStruct(loaderEntry, b).value;
      expect(Buffer.from(encodeStruct(loaderEntry, v)).equals(Buffer.from(b))).toBe(true);
    }), { numRuns: 200 });
  });

  it('decodeLoader and decodeFileDir of arbitrary bytes throw only NvError; a directory round-trips', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      onlyNvError(() => decodeLoader(b));
      onlyNvError(() => decodeFileDir(b));
    }), { numRuns: 300 });
    const files = [{ name: 'etc/acpi/tables', data: new Uint8Array(300) }, { name: 'etc/acpi/rsdp', data: new Uint8Array(20) }];
    const dir = decodeFileDir(encodeFileDir(files));
    expect(dir.map((f) => [f.name, f.size, f.select])).toEqual([['etc/acpi/tables', 300, 0x20], ['etc/acpi/rsdp', 20, 0x21]]);
    // big-endian on the wire: count, then size
    expect([...encodeFileDir(files).subarray(0, 8)]).toEqual([0, 0, 0, 2, 0, 0, 1, 44]);
  });

  it('a directory whose count claims more entries than its bytes is refused before anything is read', () => {
    expect(() => decodeFileDir(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toThrow(/count 4294967295 needs/);
  });
});

const NAMES = ['a', 'b', 'c'];
const entryArb: fc.Arbitrary<LoaderEntry> = fc.oneof(
  fc.record({ file: fc.constantFrom(...NAMES, 'zz'), align: fc.constantFrom(0, 1, 3, 16, 64, 4096), zone: fc.constantFrom(1, 2, 3) }).map((allocate) => ({ command: LoaderCommand.ALLOCATE, u: { allocate } })),
  fc.record({ destFile: fc.constantFrom(...NAMES), srcFile: fc.constantFrom(...NAMES), offset: fc.oneof(fc.nat(80), fc.constant(0xfffffffe)), size: fc.constantFrom(0, 1, 2, 3, 4, 8) }).map((addPointer) => ({ command: LoaderCommand.ADD_POINTER, u: { addPointer } })),
  fc.record({ file: fc.constantFrom(...NAMES), offset: fc.nat(80), start: fc.oneof(fc.nat(80), fc.constant(0xffffff00)), length: fc.nat(80) }).map((addChecksum) => ({ command: LoaderCommand.ADD_CHECKSUM, u: { addChecksum } })),
);

describe('executeLoader', () => {
  it('random scripts: never throws, writes only inside its allocations; on success pointers and checksums hold', () => {
    let okRuns = 0;
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 3, maxLength: 3 }), fc.array(entryArb, { maxLength: 12 }), (datas, entries) => {
      const files = [...NAMES.map((name, i) => ({ name, data: datas[i]! })), { name: 'etc/table-loader', data: encodeLoader(entries) }];
      let next = 0x1000;
      const blocks: [number, number][] = [];
      const writes: [number, number][] = [];
      const mem = {
        allocate: (size: number, align: number) => {
          const at = Math.ceil(next / align) * align;
          next = at + size + 1;
          blocks.push([at, size]);
          return at;
        },
        write: (addr: number, b: Uint8Array) => void writes.push([addr, b.length]),
      };
      const r = executeLoader(files, mem);
      for (const [a, n] of writes) expect(blocks.some(([s, l]) => a >= s && a + n <= s + l)).toBe(true);
      if (!r.ok) return;
      // reference model: replay with plain arithmetic on copies
      const model = new Map<string, { addr: number; data: Uint8Array }>();
      const addrs = [...r.files.values()];
      for (const e of entries) {
        if (e.u.allocate) {
          const f = files.find((x) => x.name === e.u.allocate!.file)!;
          model.set(f.name, { addr: addrs.find((x) => x.name === f.name)!.addr, data: f.data.slice() });
        } else if (e.u.addPointer) {
          const p = e.u.addPointer;
          const d = model.get(p.destFile)!;
          let v = 0n;
          for (let i = 0; i < p.size; i++) v |= BigInt(d.data[p.offset + i]!) << BigInt(8 * i);
          v = (v + BigInt(model.get(p.srcFile)!.addr)) & ((1n << BigInt(8 * p.size)) - 1n);
          for (let i = 0; i < p.size; i++) d.data[p.offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
        } else if (e.u.addChecksum) {
          const c = e.u.addChecksum;
          const d = model.get(c.file)!.data;
          d[c.offset] = 0;
          const sum = d.subarray(c.start, c.start + c.length).reduce((s, x) => (s + x) & 0xff, 0);
          d[c.offset] = (256 - sum) & 0xff;
        }
      }
      okRuns++;
      for (const [name, m] of model) expect(Buffer.from(r.files.get(name)!.data).equals(Buffer.from(m.data)), name).toBe(true);
    }), { numRuns: 300 });
    expect(okRuns).toBeGreaterThan(10);
  });
});
