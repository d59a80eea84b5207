#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end test of ci/bisect (make check-slow; prints TAP).  Makes a
# small git history on top of Debian's linux-source-6.1 tree:
#   base -> benign -> MUTANT (tests/mutants/quadrant-child-role.patch)
#        -> benign -> benign
# and requires ci/bisect, running tests/quadrant in config shadow, to name
# exactly the commit that injected the bug.  Slow: a full kernel build for
# the first step, incremental builds after.
set -u
# The bisect boots QEMU only (see ci/check-mutants on KMT_INTEL).
unset KMT_INTEL

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
suite=${KMT_BUILDDIR:-$top/build}
cache=${KMT_CACHE_DIR:-${HOME:-/tmp}/.cache/kvm-mmu-tests}
work=$(mktemp -d "${TMPDIR:-/tmp}/bisect-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
if [ ! -x "$suite/tests/quadrant" ]; then
	echo "1..0 # SKIP tests/quadrant not built in $suite"
	exit 0
fi
echo "1..2"
sh "$top/ci/build-kernel" --deb linux-source-6.1 >/dev/null 2>"$work/stock.log" ||
	{ echo "not ok 1 - stock linux-source-6.1 builds"; tail -n 20 "$work/stock.log" | sed 's/^/# /'; exit 1; }
src=$cache/src/linux-source-6.1
repo=$work/linux

# A private copy: bisect checkouts must never touch the cached tree.
cp -a "$src" "$repo"
cd "$repo" || exit 1
git init -q && git config user.email kmt@localhost && git config user.name kmt
# -f: Debian's top-level .gitignore ignores everything but debian/.
git add -Af . >/dev/null && git commit -qm "base: Debian linux-source-6.1" ||
	{ echo "not ok 1 - a git history on top of linux-source-6.1"; exit 1; }
base=$(git rev-parse HEAD)
commit_change() {	# MESSAGE COMMAND...
	msg=$1; shift
	"$@" && git commit -qam "$msg"
}
commit_change "benign: comment in x86.c" sed -i '1a /* bisect e2e: benign 1 */' arch/x86/kvm/x86.c
commit_change "inject: quadrant-child-role" \
	sh -c "grep -v '^#' '$top/tests/mutants/quadrant-child-role.patch' | patch -p1 -s"
injected=$(git rev-parse HEAD)
commit_change "benign: comment in mmu.c" sed -i '1a /* bisect e2e: benign 2 */' arch/x86/kvm/mmu/mmu.c
commit_change "benign: documentation" sh -c 'echo "bisect e2e" >> Documentation/virt/kvm/api.rst'
bad=$(git rev-parse HEAD)

out=$work/bisect.out
sh "$top/ci/bisect" --src "$repo" --good "$base" --bad "$bad" \
	--tests tests/quadrant --configs shadow --suite "$suite" \
	--build "$work/build" >"$out" 2>&1
rc=$?
fail=0
if [ $rc -eq 0 ]; then
	echo "ok 1 - ci/bisect completed"
else
	echo "not ok 1 - ci/bisect completed (rc $rc)"
	fail=1
fi
found=$(sed -n 's/^first bad commit: \([0-9a-f]*\) .*/\1/p' "$out")
if [ "$found" = "$injected" ]; then
	echo "ok 2 - bisect names the commit that injected the bug ($injected)"
else
	echo "not ok 2 - bisect names the commit that injected the bug: expected $injected, got '${found:-none}'"
	fail=1
fi
sed 's/^/# /' "$out" | head -n 80
exit "$fail"
