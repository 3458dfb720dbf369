DefinitionBlock ("", "DSDT", 2, "NVT", "T", 1) {
  Mutex (MX01, 1)
  Mutex (MX05, 5)
  Device (DEV0) {}
  Method (REC0, 1) { Return (REC0 (Add (Arg0, 1))) }
  Method (M000) { Release (MX01) Return (1) }
  Method (M001) { Acquire (MX05, 0xFFFF) Acquire (MX01, 0xFFFF) Return (1) }
  Method (M002) { Acquire (MX01, 0xFFFF) Acquire (MX05, 0xFFFF) Release (MX01) Return (1) }
  Method (M003) { Local0 = Acquire (MX01, 0xFFFF) Local1 = Acquire (MX01, 0) Release (MX01) Release (MX01) Return (Concatenate (Local0, Local1)) }
  Method (M004) { While (One) { } }
  Method (M005) { Notify (DEV0, 0x80) Return (2) }
  Method (M006, 0, Serialized, 3) { Acquire (MX01, 0xFFFF) Return (3) }
  Method (M007) { Store (5, DEV0) Return (3) }
  Method (M008) { Name (XX, 1) Return (XX) }
  Method (M009) { Local0 = 0 While (LLess (Local0, 2)) { Name (YY, 1) Local0++ } Return (Local0) }
  // Mutual recursion: the limit is per method (255 active calls each), so three methods go 764 deep.
  Name (DPTH, 0)
  Method (RA, 1) { DPTH = Arg0 RB (Add (Arg0, 1)) }
  Method (RB, 1) { DPTH = Arg0 RC (Add (Arg0, 1)) }
  Method (RC, 1) { DPTH = Arg0 RA (Add (Arg0, 1)) }
  Method (GETD) { Return (DPTH) }
  // A loop that never ends, each iteration ended by Continue: the timeout ends the loop, not the method.
  Method (M00A) { While (One) { Continue } Return (5) }
  // An endless loop of short loops: the outer loop's own timeout ends it.
  Method (M00B) { While (One) { Local0 = 0 While (LLess (Local0, 100)) { Local0++ } } }
}
