import { encodeStruct } from '../../core/schema/index.js';
import { genericTable } from '../../acpi/genericTable.js';
import { pkgLengthSizeFor, putPkgLength } from '../../aml/pkgLength.js';
import { XEN_OEM, XEN_SSDT_REVISION } from './xenAcpi.js';

const AML_OP_SCOPE = 0x10;
const AML_OP_EXT = 0x5b;
const AML_OP_DEVICE = 0x82;
const NAMESEG = 4;

/** libacpi's build_prepend_name: leading `\` and `^` kept, then the name padded with `_` to 4 bytes. */
function nameBytes(name: string): Uint8Array | string {
  let i = 0;
  while (name[i] === '\\' || name[i] === '^') i++;
  const seg = name.slice(i);
  if (!seg) return Uint8Array.from([...name.slice(0, i)].map((c) => c.charCodeAt(0)).concat(0));
  // ASSERT(name_len <= ACPI_NAMESEG_LEN) in aml_build.c: hvmloader stops there.
  if (seg.length > NAMESEG) return `namespace device name "${name}" is longer than ${NAMESEG} characters (hvmloader ASSERT in build_prepend_name)`;
  return Uint8Array.from([...name.slice(0, i) + seg.padEnd(NAMESEG, '_')].map((c) => c.charCodeAt(0) & 0xff));
}

function pkg(prefix: number[], name: Uint8Array, body: Uint8Array): Uint8Array {
  const inner = name.length + body.length;
  const w = pkgLengthSizeFor(inner);
  const out = new Uint8Array(prefix.length + w + inner);
  out.set(prefix, 0);
  putPkgLength(out, prefix.length, w + inner, w);
  out.set(name, prefix.length + w);
  out.set(body, prefix.length + w + name.length);
  return out;
}

/**
 * hvmloader's construct_dm_nsdev (tools/libacpi/build.c, aml_build.c): the DM's namespace-device
 * body wrapped as `SSDT { Scope(\_SB) { Device(NAME) { body } } }` with Xen's SSDT header, checksum
 * computed. A string is hvmloader's refusal.
 */
export function wrapNamespaceDevice(name: string, body: Uint8Array): Uint8Array | string {
  const dev = nameBytes(name);
  if (typeof dev === 'string') return dev;
  const sb = nameBytes('\\_SB') as Uint8Array;
  const scope = pkg([AML_OP_SCOPE], sb, pkg([AML_OP_EXT, AML_OP_DEVICE], dev, body));
  return encodeStruct(genericTable, { signature: 'SSDT', length: 0, revision: XEN_SSDT_REVISION, checksum: 0, ...XEN_OEM, body: scope });
}
