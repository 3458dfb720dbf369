/* Method invocations the decoder can only parse from the namespace: calls before definitions,
 * relative and absolute paths, externals, nested argument lists. */
DefinitionBlock ("", "SSDT", 2, "NVTOOL", "FORWARD", 0x00000003)
{
    External (\_SB.EXT1, MethodObj)
    External (\_SB.EXTI, IntObj)
    Method (MAIN, 2, NotSerialized)
    {
        Store (LATE (Arg0, Arg1, 0x03), Local0)
        Store (\_SB.DEV1.MTH2 (Local0), Local1)
        Store (\_SB.EXT1 (Local1, One), Local2)
        Store (ZRO0 (), Local3)
        Return (Add (LATE (LATE (One, 0x02, 0x03), ZRO0 (), \_SB.EXTI), Local2))
    }
    Method (LATE, 3, NotSerialized)
    {
        Return (Add (Add (Arg0, Arg1), Arg2))
    }
    Method (ZRO0, 0, NotSerialized)
    {
        Return (Zero)
    }
    Scope (\_SB)
    {
        Device (DEV1)
        {
            Method (MTH1, 1, NotSerialized)
            {
                Return (^MTH2 (Arg0))
            }
            Method (MTH2, 1, NotSerialized)
            {
                Return (MTH3 (Arg0, Arg0))
            }
            Device (CHLD)
            {
                Method (MTH4, 0, NotSerialized)
                {
                    Return (^^^DEV1.MTH3 (One, One))
                }
            }
            Method (MTH3, 2, NotSerialized)
            {
                Return (Multiply (Arg0, Arg1))
            }
        }
    }
}
