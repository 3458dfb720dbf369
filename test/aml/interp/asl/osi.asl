// _OSI (ACPICA 20200925 utosi.c): the optional feature strings are not answered by default, and
// the answer is ACPI_UINT64_MAX even in a 32-bit table (revision 1), truncated only when an
// operator uses it or it is stored.
DefinitionBlock ("", "DSDT", 1, "NVT", "T", 1) {
  Name (INT0, 5)
  Method (H1, 1) { Return (Arg0) }
  Method (TG00, 0) { Return (\_OSI ("Windows 2015")) }
  Method (TG01, 0) { Local0 = \_OSI ("Windows 2015") Return (Local0) }
  Method (TG02, 0) { Return (Add (\_OSI ("Windows 2015"), 0)) }
  Method (TG03, 0) { INT0 = \_OSI ("Windows 2015") Return (INT0) }
  Method (TG04, 0) { Return (ToHexString (\_OSI ("Windows 2015"))) }
  Method (TG05, 0) { Return (LEqual (\_OSI ("Windows 2015"), 0xFFFFFFFF)) }
  Method (TG06, 0) { Return (LEqual (0xFFFFFFFF, \_OSI ("Windows 2015"))) }
  Method (TG07, 0) { Return (ShiftRight (\_OSI ("Windows 2015"), 4)) }
  Method (TG08, 0) { Return (Concatenate (\_OSI ("Windows 2015"), 1)) }
  Method (TG09, 0) { Return (H1 (\_OSI ("Windows 2019"))) }
  Method (TG10, 0) { Return (FindSetLeftBit (\_OSI ("Windows 2019"))) }
  Method (TG11, 0) { Return (Divide (\_OSI ("Windows 2019"), 0x10)) }
  Method (TG12, 0) { CopyObject (\_OSI ("Windows 2015"), Local0) Return (Local0) }
  Method (TG13, 0) { Return (\_OSI ("Linux")) }
  Method (TG14, 0) { Return (\_OSI ("Extended Address Space Descriptor")) }
  Method (TG15, 0) { Return (\_OSI ("Module Device")) }
  Method (TG16, 0) { Return (\_OSI ("3.0 Thermal Model")) }
  Method (TG17, 0) { Return (\_OSI ("3.0 _SCP Extensions")) }
  Method (TG18, 0) { Return (\_OSI ("Processor Aggregator Device")) }
  Method (TG19, 0) { Return (\_OSI ("Processor Device")) }
  Method (TG20, 0) { Return (\_OSI ("Windows 2006.1")) }
}
