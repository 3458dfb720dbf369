/**
 * Well-known GPT partition type GUIDs (util-linux `include/pt-gpt-partnames.h`, gptfdisk
 * `parttypes.cc`; formats.md §5.4), with the 4-hex-digit codes sgdisk accepts for `-t`.
 * GUID strings are lower-case; on media they are stored in EFI byte order.
 */
export interface GptTypeInfo {
  guid: string;
  name: string;
  /** sgdisk's short code (`sgdisk -L`). */
  code?: string;
  /** Short alias nvtool accepts for `--type`. */
  alias?: string;
}

/**
 * nvtool's own type GUID for a partition holding a Xen pmem super block and its reserved area
 * (placement (b) of specs/xen-pmem-superblock.md). Generated once at random for nvtool; it is in no
 * public registry. Defined here because it is a GPT type GUID; `src/xen` re-exports it.
 */
export const XEN_PMEM_PARTITION_TYPE_GUID = '75fe7e62-5f60-4205-b2ce-62682f4ccae1';

export const GPT_TYPES: readonly GptTypeInfo[] = [
  { guid: '00000000-0000-0000-0000-000000000000', name: 'Unused entry' },
  { guid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', name: 'EFI System', code: 'ef00', alias: 'esp' },
  { guid: '21686148-6449-6e6f-744e-656564454649', name: 'BIOS boot', code: 'ef02', alias: 'bios' },
  { guid: '0fc63daf-8483-4772-8e79-3d69d8477de4', name: 'Linux filesystem', code: '8300', alias: 'linux' },
  { guid: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f', name: 'Linux swap', code: '8200', alias: 'swap' },
  { guid: 'e6d6d379-f507-44c2-a23c-238f2a3df928', name: 'Linux LVM', code: '8e00', alias: 'lvm' },
  { guid: 'a19d880f-05fc-4d3b-a006-743f0f84911e', name: 'Linux RAID', code: 'fd00', alias: 'raid' },
  { guid: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709', name: 'Linux x86-64 root (/)', code: '8304' },
  { guid: '933ac7e1-2eb4-4f13-b844-0e14e2aef915', name: 'Linux /home', code: '8302', alias: 'home' },
  { guid: '8da63339-0007-60c0-c436-083ac8230908', name: 'Linux reserved', code: '8301' },
  { guid: 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7', name: 'Microsoft basic data', code: '0700' },
  { guid: 'e3c9e316-0b5c-4db8-817d-f92df00215ae', name: 'Microsoft reserved', code: '0c01' },
  { guid: XEN_PMEM_PARTITION_TYPE_GUID, name: 'Xen pmem reserved (nvtool)', alias: 'xen-pmem' },
];

/** GUID → name, for the `names` option of declarations. */
export const GPT_TYPE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(GPT_TYPES.map((t) => [t.guid, t.name]));

export function gptTypeName(guid: string): string | undefined {
  return GPT_TYPE_NAMES[guid.toLowerCase()];
}

/** `--type` argument → GUID: a GUID, an sgdisk code (`8300`), or an alias (`linux`). */
export function resolveGptType(arg: string): string | undefined {
  const a = arg.trim().toLowerCase();
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(a)) return a;
  return GPT_TYPES.find((t) => t.code === a || t.alias === a || t.name.toLowerCase() === a)?.guid;
}
