import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNfit, encodeNfit, nfitTable, type Nfit, type NfitStructure } from '../../../src/acpi/nfit/index.js';
import type { Span } from '../../../src/core/schema/index.js';
import { iaslCompile, iaslDisassemble, inTempDir, parseIaslDataDump, requireIasl, sameBodyIgnoringCreator, type IaslRow } from '../../support/iasl.js';
import { runTool } from '../../support/tools.js';
import { qemuFixtures } from '../../support/fixtures.js';

const CORPUS = join(import.meta.dirname, 'corpus');

/** A decoded value as an integer, when iasl shows the field as hex digits. */
function asInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  if (v instanceof Uint8Array && v.length <= 8) return v.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return undefined;
}

/**
 * Every field iasl shows must be a field nvtool decoded at the same offset with the same size and
 * value. iasl 20200925 misprints two offsets, so those rows are matched by order instead: the
 * SMBIOS data row carries a structure-relative offset, and interleave Line Offset rows start 4
 * bytes late (its dumper counts from the old 20-byte struct with `LineOffset[1]`).
 */
function compareWithIasl(rows: IaslRow[], spans: Span[]): string[] {
  const leaves = spans.filter((s) => !s.group);
  const byOffset = new Map(leaves.map((s) => [`${s.offset}/${s.size}`, s]));
  const byOrder: Record<string, { spans: Span[]; seen: number }> = {
    'SMBIOS Table Entries': { spans: leaves.filter((s) => s.label === 'SMBIOS Table Data' && s.size > 0), seen: 0 },
    'Line Offset': { spans: leaves.filter((s) => s.label.startsWith('Line Offset[')), seen: 0 },
  };
  const problems: string[] = [];
  for (const row of rows) {
    const ordered = byOrder[row.label];
    const span = ordered ? ordered.spans[ordered.seen++] : byOffset.get(`${row.offset}/${row.length}`);
    if (!span) {
      problems.push(`iasl field "${row.label}" at ${row.offset} (${row.length} bytes) has no nvtool field`);
      continue;
    }
    const v = span.value;
    const text = row.value.replace(/\s*\[.*\]$/, '').trim();
    let ok: boolean;
    if (/^".*"$/.test(text)) ok = JSON.stringify(v) === text;
    else if (/^[0-9A-F]{8}-[0-9A-F]{4}-/.test(text)) ok = typeof v === 'string' && v.toUpperCase() === text;
    else if (/^[0-9A-F]+$/.test(text) && asInteger(v) !== undefined) ok = asInteger(v) === BigInt('0x' + text);
    else if (/^([0-9A-F]{2} ?)+$/.test(text) && v instanceof Uint8Array) ok = Buffer.from(v).toString('hex').toUpperCase() === text.replace(/ /g, '');
    else ok = false;
    if (!ok) problems.push(`"${row.label}" at ${row.offset}: iasl says ${text}, nvtool decoded ${String(span.text ?? v)}`);
  }
  return problems;
}

/**
 * Tables iasl 20200925 can express: 56-byte SPAs (no location cookie), 80-byte DCRs, only the flag
 * bits it knows (its compiler rebuilds each flags word from the named bits, dropping the others),
 * and no interleave structure last (its Line Offset rows start 4 bytes late, so it loses the last
 * line of a final interleave).
 */
function iaslCompatible(t: Nfit): Nfit {
  const structures = t.structures.map((s): NfitStructure => {
    if ('$raw' in s) return s;
    if (s.type === 0) {
      const { locationCookie: _c, ...rest } = s;
      return { ...rest, flags: rest.flags & 3 };
    }
    if (s.type === 1) return { ...s, flags: s.flags & 0x7f };

    if (s.type === 4) {
      const windows = s.windowSize === undefined ? { windowSize: 0n, commandOffset: 0n, commandSize: 0n, statusOffset: 0n, statusSize: 0n, reserved1: new Uint8Array(6) } : {};
      return { ...s, ...windows, validFields: s.validFields & 1, flags: (s.flags ?? 0) & 1 };
    }
    if (s.type === 7) return { ...s, capabilities: s.capabilities & 3 };
    return s;
  });
  if (structures.at(-1)?.type === 2) {
    structures.push({ type: 7, length: 16, highestCapability: 1, reserved: new Uint8Array(3), capabilities: 3, reserved1: new Uint8Array(4) });
  }
  return { ...t, oemId: 'NVTOOL', oemTableId: 'RANDOM', creatorId: 'NVTL', structures };
}

describe('ACPICA iasl as a second oracle', () => {
  it('iasl is installed', () => {
    expect(requireIasl()).toMatch(/iasl$/);
  });

  it('iasl -T NFIT template, compiled by iasl, decodes and re-encodes byte-identically', () => {
    const aml = inTempDir((dir) => {
      runTool('iasl', ['-T', 'NFIT'], { cwd: dir });
      runTool('iasl', ['nfit.asl'], { cwd: dir });
      return new Uint8Array(readFileSync(join(dir, 'nfit.aml')));
    });
    const d = decodeNfit(aml, { spans: true });
    expect(d.findings.filter((f) => f.code === 'checksum' || f.code === 'bad-structure')).toEqual([]);
    expect(d.table.structures.map((s) => s.type)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Buffer.from(encodeNfit(d.table)).equals(Buffer.from(aml))).toBe(true);
    const [dsl] = iaslDisassemble([aml]);
    expect(compareWithIasl(parseIaslDataDump(dsl!), d.spans!)).toEqual([]);
  });

  it.each(readdirSync(CORPUS).filter((f) => f.endsWith('.asl')))('corpus %s: iasl-compiled table decodes clean, re-encodes identically, agrees with iasl -d', (file) => {
    const aml = iaslCompile(readFileSync(join(CORPUS, file), 'utf8'));
    const d = decodeNfit(aml, { spans: true });
    expect(d.findings).toEqual([]);
    expect(Buffer.from(encodeNfit(d.table)).equals(Buffer.from(aml))).toBe(true);
    const [dsl] = iaslDisassemble([aml]);
    expect(compareWithIasl(parseIaslDataDump(dsl!), d.spans!)).toEqual([]);
  });

  it('iasl -d reads every QEMU fixture NFIT with the field values nvtool decodes', () => {
    const tables = qemuFixtures().flatMap((f) => (f.nfit ? [f.nfit] : []));
    const dsls = iaslDisassemble(tables);
    tables.forEach((t, i) => {
      const d = decodeNfit(t, { spans: true });
      expect(compareWithIasl(parseIaslDataDump(dsls[i]!), d.spans!)).toEqual([]);
    });
  });

  it('random tables from the declaration: iasl -d agrees field by field, and iasl recompiles its .dsl to the same body', () => {
    const tables = fc
      .sample(nfitTable.arbitrary(), { numRuns: 40, seed: 20261122 })
      .map((v) => encodeNfit(iaslCompatible({ ...v, signature: 'NFIT' })));
    const dsls = iaslDisassemble(tables);
    tables.forEach((t, i) => {
      const d = decodeNfit(t, { spans: true });
      expect(compareWithIasl(parseIaslDataDump(dsls[i]!), d.spans!)).toEqual([]);
      const recompiled = iaslCompile(dsls[i]!);
      expect(sameBodyIgnoringCreator(recompiled, t)).toBe(true);
    });
  });
});
