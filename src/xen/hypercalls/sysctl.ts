import { Struct, reserved, u32, u64, u8, union, type ValueOf } from '../../core/schema/index.js';

/**
 * `HYPERVISOR_sysctl` with `XEN_SYSCTL_nvdimm_op` (xen/include/public/sysctl.h, branches
 * nvdimm-rfc-v3 dc1b1aa97b and nvdimm-rfc-v4 f185314a66; xen.md §1B). Both branches number it 29
 * (v2 used 28, taken upstream by XEN_SYSCTL_set_parameter). C padding is declared as `pad` fields.
 *
 * The two branches lay `xen_sysctl_nvdimm_op` out differently: v3 is `cmd, pad, u, err` (56
 * bytes, err after the union), v4 is `cmd, err, u` (48 bytes). Both are declared.
 */
export const XEN_SYSCTL_nvdimm_op = 29;
export const XEN_SYSCTL_INTERFACE_VERSION = { v2: 0x10, v3: 0x10, v4: 0x11 } as const;

export const XEN_SYSCTL_nvdimm_pmem_get_regions_nr = 0;
export const XEN_SYSCTL_nvdimm_pmem_get_regions = 1;
export const XEN_SYSCTL_nvdimm_pmem_setup = 2;
export const PMEM_REGION_TYPE = { RAW: 0, MGMT: 1, DATA: 2 } as const;
const REGION_TYPE_NAMES = { 0: 'PMEM_REGION_TYPE_RAW', 1: 'PMEM_REGION_TYPE_MGMT', 2: 'PMEM_REGION_TYPE_DATA' };
const NVDIMM_CMD_NAMES = {
  [XEN_SYSCTL_nvdimm_pmem_get_regions_nr]: 'XEN_SYSCTL_nvdimm_pmem_get_regions_nr',
  [XEN_SYSCTL_nvdimm_pmem_get_regions]: 'XEN_SYSCTL_nvdimm_pmem_get_regions',
  [XEN_SYSCTL_nvdimm_pmem_setup]: 'XEN_SYSCTL_nvdimm_pmem_setup',
};

