// A 32-bit table (revision 1) evaluated with an external argument wider than its integers
// (rules.test.ts passes 0x123456789ABCDEF0): ACPICA keeps it until an operator truncates its result
// object in place (AcpiDsExecEndOp) -- Store truncates its source after a LocalX took a copy.
DefinitionBlock ("", "DSDT", 1, "NVTOOL", "INTERP", 1) {
  Name (INT0, 5)
  Method (H1, 1) { Return (Arg0) }
  Method (TP00, 1) { Return (Arg0) }
  Method (TP01, 1) { Local0 = Arg0 Return (Arg0) }
  Method (TP02, 1) { If (Arg0) { Return (Arg0) } Return (0) }
  Method (TP03, 1) { Return (Add (Arg0, 0)) }
  Method (TP04, 1) { Return (LEqual (Arg0, 0xFFFFFFFF)) }
  Method (TP05, 1) { Return (ToHexString (Arg0)) }
  Method (TP06, 1) { Return (Concatenate (Arg0, 1)) }
  Method (TP07, 1) { Return (H1 (Arg0)) }
  Method (TP08, 1) { CopyObject (Arg0, Local0) Return (Arg0) }
  Method (TP09, 1) { INT0 = Arg0 Return (INT0) }
  Method (TP10, 1) { Return (ToDecimalString (Arg0)) }
  Method (TP11, 1) { Return (ShiftRight (Arg0, 4)) }
  Method (TP12, 1) { While (Arg0) { Return (Arg0) } Return (0) }
  Method (TP13, 1) { Return (LNot (LNot (Arg0))) }
  Method (TP14, 1) { Return (Package () {1}) }
  Method (TP15, 1) { Local0 = Package () {0} Local0 [0] = Arg0 Return (Arg0) }
  Method (TP16, 1) { Store (Arg0, Local0) Return (Local0) }
  Method (TP17, 1) { Return (ToBuffer (Arg0)) }
  Method (TP18, 1) { Return (Mid (Arg0, 0, 8)) }
  Method (TP19, 1) { Return (ObjectType (Arg0)) }
  Method (TP20, 1) { Return (Increment (Arg0)) }
  Method (TP21, 1) { CopyObject (Arg0, Local0) Return (Local0) }
  Method (TP22, 1) { Store (Arg0, Local0) Return (Arg0) }
  Method (TP23, 1) { Local1 = Package () {0} Store (Arg0, Index (Local1, 0)) Return (DerefOf (Index (Local1, 0))) }
  Method (TP24, 1) { Store (Store (Arg0, Local0), Local1) Return (Local1) }
}
