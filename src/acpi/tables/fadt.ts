import { Struct, nested, reserved, u16, u32, u64, u8, type ValueOf } from '../../core/schema/index.js';
import { acpiHeader } from '../header.js';
import { gas } from './gas.js';

/**
 * Fixed ACPI Description Table, the ACPI 2.0 layout (revision 3, 244 bytes: ACPI 6.5 §5.2.9 up
 * to X_GPE1_BLK), the FADT Xen's libacpi builds (`struct acpi_20_fadt`). Signature "FACP".
 */
export const fadt = new Struct('FADT', [
  ...acpiHeader('FACP'),
  u32('firmwareCtrl', { label: 'FACS Address' }),
  u32('dsdt', { label: 'DSDT Address' }),
  u8('reserved0', { doc: 'ACPI 1.0 INT_MODEL' }),
  u8('preferredPmProfile', { label: 'PM Profile' }),
  u16('sciInt', { label: 'SCI Interrupt' }),
  u32('smiCmd', { label: 'SMI Command Port' }),
  u8('acpiEnable'),
  u8('acpiDisable'),
  u8('s4biosReq', { label: 'S4BIOS Command' }),
  u8('pstateCnt', { label: 'P-State Control' }),
  u32('pm1aEvtBlk', { label: 'PM1A Event Block Address' }),
  u32('pm1bEvtBlk', { label: 'PM1B Event Block Address' }),
  u32('pm1aCntBlk', { label: 'PM1A Control Block Address' }),
  u32('pm1bCntBlk', { label: 'PM1B Control Block Address' }),
  u32('pm2CntBlk', { label: 'PM2 Control Block Address' }),
  u32('pmTmrBlk', { label: 'PM Timer Block Address' }),
  u32('gpe0Blk', { label: 'GPE0 Block Address' }),
  u32('gpe1Blk', { label: 'GPE1 Block Address' }),
  u8('pm1EvtLen'),
  u8('pm1CntLen'),
  u8('pm2CntLen'),
  u8('pmTmrLen'),
  u8('gpe0BlkLen'),
  u8('gpe1BlkLen'),
  u8('gpe1Base'),
  u8('cstCnt'),
  u16('pLvl2Lat'),
  u16('pLvl3Lat'),
  u16('flushSize'),
  u16('flushStride'),
  u8('dutyOffset'),
  u8('dutyWidth'),
  u8('dayAlrm'),
  u8('monAlrm'),
  u8('century'),
  u16('iapcBootArch', { label: 'Boot Flags' }),
  reserved('reserved1', 1),
  u32('flags'),
  nested('resetReg', gas),
  u8('resetValue'),
  reserved('reserved2', 3),
  u64('xFirmwareCtrl', { label: 'FACS Address (64)' }),
  u64('xDsdt', { label: 'DSDT Address (64)' }),
  nested('xPm1aEvtBlk', gas),
  nested('xPm1bEvtBlk', gas),
  nested('xPm1aCntBlk', gas),
  nested('xPm1bCntBlk', gas),
  nested('xPm2CntBlk', gas),
  nested('xPmTmrBlk', gas),
  nested('xGpe0Blk', gas),
  nested('xGpe1Blk', gas),
] as const, { label: 'Fixed ACPI Description Table', spec: 'ACPI 6.5 §5.2.9', size: 244 });

export type Fadt = ValueOf<typeof fadt>;
