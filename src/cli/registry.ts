import type { Command } from './command.js';

/**
 * Every nvtool command, by name, with the one line the top-level help shows. Modules load only
 * when their command runs (or its help is asked for): start-up reads this file and nothing else.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'inspect', summary: 'find and explain every layer of an image: ACPI tables, label areas, namespaces, info blocks/BTT, GPT/MBR, Xen super block, file systems', load: async () => (await import('./commands/inspect.js')).inspectCommand },
  { name: 'decode', summary: 'annotated field dump of a binary (NFIT and other ACPI tables, label areas, info blocks, GPT/MBR, Xen super block), with validation findings', load: async () => (await import('./commands/decode.js')).decodeCommand },
  { name: 'encode', summary: 'turn JSON from `decode --json` (edited or not) back into the binary', load: async () => (await import('./commands/encode.js')).encodeCommand },
  { name: 'build-nfit', summary: "build the NFIT a guest sees for a platform description (QEMU 7.2's bytes, or any table with the generic profile)", load: async () => (await import('./commands/build-nfit.js')).buildNfitCommand },
  { name: 'build-ssdt', summary: "build QEMU 7.2's NVDIMM SSDT for a platform description", load: async () => (await import('./commands/build-ssdt.js')).buildSsdtCommand },
  { name: 'disasm', summary: 'disassemble a DSDT/SSDT to ASL that iasl compiles back to the same AML body', load: async () => (await import('./commands/disasm.js')).disasmCommand },
  { name: 'aml eval', summary: 'evaluate an AML method or object of DSDT/SSDT tables, like acpiexec -b "evaluate ..."', load: async () => (await import('./commands/aml.js')).amlEvalCommand },
  { name: 'labels', summary: 'NVDIMM namespace labels offline: init, dump, list, create, delete, rename, check, repair', load: async () => (await import('./commands/labels.js')).labelsCommand },
  { name: 'namespace format', summary: 'write the fsdax/devdax info block, the BTT (sector) or clear it (raw) the way Linux 6.1 does', load: async () => (await import('./commands/namespace.js')).formatCmd },
  { name: 'namespace show', summary: 'how Linux would bring the namespace up: mode, info block or BTT arenas, with findings', load: async () => (await import('./commands/namespace.js')).showCmd },
  { name: 'namespace view', summary: 'read or write sectors of the block device Linux exposes (through the BTT in sector mode)', load: async () => (await import('./commands/namespace.js')).viewCmd },
  { name: 'gpt', summary: 'GPT partition tables (with protective MBR): create, list, add, delete, verify, repair', load: async () => (await import('./commands/gpt.js')).gptCommand },
  { name: 'xen', summary: "nvtool's Xen pmem super block, reserved area and frame table: format, inspect, check", load: async () => (await import('./commands/xen.js')).xenCommand },
  { name: 'sim', summary: 'simulate the Xen vNVDIMM design on real images: host, Dom0, Xen, ... one stage at a time', load: async () => (await import('./commands/sim.js')).simCommand },
  { name: 'fuzz', summary: "run a decoder's properties (round trip, mutated and arbitrary bytes); save failing inputs", load: async () => (await import('./commands/fuzz.js')).fuzzCommand },
];

/** Every command loaded (tests, and checks that walk all of them). */
export async function loadAllCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map((c) => c.load()));
}
