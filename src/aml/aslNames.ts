/** ASL keywords for the enumerated bytes inside AML operators (ACPI 6.5 §19.6, §20.2.5.2). */

export const REGION_SPACES: Record<number, string> = {
  0x00: 'SystemMemory', 0x01: 'SystemIO', 0x02: 'PCI_Config', 0x03: 'EmbeddedControl', 0x04: 'SMBus',
  0x05: 'SystemCMOS', 0x06: 'PciBarTarget', 0x07: 'IPMI', 0x08: 'GeneralPurposeIo', 0x09: 'GenericSerialBus',
  0x0a: 'PCC', 0x7f: 'FFixedHW',
};

export const ACCESS_TYPES = ['AnyAcc', 'ByteAcc', 'WordAcc', 'DWordAcc', 'QWordAcc', 'BufferAcc'] as const;
export const LOCK_RULES = ['NoLock', 'Lock'] as const;
export const UPDATE_RULES = ['Preserve', 'WriteAsOnes', 'WriteAsZeros'] as const;

/** AccessAttrib values with their own keyword (AccessAs). */
export const ACCESS_ATTRIBS: Record<number, string> = {
  0x02: 'AttribQuick',
  0x04: 'AttribSendReceive',
  0x06: 'AttribByte',
  0x08: 'AttribWord',
  0x0a: 'AttribBlock',
  0x0c: 'AttribProcessCall',
  0x0d: 'AttribBlockProcessCall',
};

/** ExtendedAccessAttrib values, each with a length argument. */
export const EXT_ACCESS_ATTRIBS: Record<number, string> = {
  0x0b: 'AttribBytes',
  0x0e: 'AttribRawBytes',
  0x0f: 'AttribRawProcessBytes',
};

export const MATCH_OPS = ['MTR', 'MEQ', 'MLE', 'MLT', 'MGE', 'MGT'] as const;

/** ObjectType codes of External (§19.6.45). */
export const OBJECT_TYPES = [
  'UnknownObj', 'IntObj', 'StrObj', 'BuffObj', 'PkgObj', 'FieldUnitObj', 'DeviceObj', 'EventObj',
  'MethodObj', 'MutexObj', 'OpRegionObj', 'PowerResObj', 'ProcessorObj', 'ThermalZoneObj',
  'BuffFieldObj', 'DDBHandleObj',
] as const;
