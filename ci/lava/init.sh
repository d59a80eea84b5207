#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the LAVA ramdisk (ci/lava/mkramdisk; busybox, the suite's test
# programs and the KVM modules as in the harness initramfs, which this
# replaces /init of).  Where the harness's init runs the suite by itself,
# this one hands the console to LAVA: it loads the disk modules LAVA's
# test overlay drive needs (IDE disk, ext2 through ext4), makes the
# /dev/disk/by-uuid links LAVA mounts it by (no udev here), prints the
# prompt LAVA waits for and runs a shell on the console.  The test
# definition (ci/lava/kvm-mmu-tests.yaml) then runs ci/lava/run.sh, which
# finds the packed suite under /kmt.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /dev/disk/by-uuid /root
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname kmt-lava

# Dependencies first: /kmt/modules.dep is in load order.
for m in $(awk '{ print $1 }' /kmt/modules.dep); do
	case $m in kvm|kvm_amd|kvm_intel|irqbypass|ccp) continue ;; esac
	[ -f /kmt/mod/$m.ko ] && insmod /kmt/mod/$m.ko 2>/dev/null
done
# The disks take a moment to appear after their driver loads.
i=0
while [ $i -lt 50 ] && ! ls /sys/block/sd* >/dev/null 2>&1; do
	sleep 0.1; i=$((i + 1))
done
sleep 1
for d in /dev/sd? /dev/sd?? /dev/vd?; do
	[ -b "$d" ] || continue
	# An ext2/3/4 superblock (at 1024) holds its UUID at offset 104;
	# busybox here has no blkid.
	u=$(dd if="$d" bs=1 skip=1128 count=16 2>/dev/null | od -An -tx1 | tr -d ' \n' |
		sed -n 's/^\(........\)\(....\)\(....\)\(....\)\(............\)$/\1-\2-\3-\4-\5/p')
	[ -z "$u" ] || ln -sf "$d" "/dev/disk/by-uuid/$u"
done
echo "kmt-lava: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, ready"
export HOME=/root PS1='kmt-lava # '
cd /root
exec setsid cttyhack sh -i
