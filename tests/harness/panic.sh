#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Harness self-test payload: panics the guest kernel (sysrq crash; the
# trigger file ignores the sysrq mask), so ci/vm-run must report a crash
# with the console tail rather than hang or claim success.
[ "${1:-}" = --list-configs ] && exit 0
echo "TAP version 13"
echo "1..2"
echo "ok 1 - before the panic"
# Without CONFIG_MAGIC_SYSRQ there is no trigger: say so, the self-test
# SKIPs its panic point rather than fail a good kernel.
if [ ! -e /proc/sysrq-trigger ]; then
	echo "ok 2 - # SKIP no /proc/sysrq-trigger (kernel without CONFIG_MAGIC_SYSRQ)"
	exit 0
fi
# A panic drops what the tty layer has not sent yet, and Bochs sends at
# 115200 baud of guest time (~11 bytes per ms): let the line go first.
sleep 0.2
echo c >/proc/sysrq-trigger
echo "ok 2 - still alive?!"
