/**
 * An NVDIMM's label storage area as the guest's Linux 6.1 reaches it (drivers/acpi/nfit/core.c,
 * drivers/nvdimm/dimm_devs.c, label.c): every access is an evaluation of the DIMM's ACPI `_DSM`
 * by the AML interpreter, so it goes out through QEMU's NCAL -> port 0x0A18 -> the simulated
 * QEMU DSM handler -> XEN_DMOP_pmem_rw (a `.bin` and a trace line per label read or write).
 *
 * Why `_DSM` and not `_LSR`/`_LSW`: acpi_nfit_add_dimm prefers the Intel family's label commands
 * (functions 4, 5, 6) when the DIMM's `_DSM` offers all three, and only otherwise enables
 * `_LSI/_LSR/_LSW` ("Prefer the NVDIMM_FAMILY_INTEL label read commands if present"). QEMU 7.2's
 * `_DSM` answers function 0 with bits 0, 4, 5, 6 for a DIMM with a label area, so Linux never
 * calls QEMU's `_LSW` (whose Concatenate into an 8-byte named Buffer would drop the data, specs/aml.md).
 */
import { NvError } from '../../core/errors.js';
import { decodeStruct, encodeStruct } from '../../core/schema/index.js';
import { guidFromString } from '../../core/guid.js';
import { AmlError, type AmlInterpreter, type AmlObject } from '../../aml/interp/index.js';
import { dsmLabelDataIn } from '../../aml/qemuDsm.js';
import { labelDataReply, labelSizeReply, labelStatusReply } from '../../aml/labelDsm.js';
import { geometryFor, isFree, readLabelArea } from '../../labels/index.js';

/** Linux's DIMM command families in the order acpi_nfit_add_dimm tries them (include/linux/ndctl.h NVDIMM_FAMILY_*, nfit.h UUIDs). */
export const DIMM_FAMILIES = [
  { name: 'intel', uuid: '4309ac30-0d11-11e4-9191-0800200c9a66' },
  { name: 'hpe1', uuid: '9002c334-acf3-4c0e-9642-a235f0d53bc6' },
  { name: 'hpe2', uuid: '5008664b-b758-41a0-a03c-27c2f2d04f7e' },
  { name: 'msft', uuid: '1ee68b36-d4bd-4a1a-9a16-4f8e53d46e05' },
  { name: 'hyperv', uuid: '5746c5f2-a9a2-4264-ad0e-e4ddc9e09e80' },
] as const;

/** ND_CMD_GET_CONFIG_SIZE / GET_CONFIG_DATA / SET_CONFIG_DATA = Intel DSM functions 4, 5, 6. */
export const DSM_FN = { query: 0, getConfigSize: 4, getConfigData: 5, setConfigData: 6 } as const;
const LABEL_MASK = (1 << DSM_FN.getConfigSize) | (1 << DSM_FN.getConfigData) | (1 << DSM_FN.setConfigData);

export interface DsmRecord {
  fn: number;
  offset?: number;
  length?: number;
  status: number;
}

const int = (value: bigint | number): AmlObject => ({ type: 'Integer', value: BigInt(value) });
const bufObj = (value: Uint8Array): AmlObject => ({ type: 'Buffer', value });

/** acpi_check_dsm's reading of function 0's answer: an Integer, or a Buffer's first 8 bytes little-endian. */
function maskOf(o: AmlObject | undefined): bigint {
  if (!o) return 0n;
  if (o.type === 'Integer') return o.value;
  if (o.type !== 'Buffer') return 0n;
  // drivers/acpi/utils.c acpi_check_dsm: up to the first 8 bytes, little-endian.
  let m = 0n;
  for (let i = 0; i < o.value.length && i < 8; i++) m |= BigInt(o.value[i]!) << BigInt(8 * i);
  return m;
}

/** The command family acpi_nfit_add_dimm settles on and the functions its _DSM offers. */
export interface DimmFamily {
  family?: (typeof DIMM_FAMILIES)[number]['name'];
  /** Function 0's bitmap for that family (0 when none answered). */
  functions: bigint;
  /** The label commands go through _DSM functions 4-6 (else: no labels, or _LSx methods). */
  labels: 'dsm' | 'lsx' | 'none';
}

