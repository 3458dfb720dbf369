#!/bin/sh
# Installs, from Debian's archive, every real tool nvtool's tests use as an oracle:
#   qemu-system-x86  QEMU 7.2 (captures its ACPI tables; boots the Linux guest)
#   acpica-tools     iasl / acpiexec (AML and data-table oracle)
#   gdisk fdisk      sgdisk / sfdisk (GPT and MBR oracle)
#   ndctl daxctl     ndctl write-/read-infoblock on the host, ndctl & daxctl inside the guest
#   busybox-static kmod xz-utils cpio e2fsprogs xfsprogs util-linux cpio
#                    the Linux guest's initramfs (the kernel itself is fetched with apt-get download)
#   btrfs-progs      mkfs.btrfs, for inspect's file-system detection (blkid is the oracle)
#   python3          uuid byte-order oracle
#   libxen-dev gcc   Xen's libxlutil (xl.cfg parser oracle, test/support/xlu-dump.c)
#   linux-libc-dev   <linux/ndctl.h>, the label _DSM payload layouts (test/aml/label-dsm-abi.test.ts)
#   chromium fonts-dejavu-core  headless browser (and a font for its text) that loads `nvtool sim report` pages (test/sim/report-browser.test.ts)
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  qemu-system-x86 acpica-tools gdisk fdisk ndctl daxctl \
  busybox-static kmod xz-utils cpio e2fsprogs xfsprogs btrfs-progs util-linux python3 ca-certificates libxen-dev gcc libc6-dev linux-libc-dev chromium fonts-dejavu-core >/dev/null
echo "install-test-deps: $(qemu-system-x86_64 --version | head -1); iasl $(iasl -v 2>/dev/null | grep -o 'version [0-9]*' | head -1); ndctl $(ndctl --version); $(chromium --version 2>/dev/null | head -1)"
