import type { Finding } from '../core/schema/index.js';
import { gptTypeName } from './gptTypes.js';
import { mbrKind, type Mbr } from './mbr.js';
import { freeSegments, type GptDisk } from './table.js';

/** Text and JSON renderings in the spirit of `sfdisk --dump` / `sfdisk --json` and `sgdisk -v`. */

export function partitionNode(device: string, n: number): string {
  return /\d$/.test(device) ? `${device}p${n}` : `${device}${n}`;
}

const ATTR_NAMES: Record<number, string> = { 0: 'RequiredPartition', 1: 'NoBlockIOProtocol', 2: 'LegacyBIOSBootable' };

/** sfdisk's `attrs="..."` text for GPT attribute bits. */
export function sfdiskAttrs(a: bigint): string {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) if ((a >> BigInt(bit)) & 1n) out.push(ATTR_NAMES[bit] ?? `GUID:${bit}`);
  return out.join(' ');
}

export function gptJson(d: GptDisk, device: string): unknown {
  const h = d.header!;
  return {
    partitiontable: {
      label: 'gpt',
      id: h.diskGuid.toUpperCase(),
      device,
      unit: 'sectors',
      firstlba: Number(h.firstUsableLba),
      lastlba: Number(h.lastUsableLba),
      sectorsize: d.sectorSize,
      partitions: d.partitions.map((p) => ({
        node: partitionNode(device, p.number),
        start: Number(p.startLba),
        size: Number(p.endLba - p.startLba + 1n),
        type: p.typeGuid.toUpperCase(),
        uuid: p.uniqueGuid.toUpperCase(),
        ...(p.name ? { name: p.name } : {}),
        ...(p.attributes ? { attrs: sfdiskAttrs(p.attributes) } : {}),
      })),
    },
  };
}

export function gptDump(d: GptDisk, device: string): string {
  const h = d.header!;
  const lines = [
    'label: gpt',
    `label-id: ${h.diskGuid.toUpperCase()}`,
    `device: ${device}`,
    'unit: sectors',
    `first-lba: ${h.firstUsableLba}`,
    `last-lba: ${h.lastUsableLba}`,
    `sector-size: ${d.sectorSize}`,
    '',
  ];
  for (const p of d.partitions) {
    const parts = [
      `start=${String(p.startLba).padStart(12)}`,
      `size=${String(p.endLba - p.startLba + 1n).padStart(12)}`,
      `type=${p.typeGuid.toUpperCase()}`,
      `uuid=${p.uniqueGuid.toUpperCase()}`,
    ];
    if (p.name) parts.push(`name="${sfdiskEscape(p.name)}"`);
    if (p.attributes) parts.push(`attrs="${sfdiskAttrs(p.attributes)}"`);
    lines.push(`${partitionNode(device, p.number)} : ${parts.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** Human table like `sgdisk -p`, with type names. */
export function gptPrint(d: GptDisk, device: string): string {
  const h = d.header!;
  const ss = BigInt(d.sectorSize);
  const lines = [
    `Disk ${device}: ${d.totalLbas} sectors, ${humanBytes(d.totalLbas * ss)}`,
    `Sector size (logical): ${d.sectorSize} bytes`,
    `Disk identifier (GUID): ${h.diskGuid.toUpperCase()}`,
    `Partition table holds up to ${h.numberOfPartitionEntries} entries (read from the ${d.source} copy)`,
    `First usable sector is ${h.firstUsableLba}, last usable sector is ${h.lastUsableLba}`,
    `LBA 0: ${d.mbrKind === 'protective' ? 'protective MBR' : d.mbrKind === 'hybrid' ? 'hybrid MBR' : d.mbrKind === 'mbr' ? 'MBR partition table (no 0xEE record)' : 'no MBR signature'}`,
    '',
    'Number  Start (sector)    End (sector)  Size        Type                          Name',
  ];
  for (const p of d.partitions) {
    lines.push(
      `${String(p.number).padStart(4)}  ${String(p.startLba).padStart(14)}  ${String(p.endLba).padStart(14)}  ${humanBytes((p.endLba - p.startLba + 1n) * ss).padEnd(10)}  ${(gptTypeName(p.typeGuid) ?? p.typeGuid).padEnd(28)}  ${p.name}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function mbrJson(m: Mbr, device: string, sectorSize: number): unknown {
  return {
    partitiontable: {
      label: 'dos',
      id: `0x${m.diskSignature.toString(16).padStart(8, '0')}`,
      device,
      unit: 'sectors',
      sectorsize: sectorSize,
      partitions: m.partitions.flatMap((p, i) =>
        p.osType === 0 ? [] : [{ node: partitionNode(device, i + 1), start: p.startingLba, size: p.sizeInLba, type: p.osType.toString(16), ...(p.bootIndicator === 0x80 ? { bootable: true } : {}) }],
      ),
    },
    kind: mbrKind(m),
  };
}

export function mbrDump(m: Mbr, device: string, sectorSize: number): string {
  const lines = ['label: dos', `label-id: 0x${m.diskSignature.toString(16).padStart(8, '0')}`, `device: ${device}`, 'unit: sectors', `sector-size: ${sectorSize}`, ''];
  m.partitions.forEach((p, i) => {
    if (p.osType === 0) return;
    lines.push(`${partitionNode(device, i + 1)} : start=${String(p.startingLba).padStart(12)}, size=${String(p.sizeInLba).padStart(12)}, type=${p.osType.toString(16)}${p.bootIndicator === 0x80 ? ', bootable' : ''}`);
  });
  return lines.join('\n') + '\n';
}

/** sfdisk --dump's quoting of names: UTF-8 bytes outside printable ASCII as `\xNN`. */
export function sfdiskEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

export function humanBytes(n: bigint): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** The closing line of `sgdisk -v`. */
export function verifySummary(d: GptDisk, findings: readonly Finding[]): string {
  const problems = findings.filter((f) => f.severity === 'error').length;
  if (problems) return `Identified ${problems} problems!`;
  const segs = freeSegments(d);
  const total = segs.reduce((s, g) => s + (g.end - g.start + 1n), 0n);
  const largest = segs.reduce((s, g) => (g.end - g.start + 1n > s ? g.end - g.start + 1n : s), 0n);
  const ss = BigInt(d.sectorSize);
  return `No problems found. ${total} free sectors (${humanBytes(total * ss)}) available in ${segs.length} segments, the largest of which is ${largest} (${humanBytes(largest * ss)}) in size.`;
}