export class LabelDevice {
  readonly calls: DsmRecord[] = [];
  configSize = 0;
  maxXfer = 0;

  constructor(private readonly aml: AmlInterpreter, readonly path: string) {}

  private dsm(uuid: string, rev: number, fn: number, arg3: Uint8Array | undefined): AmlObject | undefined {
    const pkg: AmlObject = { type: 'Package', elements: arg3 ? [bufObj(arg3)] : [] };
    return this.aml.evaluate(`${this.path}._DSM`, [bufObj(guidFromString(uuid, 'efi')), int(rev), int(fn), pkg]);
  }

  /** Family detection (acpi_check_dsm(handle, family uuid, 1, 1) for each family, the first that answers wins). */
  probeFamily(hasMethod: (name: string) => boolean): DimmFamily {
    if (!hasMethod('_DSM')) return { functions: 0n, labels: hasMethod('_LSI') && hasMethod('_LSR') && hasMethod('_LSW') ? 'lsx' : 'none' };
    for (const f of DIMM_FAMILIES) {
      const mask = maskOf(this.dsm(f.uuid, 1, DSM_FN.query, undefined));
      if (!(mask & 1n)) continue;
      // Linux asks function 0 again for each command bit of the family's mask; QEMU answers each
      // the same (it keeps no state for function 0), so one answer stands for all of them.
      const intelLabels = f.name === 'intel' && (mask & BigInt(LABEL_MASK)) === BigInt(LABEL_MASK);
      return { family: f.name, functions: mask, labels: intelLabels ? 'dsm' : hasMethod('_LSI') && hasMethod('_LSR') && hasMethod('_LSW') ? 'lsx' : 'none' };
    }
    return { functions: 0n, labels: 'none' };
  }

  private call(fn: number, arg3: Uint8Array | undefined, what: { offset?: number; length?: number }): Uint8Array {
    let r: AmlObject | undefined;
    try {
      r = this.dsm(DIMM_FAMILIES[0].uuid, 1, fn, arg3);
    } catch (e) {
      if (!(e instanceof AmlError)) throw e;
      this.calls.push({ fn, ...what, status: -1 });
      throw new NvError('sim.guest', `${this.path}._DSM`, what.offset, `function ${fn}: ${e.message} (acpi_evaluate_dsm fails: -EINVAL)`);
    }
    if (!r || r.type !== 'Buffer') {
      this.calls.push({ fn, ...what, status: -1 });
      throw new NvError('sim.guest', `${this.path}._DSM`, what.offset, `function ${fn} returned ${r?.type ?? 'nothing'}, not a Buffer (-EINVAL)`);
    }
    return r.value;
  }

  private status(fn: number, reply: Uint8Array, what: { offset?: number; length?: number }): number {
    const status = reply.length >= 4 ? decodeStruct(labelStatusReply, reply.subarray(0, labelStatusReply.size!)).value.status : -1;
    this.calls.push({ fn, ...what, status });
    // xlat_nvdimm_status: a non-zero status is -EIO (3 = locked would be -EACCES for _LSx only).
    if (status !== 0) throw new NvError('sim.guest', `${this.path}._DSM`, what.offset, `function ${fn} status ${status} (-EIO)`);
    return status;
  }

  /** ND_CMD_GET_CONFIG_SIZE (nvdimm_init_nsarea). */
  getConfigSize(): { configSize: number; maxXfer: number } {
    const reply = this.call(DSM_FN.getConfigSize, undefined, {});
    this.status(DSM_FN.getConfigSize, reply, {});
    if (reply.length < labelSizeReply.size!) throw new NvError('sim.guest', `${this.path}._DSM`, undefined, `function 4 returned ${reply.length} bytes; nd_cmd_get_config_size needs ${labelSizeReply.size}`);
    const v = decodeStruct(labelSizeReply, reply.subarray(0, labelSizeReply.size!)).value;
    this.configSize = v.configSize;
    this.maxXfer = v.maxXfer;
    return { configSize: v.configSize, maxXfer: v.maxXfer };
  }

