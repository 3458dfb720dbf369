/*
 * A call whose meaning only the complete namespace gives: while USE is parsed, FOO resolves to
 * \FOO (1 argument), but \_SB.DEV.FOO (2 arguments), defined after USE, is nearer. No name is
 * unresolved and the first parse of USE succeeds (as `Return (FOO (One))` then a stray 0x02), so
 * only re-checking every lookup against the complete namespace finds it.
 */
DefinitionBlock ("", "SSDT", 2, "NVTOOL", "SHADOW", 0x00000001)
{
    Method (\FOO, 1, NotSerialized)
    {
        Return (Arg0)
    }
    Scope (\_SB)
    {
        Device (DEV)
        {
            Method (USE, 0, NotSerialized)
            {
                Return (FOO (One, 0x02))
            }
            Method (FOO, 2, NotSerialized)
            {
                Return (Add (Arg0, Arg1))
            }
        }
    }
}
