import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { inspectReader, type InspectReport } from '../../inspect/inspect.js';
import { sortLayers, walk } from '../../inspect/layer.js';
import { SimDir, xenStateLayers } from '../../sim/index.js';
import { CountingReader } from '../../inspect/reader.js';
import { renderDiagram } from '../../inspect/render/diagram.js';
import { renderHexdump } from '../../inspect/render/hexdump.js';
import { renderSvg } from '../../inspect/render/svg.js';
import { renderTree } from '../../inspect/render/tree.js';
import { defineCommand } from '../command.js';
import { CliError, toJsonText } from '../io.js';
import { writeOutput } from '../write/output.js';
import { openTarget, type Target } from '../target.js';
import { labelSizeOption, namespaceOption } from '../options/target.js';
import { file } from '../options/values.js';

interface Args {
  file: string;
  json: boolean;
  svg?: string;
  hexdump: boolean;
  stats: boolean;
  labelSize?: number;
  namespace?: string;
  force: boolean;
  deep: boolean;
  dryRun: boolean;
}

export const inspectCommand = defineCommand<Args>({
  name: 'inspect',
  describe: 'find and explain every layer of an image: ACPI tables, label areas, namespaces, info blocks/BTT, GPT/MBR, Xen super block, file systems',
  positionals: [{ name: 'file', describe: 'an ACPI table, a label area, a QEMU NVDIMM backing file, a pmem or disk image', value: file() }],
  options: {
    json: { describe: 'print { file, size, layers: [...] } (specs/inspect.md)' },
    svg: { describe: 'write a picture of the layout to this file (- for stdout)', value: file({ dash: 'stdout' }) },
    hexdump: { describe: 'also print the bytes of every decoded structure, field by field' },
    stats: { describe: 'print how many bytes were read and how long it took' },
    'label-size': labelSizeOption,
    namespace: { ...namespaceOption, describe: 'inspect the block device Linux exposes for this namespace UUID inside FILE (raw: the namespace; fsdax/devdax: past the info block; sector: through the BTT)' },
    force: { describe: 'replace an existing --svg file' },
    deep: { describe: 'read Xen frame tables and M2Ps whole: exact runs of page states and every damaged entry (default: 1024 samples and a bisection at each change)' },
    'dry-run': { describe: 'say which file would be written, write nothing' },
  },
  requires: [['force', 'svg'], ['dry-run', 'svg']],
  examples: [
    ['$0 inspect nvdimm0.img', 'tree and to-scale diagram of a QEMU NVDIMM backing file'],
    ['$0 inspect pmem.img --json --stats', 'the layers as JSON, and the bytes read'],
    ['$0 inspect nvdimm0.img --svg layout.svg', 'a picture of the layout'],
    ['$0 inspect run1/host/nv0.img --deep', 'every page_info of the frame tables Xen built, as runs of page states; damage as findings'],
    ['$0 inspect nvdimm0.img --label-size 128K --hexdump', 'explicit label area size; every structure field by field'],
    ['$0 inspect nfit.aml', 'an ACPI table (NFIT and AML are decoded)'],
    ['$0 inspect nvdimm0.img --namespace 1c7d0ea6-e498-4e26-859d-a3f3208ec705', 'only what is on /dev/pmemN of that namespace, offsets relative to it'],
  ],
  fileOf: (a) => a.file,
  run: (a) => {
    if (!existsSync(a.file)) throw new CliError(`${a.file}: no such file`);
    if (statSync(a.file).isDirectory()) throw new CliError(`${a.file}: is a directory`);
    const labelSize = a.labelSize;
    const t0 = performance.now();
    let r: CountingReader;
    let view: Target | undefined;
    try {
      if (a.namespace !== undefined) {
        view = openTarget({ target: a.file, namespace: a.namespace, ...(labelSize !== undefined ? { labelSize } : {}) }, false);
        r = CountingReader.fromBlockIO(view, `${a.file} namespace ${a.namespace}`);
      } else r = CountingReader.openFile(a.file);
    } catch (e) {
      if (e instanceof CliError || (e as { name?: string }).name === 'NvError') throw e;
      throw new CliError(`${a.file}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      const { report, dumps } = inspectReader(r, { ...(labelSize !== undefined && !view ? { labelSize } : {}), ...(a.deep ? { deep: true } : {}) });
      if (!view) addRunDirLayers(a.file, r, report, a.deep);
      const ms = performance.now() - t0;
      const stats = { bytesRead: r.stats.bytesRead, reads: r.stats.reads, ms: Math.round(ms * 100) / 100 };
      if (a.svg) writeOutput(a.svg, renderSvg(a.file, report.size, report.layers), a.force, a.dryRun);
      if (a.json) {
        process.stdout.write(toJsonText({ schemaVersion: 1, ...report, ...(a.stats ? { stats } : {}) }));
      } else {
        process.stdout.write(renderTree(report.file, report.size, report.layers));
        process.stdout.write('\n' + renderDiagram(report.size, report.layers));
        if (a.hexdump) process.stdout.write('\n' + renderHexdump(report.layers, dumps, (o, n) => r.read(o, n)));
        if (a.stats) process.stdout.write(`\nread ${stats.bytesRead} bytes in ${stats.reads} reads (${(stats.bytesRead / Math.max(1, report.size) * 100).toPrecision(2)}% of the file), ${stats.ms} ms\n`);
      }
      if (a.stats && a.json) process.stderr.write(`read ${stats.bytesRead} bytes in ${stats.reads} reads, ${stats.ms} ms\n`);
      return exitOf(report);
    } finally {
      r.close();
      view?.close();
    }
  },
});

function exitOf(report: InspectReport): number {
  for (const { layer } of walk(report.layers)) if (layer.findings.some((f) => f.severity === 'error')) return 1;
  return 0;
}

/**
 * A host image inside a simulation run directory (`DIR/host/<id>.img` with `DIR/run.json`): the
 * frame tables Xen v3/v4 placed in it, which only `DIR/xen/state.json` locates (specs/sim.md §6.6).
 */
function addRunDirLayers(file: string, r: CountingReader, report: InspectReport, deep: boolean): void {
  const hostDir = dirname(resolve(file));
  const root = dirname(hostDir);
  if (basename(hostDir) !== 'host' || !existsSync(resolve(root, 'run.json')) || !existsSync(resolve(root, 'xen/state.json'))) return;
  const ctx = { size: r.size, read: (o: number, l: number) => r.read(o, l), tryRead: (o: number, l: number) => r.tryRead(o, l), dumps: new WeakMap(), ...(deep ? { deep: true } : {}) };
  report.layers.push(...xenStateLayers(new SimDir(root), `host/${basename(file)}`, ctx));
  sortLayers(report.layers);
}
