/**
 * The platform model against real QEMU 7.2: every accepted capture in fixtures/qemu (its NFIT gives
 * slot, address, PMEM size, node, flags and order), every refused one (its stderr gives QEMU's
 * message), and the QOM/NFIT orders in qom-order.json.
 */
import { describe, expect, it } from 'vitest';
import { NvError } from '../../../src/core/errors.js';
import {
  gHashTableOrder, nvdimmListOrder, parsePlatform, resolvePlatform,
  slotToDcrIndex, slotToHandle, slotToSerial, slotToSpaIndex,
} from '../../../src/acpi/qemu/index.js';
import { acceptedFixtures, nfitDimms, nfitLength, qomOrderFixtures, rejectedFixtures } from './fixtureData.js';

const accepted = acceptedFixtures();
const rejected = rejectedFixtures();
const qomOrders = qomOrderFixtures();

describe('fixtures are present', () => {
  it('has accepted, rejected and QOM-order captures', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    expect(rejected.length).toBeGreaterThanOrEqual(11);
    expect(qomOrders.length).toBeGreaterThanOrEqual(20);
  });
});

describe.each(accepted)('accepted capture $name', ({ platform, nfit }) => {
  const resolved = resolvePlatform(parsePlatform(platform));
  const table = nfitDimms(nfit);

  it('has one NFIT entry per resolved dimm (and capabilities iff persistence)', () => {
    expect(nfitLength(nfit)).toBe(40 + 184 * resolved.dimms.length + (resolved.persistence ? 16 : 0));
  });

  it('lists the dimms in NFIT order with QEMU slot, address, size, node and flags', () => {
    const model = resolved.dimms.map((d) => ({
      spaIndex: slotToSpaIndex(d.slot),
      spaFlags: 3,
      proximityDomain: d.node,
      spaBase: d.addr,
      spaLength: d.pmemSize,
      handle: slotToHandle(d.slot),
      memdevSpaIndex: slotToSpaIndex(d.slot),
      memdevDcrIndex: slotToDcrIndex(d.slot),
      regionSize: d.pmemSize,
      memdevFlags: d.unarmed ? 8 : 0,
      dcrIndex: slotToDcrIndex(d.slot),
      serial: slotToSerial(d.slot),
    }));
    expect(model).toEqual(table);
  });

  it('places every dimm inside the device-memory region', () => {
    for (const d of resolved.dimms) {
      expect(d.addr).toBeGreaterThanOrEqual(resolved.deviceMemory.base);
      expect(d.addr + d.pmemSize).toBeLessThanOrEqual(resolved.deviceMemory.base + resolved.deviceMemory.size);
    }
  });
});

describe.each(rejected)('refused capture $name', ({ platform, stderr }) => {
  it("throws NvError carrying QEMU's own message", () => {
    let thrown: unknown;
    try {
      resolvePlatform(parsePlatform(platform));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NvError);
    const err = thrown as NvError;
    expect(err.format).toBe('platform');
    expect(err.offset).toBeUndefined();
    // QEMU prints "qemu-system-x86_64: <option>: <message>"; the message is the tail.
    expect(stderr.trim().endsWith(err.reason)).toBe(true);
    expect(err.reason.length).toBeGreaterThan(20);
  });
});

describe('QOM and NFIT order (qom-order.json)', () => {
  it.each(qomOrders.map((e, i) => ({ ...e, i })))('entry $i ($machine): nvdimmListOrder matches the NFIT', (entry) => {
    const dimms = entry.ids.map((id) => (id === null ? {} : { id }));
    let anon = 0;
    const names = entry.ids.map((id) => id ?? `device[${anon++}]`);
    expect(nvdimmListOrder(dimms).map((i) => names[i])).toEqual(entry.nfitOrder);
  });

  it.each(qomOrders.map((e, i) => ({ ...e, i })))('entry $i: the GLib simulation is reverse(qom-list) per container', (entry) => {
    const named = entry.ids.filter((id): id is string => id !== null);
    let anon = 0;
    const anonymous = entry.ids.filter((id) => id === null).map(() => `device[${anon++}]`);
    expect(gHashTableOrder(named)).toEqual([...entry.qomList].reverse());
    expect(gHashTableOrder(anonymous)).toEqual([...entry.qomListAnon].reverse());
  });
});
