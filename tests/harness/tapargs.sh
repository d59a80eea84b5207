#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Harness self-test payload: a well-behaved test exercising what the merge
# must keep (SKIP, TODO, diagnostics, YAML) and echoing its arguments and
# KMT_CONFIG so the checker can see they arrived intact.
[ "${1:-}" = --list-configs ] && exit 0
echo "TAP version 13"
echo "1..4"
echo "# config=${KMT_CONFIG:-unset} argc=$#"
for a in "$@"; do echo "# arg=<$a>"; done
echo "ok 1 - runs"
echo "not ok 2 - known bad # TODO not fixed yet"
echo "  ---"
echo "  figure: 42"
echo "  ..."
echo "ok 3 - optional # SKIP not here"
[ -d /sys/module/kvm ] && echo "ok 4 - kvm loaded" || echo "not ok 4 - kvm loaded"
