/**
 * A region handler backed by zero-filled memory, one flat address space per handler, like the
 * region buffers acpiexec gives every operation region it has no hardware for (ACPICA
 * `tools/acpiexec/aeregion.c`: zeroed on first use, little-endian accesses).
 */
import type { RegionHandler } from './regions.js';

const PAGE = 4096n;

export class MemoryHandler implements RegionHandler {
  private readonly pages = new Map<bigint, Uint8Array>();

  private page(address: bigint, create: boolean): Uint8Array | undefined {
    const key = address / PAGE;
    let p = this.pages.get(key);
    if (!p && create) {
      p = new Uint8Array(Number(PAGE));
      this.pages.set(key, p);
    }
    return p;
  }

  readByte(address: bigint): number {
    return this.page(address, false)?.[Number(address % PAGE)] ?? 0;
  }

  writeByte(address: bigint, v: number): void {
    this.page(address, true)![Number(address % PAGE)] = v & 0xff;
  }

  read(address: bigint, bits: number): bigint {
    let v = 0n;
    for (let i = bits / 8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.readByte(address + BigInt(i)));
    return v;
  }

  write(address: bigint, bits: number, value: bigint): void {
    for (let i = 0; i < bits / 8; i++) this.writeByte(address + BigInt(i), Number((value >> BigInt(8 * i)) & 0xffn));
  }

  /** Copies bytes in (a test or a caller presetting memory). */
  load(address: bigint, bytes: Uint8Array): void {
    bytes.forEach((b, i) => this.writeByte(address + BigInt(i), b));
  }
}
