/** The NVDIMM each NFIT entry belongs to, in table order, read with bare byte offsets (ACPI 6.x §5.2.25). */
export interface NfitDimmEntry {
  /** NFIT device handle of the Memory Device to SPA Range Map structure (QEMU: slot + 1). */
  handle: number;
  /** Base of the SPA range that memdev structure points at. */
  spaBase: number;
}

const NFIT_BODY_START = 40;
const TYPE_SPA = 0;
const TYPE_MEMDEV = 1;

export function nfitDimmOrder(nfit: Uint8Array): NfitDimmEntry[] {
  const view = new DataView(nfit.buffer, nfit.byteOffset, nfit.byteLength);
  const length = view.getUint32(4, true);
  const spaBaseByIndex = new Map<number, number>();
  const memdevs: { handle: number; spaIndex: number }[] = [];
  for (let off = NFIT_BODY_START; off < length; ) {
    const type = view.getUint16(off, true);
    const subLength = view.getUint16(off + 2, true);
    if (subLength < 4 || off + subLength > length) throw new Error(`NFIT subtable at ${off} has length ${subLength}`);
    if (type === TYPE_SPA) {
      spaBaseByIndex.set(view.getUint16(off + 4, true), Number(view.getBigUint64(off + 32, true)));
    } else if (type === TYPE_MEMDEV) {
      memdevs.push({ handle: view.getUint32(off + 4, true), spaIndex: view.getUint16(off + 12, true) });
    }
    off += subLength;
  }
  return memdevs.map(({ handle, spaIndex }) => {
    const spaBase = spaBaseByIndex.get(spaIndex);
    if (spaBase === undefined) throw new Error(`NFIT memdev ${handle} names missing SPA range ${spaIndex}`);
    return { handle, spaBase };
  });
}
