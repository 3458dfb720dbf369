import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIO_SCHEMA, ScenarioError, checkSchema, loadScenario, parseScenario } from '../../src/sim/index.js';
import { runCli } from '../support/cli.js';

const platform = { machine: { type: 'pc' }, memory: { size: '4G', slots: 4, maxmem: '1T' }, nvdimms: [{ id: 'nv0', size: '64G', labelSize: '128K' }] };

function problems(json: unknown): string[] {
  try {
    parseScenario(json, '/tmp');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('scenario checks: one line per problem, path first', () => {
  it('schema problems are all reported at once', () => {
    const p = problems({ design: 'v2', host: { platform }, dom0: { nv0: { namespaces: [{ size: '1X', mode: 'weird' }] } }, extra: 1 });
    expect(p).toEqual([
      'design: "v2" is not one of "v1", "v3", "v4"',
      expect.stringMatching(/^dom0\.nv0\.namespaces\[0\]\.size: "1X" does not match/),
      'dom0.nv0.namespaces[0].mode: "weird" is not one of "raw", "fsdax", "devdax", "sector"',
      'extra: unknown field (expected one of: design, seed, host, dom0, xl, guests, steps, xen)',
    ]);
  });

  it('rules beyond the schema name the field', () => {
    const p = problems({
      design: 'v1', host: { platform }, xl: ['pmem-setup -m 1 2'],
      dom0: {
        nv9: { namespaces: [] },
        nv0: { labelVersion: '1.1', namespaces: [
          { size: '1G', mode: 'fsdax', xen: { placement: 'namespace' } },
          { size: '1G', mode: 'sector', xen: { placement: 'a' } },
          { size: '1G', xen: { placement: 'b' } },
          { size: '1G', partitions: [{ name: 'x' }, { size: '1G', xen: { placement: 'a' } }] },
          { size: '1G', mode: 'devdax', filesystem: { type: 'ext4' } },
        ] },
      },
    });
    expect(p).toEqual([
      'dom0.nv9: no NVDIMM with id "nv9" (ids: nv0)',
      expect.stringMatching(/^dom0\.nv0\.namespaces\[0\]\.mode: placement "namespace" claims the whole namespace/),
      expect.stringMatching(/^dom0\.nv0\.namespaces\[0\]\.xen\.placement: placement "namespace" records the claim in a v1\.2 label/),
      expect.stringMatching(/^dom0\.nv0\.namespaces\[1\]\.xen: a sector namespace/),
      expect.stringMatching(/^dom0\.nv0\.namespaces\[2\]\.xen\.placement: placement "b" is a partition of its own/),
      expect.stringMatching(/^dom0\.nv0\.namespaces\[3\]\.partitions\[1\]\.xen\.placement: a partition takes placement "b"/),
      'dom0.nv0.namespaces[3].partitions[0].size: only the last partition may leave out its size (it takes the rest)',
      expect.stringMatching(/^dom0\.nv0\.namespaces\[4\]\.mode: a devdax namespace has no block device/),
      'xl: design v1 has no xl pmem-setup: Dom0 reports pmem with XENPF_pmem_add',
    ]);
  });

  it('the platform is checked by the QEMU model, with its message', () => {
    const p = problems({ design: 'v3', host: { platform: { ...platform, nvdimms: [{ id: 'nv0', size: '64G', labelSize: '64K' }] } } });
    expect(p).toEqual([expect.stringMatching(/^host\.platform\.nvdimms\[0\]\.labelSize: Property 'nvdimm\.label-size' \(0x10000\) is required at least 0x20000/)]);
  });

  it('v3 has no dom0 section; a file that is not JSON is one line', () => {
    expect(problems({ design: 'v3', host: { platform }, dom0: {} })).toEqual([expect.stringMatching(/^dom0: design v3 has no Dom0 setup/)]);
    const d = mkdtempSync(join(tmpdir(), 'nvsim-'));
    writeFileSync(join(d, 's.json'), '{ "design": ');
    expect(() => loadScenario(join(d, 's.json'))).toThrow(/\(file\): not valid JSON/);
  });

  it('the issue\'s v1 scenario is valid', () => {
    const sc = parseScenario({
      design: 'v1', host: { platform },
      dom0: { nv0: { labelVersion: '1.2', namespaces: [
        { name: 'xenpmem', size: '32G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt/dax', files: [{ path: 'vm1.pmem', size: '4G' }, { path: 'vm2.pmem', size: '1G' }] } },
        { name: 'whole', size: '16G', mode: 'raw', xen: { placement: 'namespace' } }] } },
      guests: [],
    }, '/tmp');
    expect(sc.platform.dimms[0]!.addr).toBe(0x140000000n);
    expect(sc.dom0.nv0!.namespaces.map((n) => n.xen?.placement)).toEqual(['a', 'c']);
  });
});

describe('the JSON Schema shipped with the package', () => {
  const file = join(import.meta.dirname, '..', '..', 'schemas', 'sim-scenario.schema.json');
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const validate = ajv.compile(SCENARIO_SCHEMA as object);

  it('schemas/sim-scenario.schema.json is the schema the library checks with, and `nvtool sim schema` prints it', async () => {
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(SCENARIO_SCHEMA);
    const r = await runCli(['sim', 'schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(file, 'utf8'));
  });

  const valid = {
    design: 'v1', seed: 'x', host: { platform, images: { nv0: 'a.img' } },
    dom0: { nv0: { labelVersion: '1.2', namespaces: [
      { name: 'n', size: '1G', mode: 'fsdax', xen: { placement: 'a' }, filesystem: { type: 'ext4', mount: '/mnt', files: [{ path: 'f', size: 4096, content: 'pattern' }] } },
      { size: 1073741824, partitions: [{ size: '8M', type: '8300', filesystem: { type: 'ext4' } }, { xen: { placement: 'b' } }] },
    ] } },
    xl: [], guests: [],
  };

  it('ajv (strict) accepts the issue\'s scenarios and the checker finds no schema problem in them', () => {
    for (const s of [valid, { design: 'v3', host: { platform }, xl: ['pmem-setup -m 0x140000 0x150000'], guests: [] }]) {
      expect(validate(s), ajv.errorsText(validate.errors)).toBe(true);
      expect(checkSchema(SCENARIO_SCHEMA, s)).toEqual([]);
    }
  });

  it('ajv and the checker agree on every mutated scenario (fast-check)', () => {
    const leaf = fc.oneof(fc.constantFrom('v1', 'v3', 'raw', 'fsdax', 'a', 'b', 'namespace', '1G', '1X', 'ext4', '/mnt', '1.1', 'pattern', ''), fc.integer({ min: -5, max: 5000 }), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]));
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'platform') walk(x, [...p, k]);
    };
    walk(valid, []);
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...paths), fc.oneof(leaf, fc.constant(undefined)), fc.constantFrom('set', 'add')), { minLength: 1, maxLength: 3 }), (edits) => {
      const s = structuredClone(valid) as Record<string, unknown>;
      for (const [p, x, how] of edits) {
        let at: Record<string | number, unknown> = s;
        for (const k of p.slice(0, -1)) {
          const n = at[k];
          if (!n || typeof n !== 'object') return;
          at = n as Record<string | number, unknown>;
        }
        const last = p[p.length - 1];
        if (last === undefined) continue;
        if (how === 'add' && typeof at === 'object' && !Array.isArray(at)) at['extra'] = x;
        else if (x === undefined && Array.isArray(at)) (at as unknown[]).splice(Number(last), 1);
        else if (x === undefined) delete at[last];
        else at[last] = x;
      }
      expect(checkSchema(SCENARIO_SCHEMA, s).length === 0).toBe(validate(s) === true);
    }), { numRuns: 300, seed: 11 });
  });
});
