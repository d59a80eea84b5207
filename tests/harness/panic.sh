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
echo c >/proc/sysrq-trigger
echo "ok 2 - still alive?!"