/** Elements of the array `get_regions` copies to the guest handle, one layout per region type. */
export const pmemRawRegion = new Struct('xen_sysctl_nvdimm_pmem_raw_region', [
  u64('smfn'), u64('emfn'), u32('pxm'), reserved('pad', 4, { label: '(padding)' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_raw_region', size: 24 });
export const pmemMgmtRegion = new Struct('xen_sysctl_nvdimm_pmem_mgmt_region', [
  u64('smfn'), u64('emfn'), u64('usedMfns', { label: 'used_mfns', specName: 'used_mfns' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_mgmt_region', size: 24 });
export const pmemDataRegion = new Struct('xen_sysctl_nvdimm_pmem_data_region', [
  u64('smfn'), u64('emfn'), u64('mgmtSmfn', { label: 'mgmt_smfn', specName: 'mgmt_smfn' }), u64('mgmtEmfn', { label: 'mgmt_emfn', specName: 'mgmt_emfn' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_data_region', size: 32 });

export const pmemRegionsNr = new Struct('xen_sysctl_nvdimm_pmem_regions_nr', [
  u8('type', { names: REGION_TYPE_NAMES }),
  reserved('pad', 3, { label: '(padding)' }),
  u32('numRegions', { label: 'num_regions (OUT)', specName: 'num_regions' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_regions_nr', size: 8 });

export const pmemRegions = new Struct('xen_sysctl_nvdimm_pmem_regions', [
  u8('type', { names: REGION_TYPE_NAMES }),
  reserved('pad', 3, { label: '(padding)' }),
  u32('numRegions', { label: 'num_regions (IN max / OUT returned)', specName: 'num_regions' }),
  u64('buffer', { label: 'u_buffer (XEN_GUEST_HANDLE_64)', specName: 'u_buffer' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_regions', size: 16 });

export const pmemSetup = new Struct('xen_sysctl_nvdimm_pmem_setup', [
  u64('smfn', { label: 'start MFN of the PMEM region', specName: 'smfn' }),
  u64('emfn', { label: 'end MFN of the PMEM region', specName: 'emfn' }),
  u64('mgmtSmfn', { label: 'mgmt_smfn', specName: 'mgmt_smfn' }),
  u64('mgmtEmfn', { label: 'mgmt_emfn', specName: 'mgmt_emfn' }),
  u8('type', { names: REGION_TYPE_NAMES }),
  reserved('pad', 7, { label: '(padding)' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_setup', size: 40 });
export type PmemSetup = ValueOf<typeof pmemSetup>;

const nvdimmUnion = {
  label: 'union u', size: 40,
  members: { pmem_regions_nr: pmemRegionsNr, pmem_regions: pmemRegions, pmem_setup: pmemSetup },
  select: (p: Readonly<Record<string, unknown>>) =>
    p.cmd === XEN_SYSCTL_nvdimm_pmem_get_regions_nr ? 'pmem_regions_nr' as const
      : p.cmd === XEN_SYSCTL_nvdimm_pmem_get_regions ? 'pmem_regions' as const
        : p.cmd === XEN_SYSCTL_nvdimm_pmem_setup ? 'pmem_setup' as const : undefined,
};

/** v4 (f185314a66): `uint32 cmd; uint32 err; union u;` — err is OUT, `-rc`. */
export const nvdimmOpV4 = new Struct('xen_sysctl_nvdimm_op', [
  u32('cmd', { label: 'cmd', names: NVDIMM_CMD_NAMES }),
  u32('err', { label: 'err (OUT, -rc)', specName: 'err' }),
  union('u', nvdimmUnion),
] as const, { label: 'struct xen_sysctl_nvdimm_op (v4)', spec: 'xen/include/public/sysctl.h (nvdimm-rfc-v4)', size: 48 });

/** v3 (dc1b1aa97b): `uint32 cmd; uint32 pad; union u; uint32 err;` (+4 bytes tail padding). */
export const nvdimmOpV3 = new Struct('xen_sysctl_nvdimm_op.v3', [
  u32('cmd', { label: 'cmd', names: NVDIMM_CMD_NAMES }),
  u32('pad', { label: 'pad (always zero)', reserved: true }),
  union('u', nvdimmUnion),
  u32('err', { label: 'err (OUT, -rc)', specName: 'err' }),
  reserved('tailPad', 4, { label: '(padding)' }),
] as const, { label: 'struct xen_sysctl_nvdimm_op (v3)', spec: 'xen/include/public/sysctl.h (nvdimm-rfc-v3)', size: 56 });

/**
 * v2 (69a87b009c): sysctl 28, only `XEN_SYSCTL_nvdimm_pmem_setup = 0` with `smfn, emfn, mgmt_smfn,
 * mgmt_emfn` (INVALID_MFN in the mgmt fields: manage from RAM), and `cmd, pad, u` (40 bytes).
 */
export const XEN_SYSCTL_nvdimm_op_v2 = 28;
export const XEN_SYSCTL_nvdimm_pmem_setup_v2 = 0;
export const pmemSetupV2 = new Struct('xen_sysctl_nvdimm_pmem_setup.v2', [
  u64('smfn'), u64('emfn'), u64('mgmtSmfn', { label: 'mgmt_smfn (INVALID_MFN: RAM)', specName: 'mgmt_smfn' }), u64('mgmtEmfn', { label: 'mgmt_emfn (INVALID_MFN: RAM)', specName: 'mgmt_emfn' }),
] as const, { label: 'struct xen_sysctl_nvdimm_pmem_setup (v2)', size: 32 });
export const nvdimmOpV2 = new Struct('xen_sysctl_nvdimm_op.v2', [
  u32('cmd', { label: 'cmd', names: { [XEN_SYSCTL_nvdimm_pmem_setup_v2]: 'XEN_SYSCTL_nvdimm_pmem_setup' } }),
  u32('pad', { label: 'pad (always zero)', reserved: true }),
  union('u', { label: 'union u', size: 32, members: { setup: pmemSetupV2 }, select: (p) => (p.cmd === XEN_SYSCTL_nvdimm_pmem_setup_v2 ? 'setup' : undefined) }),
] as const, { label: 'struct xen_sysctl_nvdimm_op (v2)', spec: 'xen/include/public/sysctl.h (nvdimm-rfc-v2)', size: 40 });

const sysctlOf = (name: string, cmd: number, op: typeof nvdimmOpV4 | typeof nvdimmOpV3 | typeof nvdimmOpV2, branch: string) =>
  new Struct(name, [
    u32('cmd', { label: 'cmd', names: { [cmd]: 'XEN_SYSCTL_nvdimm_op' } }),
    u32('interfaceVersion', { label: 'interface_version', specName: 'interface_version' }),
    union('u', { label: 'union u', size: 128, members: { nvdimm: op }, select: (p) => (p.cmd === cmd ? 'nvdimm' : undefined) }),
  ] as const, { label: `struct xen_sysctl (${branch})`, spec: `xen/include/public/sysctl.h (${branch})`, size: 136 });

export const xenSysctlV4 = sysctlOf('xen_sysctl', XEN_SYSCTL_nvdimm_op, nvdimmOpV4, 'nvdimm-rfc-v4');
export const xenSysctlV3 = sysctlOf('xen_sysctl.v3', XEN_SYSCTL_nvdimm_op, nvdimmOpV3, 'nvdimm-rfc-v3');
export const xenSysctlV2 = sysctlOf('xen_sysctl.v2', XEN_SYSCTL_nvdimm_op_v2, nvdimmOpV2, 'nvdimm-rfc-v2');
export type XenSysctlV4 = ValueOf<typeof xenSysctlV4>;
