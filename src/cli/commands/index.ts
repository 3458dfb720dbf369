import type { CommandModule } from 'yargs';
import { buildNfitCommand } from './build-nfit.js';
import { buildSsdtCommand } from './build-ssdt.js';
import { decodeCommand } from './decode.js';
import { disasmCommand } from './disasm.js';
import { encodeCommand } from './encode.js';
import { fuzzCommand } from './fuzz.js';
import { gptCommand } from './gpt.js';
import { xenCommand } from './xen.js';
import { labelsCommand } from './labels.js';
import { namespaceCommand } from './namespace.js';
import { inspectCommand } from './inspect.js';
import { simCommand } from './sim.js';

/** Every nvtool command; one file each in this folder. Add new ones here. */
export const commands: CommandModule<object, any>[] = [decodeCommand, encodeCommand, buildNfitCommand, fuzzCommand, disasmCommand, buildSsdtCommand, gptCommand, xenCommand, namespaceCommand, labelsCommand, inspectCommand, simCommand];
