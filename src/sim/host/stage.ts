/**
 * The host stage: the machine the scenario describes. Its firmware's NFIT (build-nfit's QEMU
 * profile, byte for byte what QEMU 7.2 gives) and one backing image per NVDIMM, created sparse at
 * the backend size (persistent memory, then the label area, as QEMU lays them out) or copied,
 * sparse, from the scenario's existing image.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { NvError } from '../../core/errors.js';
import { buildNfit, type NfitDescription } from '../../acpi/build/index.js';
import { slotToHandle } from '../../acpi/qemu/identifiers.js';
import { FileBlockIO } from '../../core/blockio.js';
import type { SimDir } from '../runDir.js';
import { registerStage } from '../stages.js';
import { HOST_MACHINE, HOST_NFIT, dimmImagePath, type HostMachine } from './machine.js';

const hex = (n: bigint) => `0x${n.toString(16)}`;

export function runHost(dir: SimDir): HostMachine {
  const sc = dir.scenario();
  const built = buildNfit(sc.platformJson as NfitDescription);
  dir.writeBytes(HOST_NFIT, built.bytes);
  const machine: HostMachine = { nfit: HOST_NFIT, dimms: [] };
  for (const d of sc.platform.dimms) {
    const id = d.id!;
    const image = dimmImagePath(id);
    const target = dir.file(image);
    const src = sc.images[id];
    if (src) {
      if (!existsSync(src)) throw new NvError('sim.host', `host.images.${id}`, undefined, `${src} does not exist`);
      const size = BigInt(statSync(src).size);
      if (size !== d.fileSize) throw new NvError('sim.host', `host.images.${id}`, undefined, `${src} is ${size} bytes; NVDIMM ${id} has size ${d.fileSize}`);
      execFileSync('cp', ['--sparse=always', src, target]);
    } else {
      FileBlockIO.create(target, Number(d.fileSize)).close();
    }
    machine.dimms.push({
      id, handle: slotToHandle(d.slot), slot: d.slot, image, size: hex(d.fileSize), pmemSize: hex(d.pmemSize),
      labelSize: hex(d.labelSize), node: d.node,
    });
  }
  dir.writeText(HOST_MACHINE, JSON.stringify(machine, null, 2) + '\n');
  return machine;
}

registerStage({ name: 'host', describe: 'the machine: its NFIT and one backing image per NVDIMM', run: (dir) => void runHost(dir) });
