import { NvError } from '../core/errors.js';

/**
 * A guest's slice of xenstore as text in `xenstore-ls -f` form: one `PATH = "VALUE"` line per node,
 * parents before children, children in creation order (as xenstored lists them), directory nodes
 * with the empty value. Values escape `\`, `"` and non-printable bytes as xenstore-ls does (`\\`,
 * `\"`, `\xNN`).
 */
export class XenStore {
  private readonly nodes = new Map<string, string>();

  write(path: string, value: string): void {
    if (!path.startsWith('/')) throw new NvError('xenstore', path, undefined, 'paths are absolute');
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = '/' + parts.slice(0, i).join('/');
      if (!this.nodes.has(p)) this.nodes.set(p, '');
    }
    this.nodes.set('/' + parts.join('/'), value);
  }

  read(path: string): string | undefined {
    return this.nodes.get(path);
  }

  /** The names of `path`'s children, in creation order (xs_directory). */
  directory(path: string): string[] {
    const pre = path.replace(/\/$/, '') + '/';
    return [...this.nodes.keys()].filter((k) => k.startsWith(pre) && !k.slice(pre.length).includes('/')).map((k) => k.slice(pre.length));
  }

  format(): string {
    const keys = [...this.nodes.keys()];
    // Depth-first: each node followed by its subtree, siblings in creation order.
    const out: string[] = [];
    const walk = (p: string) => {
      for (const name of this.directory(p)) {
        const full = `${p === '/' ? '' : p}/${name}`;
        out.push(`${full} = "${escape(this.nodes.get(full)!)}"`);
        walk(full);
      }
    };
    const roots = keys.filter((k) => k.split('/').length === 2);
    for (const r of roots) {
      out.push(`${r} = "${escape(this.nodes.get(r)!)}"`);
      walk(r);
    }
    return out.join('\n') + (out.length ? '\n' : '');
  }

  static parse(text: string, file = 'xenstore.txt'): XenStore {
    const xs = new XenStore();
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const m = /^(\/\S*) = "((?:[^"\\]|\\.)*)"$/.exec(line);
      if (!m) throw new NvError('xenstore', `${file}:${i + 1}`, undefined, `expected PATH = "VALUE", got ${JSON.stringify(line)}`);
      xs.write(m[1]!, unescape(m[2]!));
    });
    return xs;
  }
}

function escape(v: string): string {
  let s = '';
  for (const ch of v) {
    const c = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') s += '\\' + ch;
    else if (c < 0x20 || c > 0x7e) s += '\\x' + c.toString(16).padStart(2, '0');
    else s += ch;
  }
  return s;
}

function unescape(v: string): string {
  return v.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e));
}
