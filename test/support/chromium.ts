/**
 * Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol on a pipe
 * (`--remote-debugging-pipe`: the browser reads commands on fd 3 and writes replies on fd 4, each
 * message JSON ended by a NUL). One launch loads one page from file:// and reports what a user's
 * browser would: console messages, uncaught exceptions, log entries (failed loads), every request
 * the page made, facts evaluated in the page, and a PNG screenshot of the whole page.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { requireTool } from './tools.js';

/** The browser binary; a missing one fails the test naming the Debian package (never a skip). */
export const requireChromium = (): string => requireTool('chromium', 'chromium');

export interface PageLoad<T> {
  /** Console API calls: type and text. */
  console: { type: string; text: string }[];
  /** Uncaught exceptions (Runtime.exceptionThrown), as Chromium describes them. */
  exceptions: string[];
  /** Browser log entries (failed resource loads, security errors) of level error or warning. */
  log: { level: string; text: string; url?: string }[];
  /** Every URL the page requested. */
  requests: string[];
  /** The value of `evaluate` in the page after load. */
  facts: T;
  /** PNG of the whole page at `width` CSS pixels, device scale 1. */
  png: Buffer;
  width: number;
  height: number;
}

interface Message {
  id?: number;
  method?: string;
  params?: any;
  result?: any;
  error?: { message: string };
  sessionId?: string;
}

/**
 * Load `file` in a fresh headless Chromium at `width` px, wait for the load event, evaluate
 * `evaluate` (an expression returning JSON-able data), take a full-page screenshot, close.
 */
export async function loadPage<T>(file: string, evaluate: string, width = 1100, timeoutMs = 60_000): Promise<PageLoad<T>> {
  const profile = mkdtempSync(join(tmpdir(), 'nvtool-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-background-networking', '--hide-scrollbars', '--force-color-profile=srgb', `--user-data-dir=${profile}`, 'about:blank'];
  const proc = spawn(requireChromium(), args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const toBrowser = proc.stdio[3] as Writable;
  const fromBrowser = proc.stdio[4] as Readable;
  const waiting = new Map<number, (m: Message) => void>();
  const events: Message[] = [];
  let buf = Buffer.alloc(0);
  fromBrowser.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0)) {
      const m = JSON.parse(buf.subarray(0, i).toString('utf8')) as Message;
      buf = buf.subarray(i + 1);
      const w = m.id !== undefined ? waiting.get(m.id) : undefined;
      if (w) {
        waiting.delete(m.id!);
        w(m);
      } else events.push(m);
    }
  });
  const gone = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const exited = gone.then((): never => {
    throw new Error(`chromium exited (${proc.exitCode ?? proc.signalCode}) before the page was done: ${stderr.slice(-2000)}`);
  });
  exited.catch(() => {});
  let next = 0;
  const send = async (method: string, params: object = {}, sessionId?: string): Promise<any> => {
    const id = ++next;
    const reply = new Promise<Message>((resolve) => waiting.set(id, resolve));
    toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    const m = await Promise.race([reply, exited]);
    if (m.error) throw new Error(`${method}: ${m.error.message}`);
    return m.result;
  };
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  try {
    const { targetInfos } = await send('Target.getTargets');
    const page = (targetInfos as { type: string; targetId: string }[]).find((t) => t.type === 'page');
    if (!page) throw new Error('chromium opened no page');
    const { sessionId } = await send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    for (const domain of ['Runtime', 'Page', 'Log', 'Network']) await send(`${domain}.enable`, {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width, height: 800, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
    while (!events.some((e) => e.method === 'Page.loadEventFired')) await Promise.race([new Promise((r) => setTimeout(r, 20)), exited]);
    const ev = await send('Runtime.evaluate', { expression: evaluate, returnByValue: true }, sessionId);
    if (ev.exceptionDetails) throw new Error(`evaluate: ${JSON.stringify(ev.exceptionDetails).slice(0, 500)}`);
    const metrics = await send('Page.getLayoutMetrics', {}, sessionId);
    const height = Math.ceil(metrics.cssContentSize.height as number);
    const shot = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width, height, scale: 1 } }, sessionId);
    await send('Browser.close').catch(() => {});
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    const of = (method: string) => events.filter((e) => e.method === method).map((e) => e.params);
    return {
      console: of('Runtime.consoleAPICalled').map((p) => ({ type: String(p.type), text: (p.args as { value?: unknown; description?: string }[]).map((a) => String(a.value ?? a.description ?? '')).join(' ') })),
      exceptions: of('Runtime.exceptionThrown').map((p) => String(p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text)),
      log: of('Log.entryAdded').map((p) => p.entry).filter((e) => e.level === 'error' || e.level === 'warning').map((e) => ({ level: String(e.level), text: String(e.text), ...(e.url ? { url: String(e.url) } : {}) })),
      requests: of('Network.requestWillBeSent').map((p) => String(p.request.url)),
      facts: ev.result.value as T,
      png: Buffer.from(shot.data as string, 'base64'),
      width,
      height,
    };
  } finally {
    clearTimeout(timer);
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  }
}
