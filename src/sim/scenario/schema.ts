/**
 * The scenario's JSON Schema (draft-07, as nvtool's other schemas), shipped with the package as
 * schemas/sim-scenario.schema.json (`nvtool sim schema` prints it; a test keeps the two equal), and interpreted by `checkSchema`
 * (src/sim/scenario/check.ts), which knows the keywords used here (ajv, in strict mode, agrees in
 * test/sim/scenario.test.ts). The platform object is checked by the platform parser of build-nfit (src/acpi/qemu), so
 * errors there carry QEMU's own messages.
 */
const size = {
  description: 'bytes (integer) or a string of digits with an optional B/K/M/G/T suffix (binary units, as QEMU)',
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\s*(0x[0-9a-fA-F]+|[0-9]+)\\s*[BKMGTbkmgt]?\\s*$' },
  ],
} as const;

export const SCENARIO_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://nvtool.invalid/schemas/sim-scenario.schema.json',
  title: 'nvtool sim scenario',
  description: 'A host with NVDIMMs, the Dom0 administrator\'s setup and the design of the Xen vNVDIMM series to simulate (specs/sim.md).',
  type: 'object',
  required: ['design', 'host'],
  additionalProperties: false,
  properties: {
    design: { enum: ['v1', 'v3', 'v4'], description: 'v1: Dom0 reports pmem with XENPF_pmem_add; v3/v4: Xen reads the NFIT, the admin assigns roles with xl pmem-setup' },
    seed: { anyOf: [{ type: 'string' }, { type: 'integer' }], description: 'every uuid, GUID, time and random choice derives from it (default "0")' },
    host: {
      type: 'object',
      required: ['platform'],
      additionalProperties: false,
      properties: {
        platform: { type: 'object', description: 'the platform description of build-nfit (QEMU options)' },
        images: {
          type: 'object',
          description: 'existing backing images by NVDIMM id, paths relative to the scenario file; copied (sparse) into host/',
          additionalProperties: { type: 'string', minLength: 1 },
        },
      },
    },
    dom0: {
      type: 'object',
      description: 'design v1: the administrator\'s setup per NVDIMM id',
      additionalProperties: { $ref: '#/definitions/dimmSetup' },
    },
    xl: { type: 'array', description: 'design v3/v4: xl commands the administrator runs (without "xl")', items: { type: 'string', minLength: 1 } },
    guests: { type: 'array', description: 'guests xl creates, in order (domain ids 1, 2, ...)', items: { $ref: '#/definitions/guest' } },
    steps: { type: 'array', description: 'what the guests do, in order, in the guest stage after their kernels found their vNVDIMMs (specs/sim.md §7.10)', items: { $ref: '#/definitions/step' } },
    xen: {
      type: 'object',
      description: 'where the simulated hypervisor follows the seeds and where the series\' code (specs/sim.md §6); every key optional',
      additionalProperties: false,
      properties: {
        metadataLayout: { enum: ['formula', 'code'], description: 'formula (default): frame table then M2P packed from the cursor, as the size check counts them; code: 2 MiB chunks per PDX group / GiB as x86_64/mm.c maps them' },
        checkOrder: { enum: ['checks-first', 'code'], description: 'v1: checks-first (default) refuses before writing; code: the code\'s order, reporting what pmem_setup would have written' },
        iomemEnd: { enum: ['code', 'exclusive'], description: 'v1 iomem_deny_access end: code (default) passes rsv_epfn as inclusive (one page too many); exclusive denies exactly the reserved area' },
        overlap: { enum: ['code', 'strict'], description: 'v3/v4 check_overlap: code (default) misses a range containing another; strict catches it (-EEXIST)' },
        paddrBits: { type: 'integer', minimum: 32, maximum: 52, description: 'physical address bits: Dom0\'s initial iomem_caps is [0, 2^(paddrBits-12)) (default 46)' },
      },
    },
  },
  definitions: {
    size,
    dimmSetup: {
      type: 'object',
      additionalProperties: false,
      properties: {
        labelVersion: { enum: ['1.1', '1.2'], description: 'ndctl init-labels -V (default 1.2)' },
        namespaces: { type: 'array', items: { $ref: '#/definitions/namespace' } },
      },
    },
    namespace: {
      type: 'object',
      required: ['size'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: 63 },
        size: { $ref: '#/definitions/size' },
        mode: { enum: ['raw', 'fsdax', 'devdax', 'sector'], description: 'ndctl create-namespace -m (default fsdax)' },
        sectorSize: { enum: [512, 4096] },
        xen: { $ref: '#/definitions/xen' },
        partitions: { type: 'array', items: { $ref: '#/definitions/partition' } },
        filesystem: { $ref: '#/definitions/filesystem' },
      },
    },
    xen: {
      type: 'object',
      required: ['placement'],
      additionalProperties: false,
      properties: {
        placement: { enum: ['a', 'b', 'c', 'namespace'], description: 'specs/xen-pmem-superblock.md §3; b only on a partition, c = namespace' },
      },
    },
    partition: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: 36 },
        size: { $ref: '#/definitions/size' },
        type: { type: 'string', description: 'GPT type GUID or sgdisk alias (default 8300 Linux filesystem)' },
        xen: { $ref: '#/definitions/xen' },
        filesystem: { $ref: '#/definitions/filesystem' },
      },
    },
    filesystem: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { enum: ['ext4'] },
        mount: { type: 'string', pattern: '^/' },
        label: { type: 'string', maxLength: 16 },
        files: { type: 'array', items: { $ref: '#/definitions/file' } },
      },
    },
    guest: {
      type: 'object',
      required: ['name', 'config'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'the folder guests/<name>/ of the run (the xl.cfg gives the domain name)' },
        config: { type: 'string', minLength: 1, description: 'the guest\'s xl.cfg, relative to the scenario file' },
        mapping: { enum: ['populate', 'memory_mapping'], description: 'populate (default): libxl maps the vNVDIMM pages after QMP with XENMEM_populate_pmem_map (the series); memory_mapping: QEMU maps them with XEN_DOMCTL_memory_mapping (seed 002 §3.2.1)' },
      },
    },
    step: {
      description: 'one action of a guest: create-namespace, write or destroy',
      anyOf: [{ $ref: '#/definitions/createNamespaceStep' }, { $ref: '#/definitions/writeStep' }, { $ref: '#/definitions/destroyStep' }],
    },
    createNamespaceStep: {
      type: 'object',
      required: ['guest', 'do', 'size'],
      additionalProperties: false,
      properties: {
        guest: { type: 'string', description: 'a guest of "guests" (its name)' },
        do: { enum: ['create-namespace'], description: 'ndctl create-namespace in the guest: labels through _LSW, the info block through the guest\'s mapping' },
        size: { $ref: '#/definitions/size' },
        mode: { enum: ['raw', 'fsdax', 'devdax', 'sector'], description: 'ndctl create-namespace -m (default fsdax)' },
        name: { type: 'string', maxLength: 63, description: '-n' },
        uuid: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: '-u (default: from the seed)' },
        align: { $ref: '#/definitions/size' },
        sectorSize: { enum: [512, 520, 528, 4096, 4104, 4160, 4224], description: '-l: the BTT\'s sector size (mode sector)' },
        region: { type: 'integer', minimum: 0, description: '-r regionN (default: the first region with room)' },
      },
    },
    writeStep: {
      type: 'object',
      required: ['guest', 'do', 'namespace', 'pattern', 'length'],
      additionalProperties: false,
      properties: {
        guest: { type: 'string', description: 'a guest of "guests" (its name)' },
        do: { enum: ['write'], description: 'the guest writes a byte pattern into a namespace\'s block device (through its mapping into the host frames)' },
        namespace: { type: 'integer', minimum: 0, description: 'which namespace of the guest, from 0: the Nth of its guests/<name>/ndctl-list.json, regions and their namespaces in the order `ndctl list -RN` prints them in the guest (sysfs readdir order: namespace0.1 comes before namespace0.0)' },
        offset: { $ref: '#/definitions/size' },
        pattern: {
          oneOf: [{ type: 'string', pattern: '^(0x[0-9a-fA-F]+|[0-9]+)$' }, { type: 'integer', minimum: 0, maximum: 255 }],
          description: 'the bytes written, repeated from the first: a byte value ("0x5a", 90) or a hex string ("0xdeadbeef")',
        },
        length: { $ref: '#/definitions/size' },
      },
    },
    destroyStep: {
      type: 'object',
      required: ['guest', 'do'],
      additionalProperties: false,
      properties: {
        guest: { type: 'string', description: 'a guest of "guests" (its name)' },
        do: { enum: ['destroy'], description: 'xl destroy: Xen returns the guest\'s pages' },
      },
    },
    file: {
      type: 'object',
      required: ['path', 'size'],
      additionalProperties: false,
      properties: {
        path: { type: 'string', pattern: '^[^/].*$', description: 'relative to the mount point' },
        size: { $ref: '#/definitions/size' },
        how: { enum: ['written', 'fallocated', 'sparse', 'fragmented'], description: 'written (default): every block allocated and written; fallocated: preallocated, left unwritten (FIEMAP UNWRITTEN); sparse: the middle third a hole; fragmented: allocated in 8 pieces interleaved with another file\'s (later removed), so its extents are not contiguous' },
        content: { enum: ['allocated', 'pattern'], description: 'allocated (default): preallocated written extents reading zeros, cheap at any size; pattern: a seed-derived byte pattern really written' },
      },
    },
  },
} as const;
