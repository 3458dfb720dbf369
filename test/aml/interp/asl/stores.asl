// Store of a reference into an Integer, String, Buffer or field: resolved first (an Index to an
// empty element fails as such), then refused (AE_AML_OPERAND_TYPE); CopyObject copies the
// reference itself (ACPICA exstoren.c AcpiExResolveObject, exstore.c AcpiExStoreObjectToNode).
DefinitionBlock ("", "DSDT", 2, "NVTOOL", "INTERP", 1) {
  Name (INT0, 5)
  Name (STR0, "abc")
  Name (BUF0, Buffer (4) {1})
  Name (PKG0, Package (4) {7, "x", Buffer () {9}})
  Name (PKG1, Package () {1})
  OperationRegion (OPR0, SystemMemory, 0x00100000, 0x40)
  Field (OPR0, ByteAcc, NoLock, Preserve) { FLD0, 16 }
  Method (H2, 2) { Arg0 = Arg1 Return (DerefOf (Arg0)) }
  Method (TS00, 0) { Local7 = Index (PKG0, 0) Store (Local7, INT0) Return (INT0) }
  Method (TS01, 0) { Local7 = Index (PKG0, 1) Store (Local7, STR0) Return (STR0) }
  Method (TS02, 0) { Local7 = Index (PKG0, 2) Store (Local7, BUF0) Return (BUF0) }
  Method (TS03, 0) { Local7 = Index (PKG0, 3) Store (Local7, INT0) Return (INT0) }
  Method (TS04, 0) { Local7 = Index (BUF0, 0) Store (Local7, INT0) Return (INT0) }
  Method (TS05, 0) { Local7 = RefOf (INT0) Store (Local7, STR0) Return (STR0) }
  Method (TS06, 0) { Local7 = Index (PKG0, 0) Return (H2 (RefOf (STR0), Local7)) }
  Method (TS07, 0) { Local7 = Index (PKG0, 3) Return (H2 (RefOf (STR0), Local7)) }
  Method (TS08, 0) { Local7 = Index (PKG0, 0) Return (H2 (RefOf (PKG1), Local7)) }
  Method (TS09, 0) { Local7 = Index (PKG0, 0) Store (Local7, FLD0) Return (FLD0) }
  Method (TS10, 0) { Local7 = Index (PKG0, 1) CopyObject (Local7, INT0) Return (ObjectType (INT0)) }
  Method (TS11, 0) { Local7 = Index (PKG0, 0) Return (H2 (RefOf (INT0), Local7)) }
  Method (TS13, 0) { Local6 = RefOf (BUF0) Return (H2 (RefOf (INT0), Local6)) }
  Method (TS14, 0) { Local7 = Index (PKG0, 2) Store (Local7, Index (PKG1, 0)) Return (ObjectType (DerefOf (Index (PKG1, 0)))) }
  Method (TS15, 0) { Local7 = Index (PKG0, 0) Store (Local7, Index (BUF0, 1)) Return (BUF0) }
}
