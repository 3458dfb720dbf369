// Statements and conversions at their edges (empty strings, buffers and packages, BCD, shifts,
// string-to-integer rules, Fatal going on), each Txxx compared with acpiexec (operands.test.ts).
DefinitionBlock ("", "DSDT", 2, "NVTOOL", "INTERP", 1) {
  Name (INT0, 5)
  Name (BUF0, Buffer () {1, 2})
  Name (STR0, "12")
  Name (PKG0, Package () {1, 2, "34", Buffer () {7}, Package () {9}})
  Device (DEV0) { Name (_ADR, 3) Method (_STA) { Return (0xF) } }
  Method (H1, 1) { Return (SizeOf (Arg0)) }
  Method (H2, 1) { Return (ObjectType (Arg0)) }
  Method (H3, 1) { Arg0 = 7 Return (Arg0) }
  Method (TH00, 0) { Fatal (1, 2, 3) Return (1) }
  Method (TH01, 0) { Sleep (1) Return (1) }
  Method (TH02, 0) { Debug = "x" Return (1) }
  Method (TH03, 0) { Return (H1 (RefOf (STR0))) }
  Method (TH04, 0) { Return (H2 (RefOf (STR0))) }
  Method (TH05, 0) { Return (H1 (STR0)) }
  Method (TH06, 0) { H3 (INT0) Return (INT0) }
  Method (TH07, 0) { H3 (RefOf (INT0)) Return (INT0) }
  Method (TH08, 0) { Return (\DEV0._ADR) }
  Method (TH09, 0) { Return (\DEV0._STA ()) }
  Method (TH10, 0) { Return (ObjectType (\DEV0._STA)) }
  Method (TH11, 0) { Return (SizeOf (PKG0)) }
  Method (TH12, 0) { Local0 = DerefOf (PKG0 [4]) Local0 [0] = 5 Return (PKG0) }
  Method (TH13, 0) { Local0 = PKG0 [4] Store (5, Index (DerefOf (Local0), 0)) Return (PKG0) }
  Method (TH14, 0) { Return (LNot (STR0)) }
  Method (TH15, 0) { Return (LAnd ("0", Buffer () {0})) }
  Method (TH16, 0) { Return (Not (Buffer () {1, 2, 3, 4, 5, 6, 7, 8, 9})) }
  Method (TH17, 0) { Return (Add ("", 1)) }
  Method (TH18, 0) { Return (ToInteger ("")) }
  Method (TH19, 0) { Return (ToInteger (Buffer () {})) }
  Method (TH20, 0) { Return (ToBuffer ("")) }
  Method (TH21, 0) { Return (ToHexString ("")) }
  Method (TH22, 0) { Return (ToHexString (Buffer () {})) }
  Method (TH23, 0) { Return (ToDecimalString (Buffer () {})) }
  Method (TH24, 0) { Return (Concatenate (Buffer () {}, "")) }
  Method (TH25, 0) { Return (Concatenate ("", Buffer () {})) }
  Method (TH26, 0) { Return (Concatenate ("", Buffer () {1, 2})) }
  Method (TH27, 0) { Return (Mid (Buffer () {}, 0, 0)) }
  Method (TH28, 0) { Return (ToString (Buffer () {}, Ones)) }
  Method (TH29, 0) { Return (LEqual ("", Buffer () {})) }
  Method (TH30, 0) { Return (LLess (Buffer () {}, "")) }
  Method (TH31, 0) { Local0 = Package () {} Return (SizeOf (Local0)) }
  Method (TH32, 0) { Return (Match (Package () {}, MTR, 0, MTR, 0, 0)) }
  Method (TH35, 0) { Return (CondRefOf (INT0, Local1)) }
  Method (TH36, 0) { CondRefOf (INT0, Local1) Return (DerefOf (Local1)) }
  Method (TH37, 0) { Return (ShiftLeft (1, 64)) }
  Method (TH38, 0) { Return (ShiftRight (Ones, 63)) }
  Method (TH39, 0) { Return (FromBCD (0x1234567890123456)) }
  Method (TH40, 0) { Return (ToBCD (0xFFFFFFFFFFFFFFFF)) }
  Method (TH41, 0) { Return (ToBCD (9999999999999999)) }
  Method (TH42, 0) { Return (Mod (7, 0)) }
  Method (TH43, 0) { Return (Divide (Ones, 3)) }
  Method (TH44, 0) { Return (ToString ("abc", 1)) }
  Method (TH45, 0) { Return (ToInteger ("0xG")) }
  Method (TH46, 0) { Return (ToInteger ("12a")) }
  Method (TH47, 0) { Return (ToInteger ("99999999999999999999")) }
  Method (TH48, 0) { Return (Add ("99999999999999999", 0)) }
  Method (TH49, 0) { Return (ToInteger (" 0x12")) }
  Method (TH50, 0) { Return (ToInteger ("\t12")) }
}
