/* Named objects: fields of all kinds, processors, power resources, thermal zones, regions, aliases. */
DefinitionBlock ("", "DSDT", 2, "NVTOOL", "NAMED", 0x00000002)
{
    OperationRegion (GIO0, SystemIO, 0x0400, 0x20)
    Field (GIO0, ByteAcc, NoLock, Preserve)
    {
        IDX0,   8,
        DAT0,   8,
        Offset (0x04),
        BNK0,   8,
        ,   3,
        FLG1,   1,
        AccessAs (WordAcc, 0x00),
        WRD0,   16,
        Offset (0x10),
        AccessAs (DWordAcc, 0x00),
        DWD0,   32
    }
    Field (GIO0, AnyAcc, Lock, WriteAsOnes)
    {
        Offset (0x08),
        BIGF,   64
    }
    Field (GIO0, QWordAcc, NoLock, WriteAsZeros)
    {
        Offset (0x18),
        QWD0,   64
    }
    IndexField (IDX0, DAT0, ByteAcc, NoLock, Preserve)
    {
        REG0,   8,
        REG1,   8,
        Offset (0x10),
        REG2,   16
    }
    BankField (GIO0, BNK0, 0x01, ByteAcc, NoLock, Preserve)
    {
        Offset (0x06),
        BKF0,   8
    }
    OperationRegion (SMB0, SMBus, 0x00, 0x0100)
    Field (SMB0, BufferAcc, NoLock, Preserve)
    {
        AccessAs (BufferAcc, AttribByte),
        SMB1,   8,
        AccessAs (BufferAcc, AttribBytes (0x04)),
        SMB2,   8
    }
    Name (GPCN, Buffer (0x04) { 0x01, 0x02, 0x03, 0x04 })
    OperationRegion (GPIO, GeneralPurposeIo, Zero, 0x10)
    Field (GPIO, ByteAcc, NoLock, Preserve)
    {
        Connection (GPCN),
        PIN0,   1
    }
    OperationRegion (MEM0, SystemMemory, 0xFED40000, 0x00001000)
    OperationRegion (PCI0, PCI_Config, Zero, 0x0100)
    OperationRegion (ECR0, EmbeddedControl, Zero, 0xFF)
    OperationRegion (CMOS, SystemCMOS, Zero, 0x40)
    DataTableRegion (DTR0, "FACP", "", "")
    Processor (CPU0, 0x00, 0x00000810, 0x06)
    {
        Name (_HID, "ACPI0007")
    }
    PowerResource (PWR0, 0x00, 0x0000)
    {
        Method (_STA, 0, NotSerialized) { Return (One) }
        Method (_ON, 0, NotSerialized) { }
        Method (_OFF, 0, NotSerialized) { }
    }
    ThermalZone (TZ00)
    {
        Method (_TMP, 0, Serialized) { Return (0x0BB8) }
        Name (_PSV, 0x0E30)
    }
    Device (DEV0)
    {
        Name (_ADR, Zero)
        Name (BUF0, Buffer (0x0100)
        {
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
            0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
            0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
            0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
            0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F
        })
        CreateBitField (BUF0, 0x03, BIT0)
        CreateByteField (BUF0, 0x01, BYT0)
        CreateWordField (BUF0, 0x02, WRD1)
        CreateDWordField (BUF0, 0x04, DWD1)
        CreateQWordField (BUF0, 0x08, QWD1)
        CreateField (BUF0, 0x80, 0x20, FLD0)
        Alias (BUF0, BUFA)
        Name (PKG0, Package (0x04)
        {
            Package (0x02) { "a", Package (0x02) { Package (0x01) { Zero }, Buffer (0x02) { 0x01, 0x02 } } },
            \_SB,
            ^DEV0.BUF0,
            0xFFFFFFFF
        })
        Name (_CRS, ResourceTemplate ()
        {
            IO (Decode16, 0x0400, 0x0400, 0x01, 0x20)
            Memory32Fixed (ReadWrite, 0xFED40000, 0x00001000)
        })
    }
    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Device (SUB0)
            {
                Name (_ADR, 0x00010002)
                Method (_STA, 0, NotSerialized) { Return (\_SB.PCI0.SUB0._ADR) }
            }
        }
    }
}
