/* Every Type 1 and Type 2 operator (ACPI 6.5 §20.2.5.3-4), written in legacy ASL. */
DefinitionBlock ("", "SSDT", 2, "NVTOOL", "OPS", 0x00000001)
{
    Name (GINT, 0x1234)
    Name (GSTR, "hello \"quoted\" \\ world")
    Name (GBUF, Buffer (0x04) { 0x01, 0x02, 0x03, 0x04 })
    Name (GPKG, Package (0x03) { One, "two", Package (0x02) { 0x03, Package (0x01) { 0x04 } } })
    Name (BIG, 0x123456789ABCDEF0)
    Name (ONSV, Ones)
    Mutex (MTX0, 0x03)
    Event (EVT0)
    Method (OPS1, 7, Serialized, 2)
    {
        Store (Arg0, Local0)
        Add (Local0, Arg1, Local1)
        Subtract (Local1, 0x02, Local2)
        Multiply (Local2, 0x0300, Local3)
        Divide (Local3, 0x07, Local4, Local5)
        Divide (Local3, 0x07, , Local5)
        Mod (Local5, 0x03, Local6)
        And (Local6, 0xFF, Local7)
        Or (Local7, 0x00010000, Local0)
        XOr (Local0, Arg2, Local0)
        NAnd (Local0, Arg3, Local1)
        NOr (Local1, Arg4, Local1)
        Not (Local1, Local2)
        ShiftLeft (Local2, 0x04, Local2)
        ShiftRight (Local2, 0x02, Local2)
        Increment (Local2)
        Decrement (Local2)
        FindSetLeftBit (Local2, Local3)
        FindSetRightBit (Local2, Local3)
        FromBCD (Local3, Local4)
        ToBCD (Local4, Local5)
        ToBuffer (Local5, Local6)
        ToDecimalString (Local5, Local6)
        ToHexString (Local5, Local6)
        ToInteger (Local6, Local7)
        ToString (GBUF, Ones, Local7)
        Concatenate (GSTR, "!", Local0)
        ConcatenateResTemplate (Buffer (0x02) { 0x79, 0x00 }, Buffer (0x02) { 0x79, 0x00 }, Local1)
        Mid (GSTR, One, 0x03, Local2)
        Store (SizeOf (GPKG), Local3)
        Store (ObjectType (GPKG), Local4)
        Store (DerefOf (Index (GPKG, Zero)), Local5)
        Store (RefOf (GINT), Local6)
        CopyObject (Local6, Local7)
        If (CondRefOf (\_SB, Local0)) { Noop }
        Store (Match (GPKG, MEQ, One, MTR, Zero, Zero), Local1)
        If (LAnd (LEqual (Arg5, One), LOr (LGreater (Arg6, 0x02), LLess (Arg6, One))))
        {
            Store (LNot (LNotEqual (Arg5, Arg6)), Local0)
        }
        ElseIf (LGreaterEqual (Arg5, Arg6))
        {
            Store (LLessEqual (Arg5, Arg6), Local0)
        }
        Else
        {
            BreakPoint
        }
        While (LLess (Local0, 0x0A))
        {
            Increment (Local0)
            If (LEqual (Local0, 0x05)) { Continue }
            If (LEqual (Local0, 0x08)) { Break }
        }
        Store (Acquire (MTX0, 0xFFFF), Local0)
        Release (MTX0)
        Signal (EVT0)
        Store (Wait (EVT0, 0x0010), Local0)
        Reset (EVT0)
        Sleep (0x0A)
        Stall (0x14)
        Store (Timer (), Local1)
        Store (Revision, Local2)
        Store (Local2, Debug)
        Notify (\_SB, 0x80)
        Fatal (0x01, 0x00000002, 0x03)
        Store (Package (Arg0) { One, 0x02 }, Local3)
        Store (Package (0x05) { One }, Local4)
        Store (Buffer (Arg1) {}, Local5)
        Store (ONSV, Local0)
        Store (BIG, Local0)
        Return (Local0)
    }
    Method (LDT1, 1, NotSerialized)
    {
        Name (HNDL, Zero)
        Load (\_SB.TBUF, HNDL)
        Unload (HNDL)
        Store (LoadTable ("OEM1", "", "", "\\", "\\_SB.PARM", Zero), Local0)
        Return (Local0)
    }
    Scope (\_SB)
    {
        Name (TBUF, Buffer (0x24) {})
        Name (PARM, Zero)
    }
}
