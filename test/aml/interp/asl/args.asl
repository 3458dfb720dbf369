// Method arguments are the caller's objects (ACPICA AcpiDsMethodDataInitArgs): a Buffer, String or
// Package changed through Index (ArgX, i) is changed for the caller; a Store into ArgX replaces it.
DefinitionBlock ("", "DSDT", 2, "NVTOOL", "INTERP", 1) {
  Name (INT0, 5)
  Name (STR0, "abc")
  Name (BUF0, Buffer (4) {1, 2})
  Name (PKG0, Package () {1, 2, Package () {3}})
  Method (H1, 1) { Arg0 [0] = 9 Return (1) }
  Method (H2, 1) { Store (7, Index (Arg0, 1)) Return (1) }
  Method (H3, 1) { Arg0 = 4 Return (1) }
  Method (H4, 1) { Local0 = Arg0 Local0 [0] = 8 Return (1) }
  Method (H5, 1) { Return (Arg0) }
  Method (TN00, 0) { H1 (PKG0) Return (PKG0) }
  Method (TN01, 0) { H2 (BUF0) Return (BUF0) }
  Method (TN02, 0) { H2 (STR0) Return (STR0) }
  Method (TN03, 0) { H3 (INT0) Return (INT0) }
  Method (TN04, 0) { H4 (PKG0) Return (PKG0) }
  Method (TN05, 0) { Local0 = Package () {1, 2} H1 (Local0) Return (Local0) }
  Method (TN06, 0) { Local0 = Buffer () {1, 2} H2 (Local0) Return (Local0) }
  Method (TN07, 0) { H1 (DerefOf (Index (PKG0, 2))) Return (PKG0) }
  Method (TN08, 0) { Local0 = H5 (PKG0) Local0 [0] = 6 Return (PKG0) }
  Method (TN09, 0) { Local0 = PKG0 Local0 [0] = 6 Return (PKG0) }
  Method (TN10, 0) { Local1 = Package () {1, 2} Local0 = Local1 Local0 [0] = 6 Return (Local1) }
  Method (TN11, 0) { CopyObject (PKG0, Local0) Local0 [0] = 3 Return (PKG0) }
  Method (TN12, 0) { Local0 = DerefOf (Index (PKG0, 2)) Local0 [0] = 5 Return (PKG0) }
  Method (TN13, 0) { Store (Index (PKG0, 2), Local0) Store (4, Index (DerefOf (Local0), 0)) Return (PKG0) }
}
