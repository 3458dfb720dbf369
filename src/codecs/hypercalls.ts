/**
 * The hypercall argument files the simulation writes (`hypercalls/NNNN-<caller>-<op>.bin`): each
 * struct as Xen's public headers lay it out on x86-64, recognised by size, command and interface
 * version (`xen_pmem_map` only with --format).
 */
import { decodeStruct } from '../core/schema/index.js';
import * as hypercalls from '../xen/hypercalls/index.js'; // not the xen barrel: it exports the fuzz targets (fast-check)
import type { DecodableFormat } from './registry.js';
import { structFormat } from './struct.js';

export const hypercallFormats: DecodableFormat[] = hypercalls.HYPERCALL_FORMATS.map((h) => ({
  ...structFormat(h.name, h.struct, { detect: h.detect }),
  decode(bytes, { spans }) {
    const d = decodeStruct(h.struct, bytes, { format: h.name, spans });
    const findings = [...d.findings];
    if (d.size < bytes.length) findings.push({ severity: 'warning', code: 'trailing-bytes', path: '', offset: d.size, message: `${bytes.length - d.size} byte(s) after the ${d.size}-byte ${h.struct.label}` });
    return { format: h.name, findings, ...(d.spans ? { spans: d.spans } : {}), json: h.struct.toJson(d.value) };
  },
}));
