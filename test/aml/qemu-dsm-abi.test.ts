/**
 * The DSM page structs of QEMU 7.2 hw/acpi/nvdimm.c (QEMU_PACKED; declared here in C from that
 * file's shapes) laid out by gcc: every field's offset and size equals the Struct's, and the max
 * transfer QEMU computes (nvdimm_get_max_xfer_label_size) equals the DSM handler's. Round trips of
 * each Struct under fast-check.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStruct, encodeStruct, type Struct } from '../../src/core/schema/index.js';
import { dsmDataOut, dsmFunc0Out, dsmLabelDataIn, dsmLabelSizeOut, dsmNoPayloadOut, dsmReadFitIn, nvdimmDsmIn, nvdimmDsmOut } from '../../src/aml/qemuDsm.js';
import { MAX_XFER_LABEL_SIZE, NVDIMM_DSM_MEMORY_SIZE } from '../../src/sim/qemu/dsm.js';
import { requireTool, runTool } from '../support/tools.js';

const C = `
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#define QEMU_PACKED __attribute__((packed))
#define NVDIMM_DSM_MEMORY_SIZE 4096
struct NvdimmFuncReadFITIn { uint32_t offset; } QEMU_PACKED;
struct NvdimmDsmIn { uint32_t handle; uint32_t revision; uint32_t function;
  union { uint8_t arg3[NVDIMM_DSM_MEMORY_SIZE - 12]; struct NvdimmFuncReadFITIn read_fit; }; } QEMU_PACKED;
struct NvdimmDsmOut { uint32_t len; uint8_t data[NVDIMM_DSM_MEMORY_SIZE - 4]; } QEMU_PACKED;
struct NvdimmDsmFunc0Out { uint32_t len; uint32_t supported_func; } QEMU_PACKED;
struct NvdimmDsmFuncNoPayloadOut { uint32_t len; uint32_t func_ret_status; } QEMU_PACKED;
struct NvdimmFuncGetLabelSizeOut { uint32_t len; uint32_t func_ret_status; uint32_t label_size; uint32_t max_xfer; } QEMU_PACKED;
struct NvdimmFuncSetLabelDataIn { uint32_t offset; uint32_t length; uint8_t in_buf[]; } QEMU_PACKED;
struct NvdimmFuncGetLabelDataOut { uint32_t len; uint32_t func_ret_status; uint8_t out_buf[]; } QEMU_PACKED;
struct NvdimmFuncReadFITOut { uint32_t len; uint32_t func_ret_status; uint8_t fit[]; } QEMU_PACKED;
#define MIN(a, b) ((a) < (b) ? (a) : (b))
`;

const CASES: [Struct<any>, string, [string, string][]][] = [
  [nvdimmDsmIn, 'struct NvdimmDsmIn', [['handle', 'handle'], ['revision', 'revision'], ['function', 'function'], ['arg3', 'arg3']]],
  [nvdimmDsmOut, 'struct NvdimmDsmOut', [['len', 'len'], ['data', 'data']]],
  [dsmFunc0Out, 'struct NvdimmDsmFunc0Out', [['len', 'len'], ['supportedFunc', 'supported_func']]],
  [dsmNoPayloadOut, 'struct NvdimmDsmFuncNoPayloadOut', [['len', 'len'], ['status', 'func_ret_status']]],
  [dsmLabelSizeOut, 'struct NvdimmFuncGetLabelSizeOut', [['len', 'len'], ['status', 'func_ret_status'], ['labelSize', 'label_size'], ['maxXfer', 'max_xfer']]],
  [dsmLabelDataIn, 'struct NvdimmFuncSetLabelDataIn', [['offset', 'offset'], ['length', 'length'], ['data', 'in_buf']]],
  [dsmDataOut, 'struct NvdimmFuncGetLabelDataOut', [['len', 'len'], ['status', 'func_ret_status'], ['data', 'out_buf']]],
  [dsmDataOut, 'struct NvdimmFuncReadFITOut', [['len', 'len'], ['status', 'func_ret_status'], ['data', 'fit']]],
  [dsmReadFitIn, 'struct NvdimmFuncReadFITIn', [['offset', 'offset']]],
];

describe('QEMU DSM page structs', () => {
  it('offsets (and fixed sizes) equal gcc x86-64 on the packed C declarations; max transfer equals QEMU\'s formula', () => {
    requireTool('gcc', 'gcc');
    const lines: string[] = [];
    const want: string[] = [];
    for (const [s, c, fields] of CASES) {
      for (const [f, m] of fields) {
        lines.push(`printf("${c}.${m} %zu\\n", offsetof(${c}, ${m}));`);
        want.push(`${c}.${m} ${s.offsetOf(f)}`);
      }
      if (s.size !== undefined) {
        lines.push(`printf("sizeof ${c} %zu\\n", sizeof(${c}));`);
        want.push(`sizeof ${c} ${s.size}`);
      }
    }
    lines.push('printf("max_xfer %zu\\n", MIN(sizeof(struct NvdimmDsmOut) - sizeof(struct NvdimmFuncGetLabelDataOut), sizeof(struct NvdimmDsmIn) - offsetof(struct NvdimmDsmIn, arg3) - sizeof(struct NvdimmFuncSetLabelDataIn)));');
    want.push(`max_xfer ${MAX_XFER_LABEL_SIZE}`);
    lines.push('printf("sizeof in %zu\\n", sizeof(struct NvdimmDsmIn));');
    want.push(`sizeof in ${NVDIMM_DSM_MEMORY_SIZE}`);
    const dir = mkdtempSync(join(tmpdir(), 'nvtool-dsm-abi-'));
    writeFileSync(join(dir, 'abi.c'), `${C}\nint main(void) {\n${lines.join('\n')}\nreturn 0;\n}\n`);
    runTool('gcc', ['-m64', '-std=gnu11', '-Wall', '-o', join(dir, 'abi'), join(dir, 'abi.c')]);
    expect(runTool(join(dir, 'abi'), []).trim().split('\n')).toEqual(want);
  });

  it.each(CASES.filter(([s], i) => CASES.findIndex(([t]) => t === s) === i).map(([s, c]) => [c, s] as const))('%s: decode(encode(v)) = v', (_c, s) => {
    fc.assert(fc.property(s.arbitrary(), (v) => {
      expect(decodeStruct(s, encodeStruct(s, v)).value).toEqual(v);
    }), { numRuns: 150 });
  });
});
