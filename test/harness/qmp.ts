import { connect, type Socket } from 'node:net';

/** A QMP command that QEMU answered with `{"error": ...}`. */
export class QmpError extends Error {
  override readonly name = 'QmpError';
  constructor(readonly command: string, readonly errorClass: string, readonly desc: string) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
  }
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

type QmpMessage =
  | { QMP: unknown }
  | { return: unknown; id?: number }
  | { error: { class: string; desc: string }; id?: number }
  | { event: string };

/**
 * Minimal QMP client: one unix socket, newline-delimited JSON, replies matched by `id`,
 * asynchronous events collected but otherwise ignored. Every wait has a deadline.
 */
export class QmpClient {
  readonly events: string[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered = '';
  private closedWith: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('QMP socket closed')));
  }

  /**
   * Connects (retrying while QEMU has not created the socket yet), reads the greeting and
   * negotiates capabilities. `gaveUp()` lets the caller stop early, e.g. when QEMU has exited.
   */
  static async open(path: string, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (gaveUp()) throw new Error('QMP connect abandoned');
      try {
        const socket = await connectOnce(path, Math.max(1, deadline - Date.now()));
        const client = new QmpClient(socket);
        await client.greeting(Math.max(1, deadline - Date.now()));
        await client.execute('qmp_capabilities', undefined, Math.max(1, deadline - Date.now()));
        return client;
      } catch (err) {
        if (Date.now() >= deadline) throw new Error(`QMP connect to ${path} timed out: ${(err as Error).message}`);
        await sleep(20);
      }
    }
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    const request = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private greetingWaiter: ((ok: boolean) => void) | undefined;

  private greeting(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        reject(new Error('no QMP greeting'));
      }, timeoutMs);
      this.greetingWaiter = (ok) => {
        clearTimeout(timer);
        if (ok) resolve();
        else reject(this.closedWith ?? new Error('QMP closed before greeting'));
      };
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line) this.onMessage(JSON.parse(line) as QmpMessage);
    }
  }

  private onMessage(msg: QmpMessage): void {
    if ('QMP' in msg) {
      this.greetingWaiter?.(true);
      this.greetingWaiter = undefined;
      return;
    }
    if ('event' in msg) {
      this.events.push(msg.event);
      return;
    }
    const id = msg.id;
    const waiter = id === undefined ? undefined : this.pending.get(id);
    if (!waiter || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(waiter.timer);
    if ('error' in msg) waiter.reject(new QmpError(waiter.command, msg.error.class, msg.error.desc));
    else waiter.resolve(msg.return);
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.greetingWaiter?.(false);
    this.greetingWaiter = undefined;
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`QMP ${waiter.command}: ${err.message}`));
      this.pending.delete(id);
    }
  }
}

function connectOnce(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
