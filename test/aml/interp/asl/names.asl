// Names in packages and as Store sources: module-level package elements may name objects defined
// later (resolved once the tables are loaded); a named reference (Device, Method, Mutex) resolved
// where an operator, Store or Return uses it; Store takes data, fields and references only.
DefinitionBlock ("", "DSDT", 2, "NVTOOL", "INTERP", 1) {
  Name (PKG0, Package () {1, DEV0, MTH0, MTX0, INT9, BUF9, FLD0, PKG9})
  Name (PKG1, Package () {1, 2})
  Name (BUF9, Buffer () {1, 2, 3})
  Name (INT9, 7)
  Name (PKG9, Package () {5})
  OperationRegion (OPR0, SystemMemory, 0x00100000, 0x40)
  Field (OPR0, ByteAcc, NoLock, Preserve) { FLD0, 8 }
  Device (DEV0) { Name (_ADR, 3) }
  Method (MTH0, 0) { Return (42) }
  Mutex (MTX0, 0)
  Method (TJ00, 0) { Return (Concatenate (DerefOf (Index (PKG0, 1)), "x")) }
  Method (TJ01, 0) { Return (ObjectType (Index (PKG0, 2))) }
  Method (TJ02, 0) { Return (DerefOf (Index (PKG0, 2))) }
  Method (TJ03, 0) { Return (DerefOf (Index (PKG0, 3))) }
  Method (TJ04, 0) { Return (DerefOf (Index (PKG0, 4))) }
  Method (TJ05, 0) { INT9 = 8 Return (DerefOf (Index (PKG0, 4))) }
  Method (TJ06, 0) { Return (DerefOf (Index (PKG0, 6))) }
  Method (TJ07, 0) { Return (PKG0) }
  Method (TJ08, 0) { Local0 = DerefOf (Index (PKG0, 1)) Return (ObjectType (Local0)) }
  Method (TJ09, 0) { Return (SizeOf (PKG0)) }
  Method (TJ10, 0) { Local0 = Package () {1, INT9, PKG1} Return (Local0) }
  Method (TJ11, 0) { Return (Add (DerefOf (Index (PKG0, 1)), 1)) }
  Method (TJ12, 0) { Return (ObjectType (DerefOf (Index (PKG0, 1)))) }
  Event (EVT0)
  Method (TK00, 0) { Store (DEV0, Local0) Return (1) }
  Method (TK01, 0) { Store (MTX0, Local0) Return (1) }
  Method (TK02, 0) { Store (EVT0, Local0) Return (1) }
  Method (TK03, 0) { Store (OPR0, Local0) Return (1) }
  Method (TK04, 0) { CopyObject (DEV0, Local0) Return (ObjectType (Local0)) }
  Method (TK05, 0) { CopyObject (MTX0, Local0) Return (ObjectType (Local0)) }
  Method (TK06, 0) { Store (DEV0, Debug) Return (1) }
  Method (TK07, 0) { Store (MTX0, INT9) Return (INT9) }
  Method (TK08, 0) { Store (DerefOf (Index (PKG0, 1)), Debug) Return (1) }
  Method (TK09, 0) { CopyObject (DerefOf (Index (PKG0, 1)), Local0) Return (ObjectType (Local0)) }
  Method (TK10, 0) { Local0 = Package () {DEV0} Return (ObjectType (DerefOf (Index (Local0, 0)))) }
  Method (TK11, 0) { Return (ObjectType (DerefOf (Index (PKG0, 1)))) }
  Method (TK12, 0) { Store (EVT0, FLD0) Return (1) }
  // Match: an element that is a named reference matches MTR and fails the other tests.
  Name (PKG2, Package () {Package () {1}, DEV0, MTH0, MTX0, 5, "5"})
  Method (TL00, 0) { Return (Match (PKG2, MTR, 0, MTR, 0, 1)) }
  Method (TL01, 0) { Return (Match (PKG2, MEQ, 5, MTR, 0, 0)) }
  Method (TL02, 0) { Return (Match (PKG2, MGE, 0, MTR, 0, 1)) }
  Method (TL03, 0) { Return (Match (Package (3) {1}, MTR, 0, MTR, 0, 1)) }
  // A call's argument: a package element's named reference is resolved to the object (only an
  // Index reference is kept), so the callee's Store of it is AE_AML_OPERAND_TYPE (seeds 61, 63).
  Method (H2, 2) { Arg0 = Arg1 Return (DerefOf (Arg0)) }
  Method (H3, 1) { Return (ObjectType (Arg0)) }
  Method (TU00, 0) { Local7 = Index (PKG0, 1) Return (H2 (RefOf (PKG1), DerefOf (Local7))) }
  Method (TU01, 0) { Local7 = Index (PKG0, 1) Return (H3 (DerefOf (Local7))) }
  Method (TU02, 0) { Return (H3 (Index (PKG0, 1))) }
}
