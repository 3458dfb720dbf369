/**
 * The label `_DSM` replies and requests (src/aml/labelDsm.ts, Intel DSM functions 4-6) against
 * Linux's own uapi declarations (<linux/ndctl.h> from Debian's linux-libc-dev, pulled in by gcc's
 * libc6-dev): the Buffer a `_DSM` returns is the output part of the ND command, so each Struct's
 * field offsets equal the C struct's offsets counted from its first output field (`status`), and
 * the request (QEMU's NvdimmFuncGet/SetLabelDataIn) is laid out as nd_cmd_set_config_hdr. Round trips
 * of each Struct under fast-check.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStruct, encodeStruct, type Struct } from '../../src/core/schema/index.js';
import { labelDataReply, labelSizeReply, labelStatusReply } from '../../src/aml/labelDsm.js';
import { dsmLabelDataIn } from '../../src/aml/qemuDsm.js';
import { requireTool, runTool } from '../support/tools.js';

/** [Struct, C struct, first C field of the Struct's part, [Struct field, C field]...] */
const CASES: [Struct<any>, string, string, [string, string][]][] = [
  [labelSizeReply, 'struct nd_cmd_get_config_size', 'status', [['status', 'status'], ['configSize', 'config_size'], ['maxXfer', 'max_xfer']]],
  [labelDataReply, 'struct nd_cmd_get_config_data_hdr', 'status', [['status', 'status'], ['data', 'out_buf']]],
  [labelStatusReply, 'struct nd_cmd_get_config_data_hdr', 'status', [['status', 'status']]],
  [dsmLabelDataIn, 'struct nd_cmd_set_config_hdr', 'in_offset', [['offset', 'in_offset'], ['length', 'in_length'], ['data', 'in_buf']]],
];

describe('label _DSM payloads against <linux/ndctl.h>', () => {
  it('offsets from the first output (or input) field equal gcc\'s on the uapi structs; nd_cmd_get_config_size\'s size too', () => {
    requireTool('gcc', 'gcc');
    const lines: string[] = [];
    const want: string[] = [];
    for (const [s, c, first, fields] of CASES) {
      for (const [f, m] of fields) {
        lines.push(`printf("${c}.${m} %zu\\n", offsetof(${c}, ${m}) - offsetof(${c}, ${first}));`);
        want.push(`${c}.${m} ${s.offsetOf(f)}`);
      }
    }
    lines.push('printf("sizeof %zu\\n", sizeof(struct nd_cmd_get_config_size));');
    want.push(`sizeof ${labelSizeReply.size}`);
    const dir = mkdtempSync(join(tmpdir(), 'nvtool-label-dsm-abi-'));
    writeFileSync(join(dir, 'abi.c'), `#include <stddef.h>\n#include <stdio.h>\n#include <linux/ndctl.h>\nint main(void) {\n${lines.join('\n')}\nreturn 0;\n}\n`);
    runTool('gcc', ['-m64', '-std=gnu11', '-Wall', '-o', join(dir, 'abi'), join(dir, 'abi.c')]);
    expect(runTool(join(dir, 'abi'), []).trim().split('\n')).toEqual(want);
  });

  it.each([labelSizeReply, labelDataReply, labelStatusReply].map((s) => [s.name, s] as const))('%s: decode(encode(v)) = v', (_n, s) => {
    fc.assert(fc.property((s as Struct<any>).arbitrary(), (v) => {
      expect(decodeStruct(s as Struct<any>, encodeStruct(s as Struct<any>, v)).value).toEqual(v);
    }), { numRuns: 150 });
  });
});