  /** nvdimm_get_config_data: max_xfer-sized ND_CMD_GET_CONFIG_DATA calls. */
  getConfigData(offset: number, length: number): Uint8Array {
    if (offset + length > this.configSize) throw new NvError('sim.guest', this.path, offset, `config read of ${length} bytes at ${offset} is past the ${this.configSize}-byte label area (-ENXIO)`);
    const out = new Uint8Array(length);
    const max = Math.min(length, this.maxXfer);
    for (let done = 0; done < length;) {
      const n = Math.min(max, length - done);
      const what = { offset: offset + done, length: n };
      const reply = this.call(DSM_FN.getConfigData, encodeStruct(dsmLabelDataIn, { offset: offset + done, length: n, data: new Uint8Array(0) }), what);
      this.status(DSM_FN.getConfigData, reply, what);
      const data = decodeStruct(labelDataReply, reply).value.data;
      out.set(data.subarray(0, n), done);
      done += n;
    }
    return out;
  }

  /** nvdimm_set_config_data: max_xfer-sized ND_CMD_SET_CONFIG_DATA calls. */
  setConfigData(offset: number, data: Uint8Array): void {
    if (offset + data.length > this.configSize) throw new NvError('sim.guest', this.path, offset, `config write of ${data.length} bytes at ${offset} is past the ${this.configSize}-byte label area (-ENXIO)`);
    const max = Math.min(data.length, this.maxXfer);
    for (let done = 0; done < data.length;) {
      const n = Math.min(max, data.length - done);
      const what = { offset: offset + done, length: n };
      const reply = this.call(DSM_FN.setConfigData, encodeStruct(dsmLabelDataIn, { offset: offset + done, length: n, data: data.subarray(done, done + n) }), what);
      this.status(DSM_FN.setConfigData, reply, what);
      done += n;
    }
  }

  /**
   * nd_label_data_init (drivers/nvdimm/label.c, Linux 6.1): read the two index blocks in one
   * read sized for 128-byte labels (the largest index), trimming max_xfer so the reads waste
   * least, then only the slots the current index marks in use. Slots it does not read stay zero,
   * as in Linux's ndd->data. (Linux then copies the current index over the next one in memory;
   * that copy is not kept here: the labels engine derives the next index from the current one.)
   */
  labelDataInit(): Uint8Array {
    const configSize = this.configSize;
    const data = new Uint8Array(configSize);
    let readSize = (geometryFor(configSize, 128)?.indexSize ?? 0) * 2;
    if (!readSize) throw new NvError('sim.guest', this.path, undefined, `label area (${configSize}) too small to host (128 byte) labels`);
    let maxXfer = Math.min(this.maxXfer, configSize);
    if (readSize < maxXfer) {
      maxXfer -= Math.floor(((maxXfer - 1) - ((configSize - 1) % maxXfer)) / Math.ceil(configSize / maxXfer));
      if (maxXfer < readSize) maxXfer = readSize;
    }
    readSize = Math.min(Math.ceil(readSize / maxXfer) * maxXfer, configSize);
    data.set(this.getConfigData(0, readSize), 0);
    const view = readLabelArea(data);
    if (view.current === undefined || !view.geometry) return data;
    const ix = view.checks[view.current]!.value;
    const L = view.geometry.labelSize;
    let offset = Number(ix.labeloff);
    for (let slot = 0; slot < ix.nslot; slot++, offset += L) {
      if (isFree(ix.free, slot)) {
        data.fill(0, offset, Math.min(offset + L, configSize));
        continue;
      }
      if (offset + L <= readSize) continue;
      if (readSize < offset) readSize = offset;
      let n = Math.ceil((offset + L - readSize) / maxXfer) * maxXfer;
      if (readSize + n > configSize) n = configSize - readSize;
      data.set(this.getConfigData(readSize, n), readSize);
      readSize += n;
    }
    return data;
  }
}
