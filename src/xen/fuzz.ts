import fc from 'fast-check';
import type { FuzzTarget } from '../core/fuzz.js';
import { decodeStruct, encodeStruct } from '../core/schema/index.js';
import { pageInfo, type PageInfo } from './pageInfo.js';
import { xenSuperBlock, type XenSuperBlock } from './superblock.js';
import { HYPERCALL_FORMATS } from './hypercalls/index.js';

export const xenSuperBlockFuzzTarget: FuzzTarget<XenSuperBlock> = {
  name: 'xen-superblock',
  values: xenSuperBlock.arbitrary() as fc.Arbitrary<XenSuperBlock>,
  encode: (v) => encodeStruct(xenSuperBlock, v),
  decode: (b) => decodeStruct(xenSuperBlock, b, { format: 'xen.superblock' }).value,
};

export const xenPageInfoFuzzTarget: FuzzTarget<PageInfo> = {
  name: 'xen-page-info',
  values: pageInfo.arbitrary(),
  encode: (v) => encodeStruct(pageInfo, v),
  decode: (b) => decodeStruct(pageInfo, b, { format: 'xen.page_info' }).value,
};

/** One target per hypercall argument struct (union members chosen by cmd, or kept raw). */
export const hypercallFuzzTargets: FuzzTarget<unknown>[] = HYPERCALL_FORMATS.map((h) => ({
  name: `xen-hypercall-${h.name}`,
  values: h.struct.arbitrary() as fc.Arbitrary<unknown>,
  encode: (v) => encodeStruct(h.struct, v as never),
  decode: (b) => decodeStruct(h.struct, b, { format: h.name }).value,
}));
