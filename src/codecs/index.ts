/**
 * Every format `decode` reads and `encode` writes, registered here in detection order: tables by
 * signature first, then label areas and info blocks (found at fixed offsets), a GPT disk's start
 * (protective MBR with "EFI PART" in the next sector), then single
 * structures by magic, the simulation's hypercall argument files (by size and command), any other ACPI table by its header, and last the MBR (only a 55AA signature).
 */
import { fitFormat, genericAcpiFormat, nfitFormat } from './acpi.js';
import { amlFormat } from './aml.js';
import { gptHeaderFormat, mbrFormat } from './disk.js';
import { gptDiskFormat } from './gptDisk.js';
import { bttFormat, pfnFormat } from './infoblocks.js';
import { labelsFormat } from './labels.js';
import { defineFormats } from './registry.js';
import { hypercallFormats } from './hypercalls.js';
import { xenSuperBlockFormat } from './xen.js';
import { systemTableFormats } from './systemTables.js';

defineFormats([nfitFormat, fitFormat, amlFormat, labelsFormat, pfnFormat, bttFormat, gptDiskFormat, gptHeaderFormat, xenSuperBlockFormat, ...hypercallFormats, ...systemTableFormats, genericAcpiFormat, mbrFormat]);

export { allFormats, formatFor, formatForJson, formatNamed, type DecodableFormat, type DecodedDocument } from './registry.js';
export { DOCUMENT_SCHEMA_VERSION, assemble, decodeDocument, diffPatches, documentOf, encodeDocument, type FormatDocument, type Patch } from './document.js';
export { LISTING_FORMAT, encodeJson, encodeListing, isListingJson, listingDocument, type ListedTable, type ListingDocument } from './listing.js';
export { disasmDocument } from './amlDisasm.js';
