// How operands are resolved (ACPICA 20200925 AcpiExResolveToValue / AcpiExResolveOperands):
// each method Txxx is evaluated by acpiexec and by nvtool, results and errors must be equal.
DefinitionBlock ("", "DSDT", 2, "NVT", "T", 1) {
  Name (INT0, 5)
  Name (BUF0, Buffer () {1, 2})
  Name (STR0, "12")
  Name (PKG0, Package () {1, 2, "34", Buffer () {7}, Package () {9}})
  Name (PKG2, Package (3) {1})
  Method (H1, 0) { Return (Index (PKG0, 1)) }
  Method (H2, 0) { Local0 = Index (PKG0, 1) Return (Local0) }
  Method (H3, 1) { Return (ObjectType (Arg0)) }
  Method (H4, 1) { Increment (Arg0) Return (Arg0) }
  Method (H5, 1) { Local0 = Arg0 }
  // Increment/Decrement resolve their operand as LNot's: a Local or Arg holding a RefOf or Index
  // reference gives the reference, not an Integer (AE_AML_OPERAND_TYPE); an Index result is the element.
  Method (TA00, 0) { Local0 = RefOf (INT0) Increment (Local0) Return (Local0) }
  Method (TA01, 0) { Local0 = Index (PKG0, 0) Increment (Local0) Return (Local0) }
  Method (TA02, 0) { Local0 = Index (BUF0, 0) Increment (Local0) Return (Local0) }
  Method (TA03, 0) { Return (H4 (RefOf (INT0))) }
  Method (TA04, 0) { Local0 = RefOf (INT0) Decrement (Local0) Return (Local0) }
  Method (TA05, 0) { Local0 = Index (STR0, 0) Increment (Local0) Return (Local0) }
  Method (TA06, 0) { Local0 = RefOf (INT0) Return (Add (Local0, 1)) }
  Method (TA07, 0) { Return (Increment (Index (PKG0, 0))) }
  // An Index reference into a Package produced by an operator, a call or Store is the element
  // when an operator uses it; one held in a Local stays a reference.
  Method (TB00, 0) { Return (Add (Index (PKG0, 1), 1)) }
  Method (TB01, 0) { Local7 = Index (PKG0, 1) Return (Add (Store (Local7, Local0), 1)) }
  Method (TB02, 0) { Return (Add (H1 (), 1)) }
  Method (TB03, 0) { Return (Add (H2 (), 1)) }
  Method (TB04, 0) { Local0 = H1 () Return (ObjectType (Local0)) }
  Method (TB05, 0) { Return (H3 (Index (PKG0, 1))) }
  Method (TB06, 0) { Return (Concatenate (Index (PKG0, 2), "x")) }
  Method (TB07, 0) { Return (Add (Index (BUF0, 1), 1)) }
  Method (TB08, 0) { Return (Add (Index (PKG2, 2), 1)) }
  Method (TB09, 0) { If (Index (PKG0, 1)) { Return (1) } Return (2) }
  Method (TB10, 0) { Return (LEqual (Index (PKG0, 2), "34")) }
  Method (TB11, 0) { Return (Concatenate (Index (BUF0, 1), "x")) }
  Method (TB12, 0) { Return (Mid (Index (PKG0, 3), 0, 1)) }
  Method (TB13, 0) { CopyObject (Index (PKG0, 1), Local0) Return (ObjectType (Local0)) }
  Method (TB14, 0) { Return (ToHexString (Index (PKG0, 1))) }
  Method (TB15, 0) { Local0 = Index (PKG0, 0) Return (Add (Local0, 1)) }
  Method (TB16, 0) { Return (Match (Index (PKG0, 4), MEQ, 9, MTR, 0, 0)) }
  Method (TB17, 0) { Local0 = Index (PKG0, 4) Return (Match (Local0, MEQ, 9, MTR, 0, 0)) }
  Method (TB18, 0) { Return (DerefOf (Index (Index (PKG0, 4), 0))) }
  Method (TB19, 0) { Return (Add (Store (Index (PKG0, 1), Local0), 1)) }
  Method (TB20, 0) { Local0 = Index (PKG0, 1) Return (Local0) }
  // The element is taken when the operator resolves its operands, after all of them ran.
  Method (TB23, 0) { Return (Mod (Index (PKG2, 2), NOr (Package () {1}, 1))) }
  Method (TB24, 0) { Return (Add (Index (PKG2, 2), Index (PKG2, 1))) }
  // Return passes an operator's Index reference on unchanged: held in a Local it stays one.
  Method (TB21, 0) { Local1 = H1 () Increment (Local1) Return (Local1) }
  Method (TB22, 0) { Local1 = H1 () Return (DerefOf (Local1)) }
  // A call that returns nothing is AE_AML_NO_RETURN_VALUE when its operator collects its
  // operands, after the operator's later operands ran (their error wins).
  Method (TC00, 0) { Return (Add (H5 (3), 1)) }
  Method (TC01, 0) { Return (Add (H5 (3), Index (Buffer (1) {1}, 3))) }
  Method (TC02, 0) { Return (Concatenate (H5 ("b"), DerefOf (Index (PKG0, 9)))) }
  Method (TC03, 0) { Local0 = H5 (7) Return (Local0) }
  Method (TC04, 0) { Return (H5 (4)) }
  // An operator's Index target is evaluated before the operator runs: its error comes first.
  Method (TE00, 0) { Add (PKG0, 1, Index (BUF0, 9)) Return (1) }
  Method (TE01, 0) { Divide (7, 0, Index (BUF0, 0), Index (BUF0, 5)) Return (BUF0) }
  Method (TE02, 0) { Local0 = Buffer (4) {} Add (1, 2, Index (Local0, 1)) Return (Local0) }
  Method (TE03, 0) { Add (1, 0x1FF, Index (PKG0, 1)) Return (DerefOf (Index (PKG0, 1))) }
  Method (TE04, 0) { Divide (7, 2, Index (BUF0, 0), Index (BUF0, 1)) Return (BUF0) }
}
