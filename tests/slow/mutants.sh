#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check (configure --enable-kernel-tests): ci/check-mutants as a TAP
# test.  Every tests/mutants/*.patch must make its target test fail on a
# linux-source-6.1 build while the stock build passes (see
# tests/mutants/README.md).  The KVM tests come from the build tree.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
exec sh "$top/ci/check-mutants" "${KMT_BUILDDIR:-$top/build}"
