#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Harness self-test payload: starts a TAP stream and never finishes, so
# ci/vm-run's outer timeout must end the run and report it.
[ "${1:-}" = --list-configs ] && exit 0
echo "TAP version 13"
echo "1..1"
while :; do sleep 1; done
