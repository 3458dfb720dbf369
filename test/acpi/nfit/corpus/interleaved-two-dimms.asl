/*
 * A two-way interleaved persistent-memory region over two DIMMs, each with flush hints,
 * written by hand for nvtool's tests (iasl data-table source).
 */
[0004]                          Signature : "NFIT"
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "NVTOOL"
[0008]                       Oem Table ID : "ILV2WAY "
[0004]                       Oem Revision : 00000002
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]                           Reserved : 00000000

[0002]                      Subtable Type : 0000 [System Physical Address Range]
[0002]                             Length : 0038
[0002]                        Range Index : 0001
[0002]              Flags (decoded below) : 0002
                Add/Online Operation Only : 0
                   Proximity Domain Valid : 1
[0004]                           Reserved : 00000000
[0004]                   Proximity Domain : 00000001
[0016]                   Region Type GUID : 66F0D379-B4F3-4074-AC43-0D3318B78CDB
[0008]                 Address Range Base : 0000004000000000
[0008]               Address Range Length : 0000000800000000
[0008]               Memory Map Attribute : 0000000000008008

[0002]                      Subtable Type : 0001 [Memory Range Map]
[0002]                             Length : 0030
[0004]                      Device Handle : 00001001
[0002]                        Physical Id : 0021
[0002]                          Region Id : 0000
[0002]                        Range Index : 0001
[0002]               Control Region Index : 0003
[0008]                        Region Size : 0000000400000000
[0008]                      Region Offset : 0000000000000000
[0008]                Address Region Base : 0000000000000000
[0002]                   Interleave Index : 0005
[0002]                    Interleave Ways : 0002
[0002]                              Flags : 0020
                    Save to device failed : 0
               Restore from device failed : 0
                    Platform flush failed : 0
                         Device not armed : 0
                   Health events observed : 0
                    Health events enabled : 1
                           Mapping failed : 0
[0002]                           Reserved : 0000

[0002]                      Subtable Type : 0001 [Memory Range Map]
[0002]                             Length : 0030
[0004]                      Device Handle : 00001011
[0002]                        Physical Id : 0022
[0002]                          Region Id : 0000
[0002]                        Range Index : 0001
[0002]               Control Region Index : 0004
[0008]                        Region Size : 0000000400000000
[0008]                      Region Offset : 0000000000001000
[0008]                Address Region Base : 0000000000000000
[0002]                   Interleave Index : 0005
[0002]                    Interleave Ways : 0002
[0002]                              Flags : 0020
                    Save to device failed : 0
               Restore from device failed : 0
                    Platform flush failed : 0
                         Device not armed : 0
                   Health events observed : 0
                    Health events enabled : 1
                           Mapping failed : 0
[0002]                           Reserved : 0000

[0002]                      Subtable Type : 0002 [Interleave Info]
[0002]                             Length : 0018
[0002]                   Interleave Index : 0005
[0002]                           Reserved : 0000
[0004]                         Line Count : 00000002
[0004]                          Line Size : 00001000
[0004]                        Line Offset : 00000000
[0004]                        Line Offset : 00000001

[0002]                      Subtable Type : 0004 [NVDIMM Control Region]
[0002]                             Length : 0050
[0002]                       Region Index : 0003
[0002]                          Vendor Id : 8089
[0002]                          Device Id : 097A
[0002]                        Revision Id : 0018
[0002]                Subsystem Vendor Id : 8089
[0002]                Subsystem Device Id : 097A
[0002]              Subsystem Revision Id : 0018
[0001]                       Valid Fields : 01
[0001]             Manufacturing Location : 42
[0002]                 Manufacturing Date : 1821
[0002]                           Reserved : 0000
[0004]                      Serial Number : 0A1B2C3D
[0002]                               Code : 0301
[0002]                       Window Count : 0000
[0008]                        Window Size : 0000000000000000
[0008]                     Command Offset : 0000000000000000
[0008]                       Command Size : 0000000000000000
[0008]                      Status Offset : 0000000000000000
[0008]                        Status Size : 0000000000000000
[0002]                              Flags : 0000
                         Windows buffered : 0
[0006]                          Reserved1 : 000000000000

[0002]                      Subtable Type : 0004 [NVDIMM Control Region]
[0002]                             Length : 0050
[0002]                       Region Index : 0004
[0002]                          Vendor Id : 8089
[0002]                          Device Id : 097A
[0002]                        Revision Id : 0018
[0002]                Subsystem Vendor Id : 8089
[0002]                Subsystem Device Id : 097A
[0002]              Subsystem Revision Id : 0018
[0001]                       Valid Fields : 01
[0001]             Manufacturing Location : 42
[0002]                 Manufacturing Date : 1821
[0002]                           Reserved : 0000
[0004]                      Serial Number : 0A1B2C3E
[0002]                               Code : 0301
[0002]                       Window Count : 0000
[0008]                        Window Size : 0000000000000000
[0008]                     Command Offset : 0000000000000000
[0008]                       Command Size : 0000000000000000
[0008]                      Status Offset : 0000000000000000
[0008]                        Status Size : 0000000000000000
[0002]                              Flags : 0000
                         Windows buffered : 0
[0006]                          Reserved1 : 000000000000

[0002]                      Subtable Type : 0006 [Flush Hint Address]
[0002]                             Length : 0028
[0004]                      Device Handle : 00001001
[0002]                         Hint Count : 0003
[0006]                           Reserved : 000000000000
[0008]                       Hint Address : 00000000FED00000
[0008]                       Hint Address : 00000000FED00040
[0008]                       Hint Address : 00000000FED00080

[0002]                      Subtable Type : 0006 [Flush Hint Address]
[0002]                             Length : 0018
[0004]                      Device Handle : 00001011
[0002]                         Hint Count : 0001
[0006]                           Reserved : 000000000000
[0008]                       Hint Address : 00000000FED01000

[0002]                      Subtable Type : 0007 [Platform Capabilities]
[0002]                             Length : 0010
[0001]                 Highest Capability : 01
[0003]                           Reserved : 000000
[0004]       Capabilities (decoded below) : 00000002
                    Cache Flush to NVDIMM : 0
                   Memory Flush to NVDIMM : 1
                         Memory Mirroring : 0
[0004]                           Reserved : 00000000
