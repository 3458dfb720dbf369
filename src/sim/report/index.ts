/**
 * `nvtool sim report`: a run directory as one self-contained HTML page (specs/sim.md §10).
 * Pure reading: nothing here writes; the CLI writes the page through the write gate.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { SimDir } from '../runDir.js';
import { reportModel } from './model.js';
import { renderReportPage } from './page.js';

export type { ReportModel, GuestReport, VnvdimmReport, MappedRun, HostDimmReport, XenReport, XenArea } from './model.js';
export type { Artefact } from './artefacts.js';
export { reportModel } from './model.js';
export { renderReportPage } from './page.js';
export { renderMappingSvg, MAP_WIDTH } from './mappingSvg.js';

/** The default place of the page: DIR/report.html. */
export const REPORT_FILE = 'report.html';

export interface RenderOptions {
  /** Where the run directory is when the page is opened (default `root`): a run built in a temporary directory renders for its final place. */
  finalRoot?: string;
}

/**
 * The page for run directory `root`, to be opened at `outFile` (default DIR/report.html): links are
 * relative to the page's folder, and the page itself is left out of the artefact list.
 */
export function renderReport(root: string, outFile: string = resolve(root, REPORT_FILE), o: RenderOptions = {}): string {
  const final = resolve(o.finalRoot ?? root);
  const fromPage = relative(dirname(resolve(outFile)), final).split(sep).join('/');
  const within = relative(final, resolve(outFile)).split(sep).join('/');
  const model = reportModel(new SimDir(root), within.startsWith('..') ? undefined : within);
  return renderReportPage({ ...model, root: o.finalRoot ?? root }, { base: fromPage });
}
