#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Harness self-test payload: an oops in the kernel log, then a test that
# never finishes, as when a task oopsed inside KVM holding its locks.
# The line is written to /dev/kmsg (no module can oops for real here):
# ci/init.sh's oops watch must end the machine within seconds and
# ci/vm-run report the oops, not wait for the timeout.
[ "${1:-}" = --list-configs ] && exit 0
echo "TAP version 13"
echo "1..2"
echo "ok 1 - before the oops"
echo "BUG: unable to handle page fault for address: 0000000000000000 (written by tests/harness/oops.sh, not a real oops)" >/dev/kmsg
while :; do sleep 1; done
