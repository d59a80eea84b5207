#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: ci/check-commands (TAP): every command the suite's scripts
# run comes with Debian's minbase or a package ci/install-deps installs.
here=$(cd "$(dirname "$0")" && pwd)
exec sh "$here/../../ci/check-commands"
