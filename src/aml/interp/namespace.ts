/**
 * The run-time namespace: every object the loaded tables (and running methods) created, by
 * absolute path (`\_SB_.NVDR`), with ACPI's name search rules (ACPI 6.5 §5.3: a single-segment
 * relative name is searched from the current scope up to the root; any other form is exact).
 */
import type { NameString } from '../model.js';
import { amlFail } from './errors.js';
import { type AmlObject, type MethodObj, int, str } from './values.js';

export const pathOf = (segs: readonly string[]): string => '\\' + segs.join('.');

export function segsOf(path: string): string[] {
  return path === '\\' ? [] : path.slice(1).split('.');
}

/** `\_SB.PCI0` or `_SB_.PCI0` as segments, each padded to 4 characters with `_`. */
export function parsePath(text: string): string[] {
  const t = text.startsWith('\\') ? text.slice(1) : text;
  return t === '' ? [] : t.split('.').map((s) => s.toUpperCase().padEnd(4, '_'));
}

export class RtNamespace {
  private readonly objects = new Map<string, AmlObject>();
  private readonly aliases = new Map<string, string>();

  constructor() {
    for (const p of ['\\_GPE', '\\_PR_', '\\_SB_', '\\_SI_', '\\_TZ_']) this.objects.set(p, { type: 'Device' });
    this.objects.set('\\', { type: 'Device' });
    this.objects.set('\\_GL_', { type: 'Mutex', syncLevel: 0, depth: 0, savedLevel: 0 });
    this.objects.set('\\_OS_', str('Microsoft Windows NT'));
    this.objects.set('\\_REV', int(2n));
    const osi: MethodObj = { type: 'Method', path: '\\_OSI', argc: 1, serialized: false, syncLevel: 0, body: null, active: 0 };
    this.objects.set('\\_OSI', osi);
  }

  private real(path: string): string {
    return this.aliases.get(path) ?? path;
  }

  has(path: string): boolean {
    return this.objects.has(this.real(path));
  }

  get(path: string): AmlObject | undefined {
    return this.objects.get(this.real(path));
  }

  /** Replaces the object at an existing path (Store/CopyObject to a name). */
  set(path: string, o: AmlObject): void {
    this.objects.set(this.real(path), o);
  }

  /** Creates a new name; an existing one is `AE_ALREADY_EXISTS` (ACPICA `AcpiNsLookup` with ACPI_NS_ERROR_IF_FOUND). */
  define(path: string, o: AmlObject): void {
    if (this.has(path)) amlFail('AE_ALREADY_EXISTS', `${path} already exists`);
    this.objects.set(path, o);
  }

  alias(path: string, target: string): void {
    if (this.has(path)) amlFail('AE_ALREADY_EXISTS', `${path} already exists`);
    this.aliases.set(path, this.real(target));
  }

  /** Removes a method's temporary objects when it returns (ACPICA `AcpiNsDeleteNamespaceByOwner`). */
  remove(path: string): void {
    this.objects.delete(path);
    this.aliases.delete(path);
  }

  /** The absolute path a NameString names from `scope`, or undefined when nothing is there. */
  resolve(n: NameString, scope: readonly string[]): string | undefined {
    if (n.root || n.parents > 0 || n.segs.length !== 1) {
      const base = n.root ? [] : scope.slice(0, Math.max(0, scope.length - n.parents));
      const p = pathOf([...base, ...n.segs]);
      return this.has(p) ? p : undefined;
    }
    for (let i = scope.length; i >= 0; i--) {
      const p = pathOf([...scope.slice(0, i), n.segs[0]!]);
      if (this.has(p)) return p;
    }
    return undefined;
  }

  /** Where a new object named `n` goes (no search: ACPI 6.5 §5.3). */
  placeOf(n: NameString, scope: readonly string[]): string {
    const base = n.root ? [] : scope.slice(0, Math.max(0, scope.length - n.parents));
    return pathOf([...base, ...n.segs]);
  }

  paths(): IterableIterator<string> {
    return this.objects.keys();
  }
}
