#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: the KVM selftests' runner (ci/selftests-run) and their rows
# in the report, without a VM or a kernel tree: fake selftests (shell
# scripts that pass, skip with kselftest's exit 4, fail, hang past the
# per-test timeout, and one that "did not build") run on the host, their
# TAP goes through ci/tap-merge as one harness boot's channel would, and
# ci/report.awk must give one row per selftest with the right status.
# Guards the mapping exit 0 PASS / 4 SKIP / else FAIL and the timeout,
# which the real run (make check-selftests) only meets by chance.
# Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ci=$(cd "$here/../../ci" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-selftests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/tap.sh"
yes_if() { if "$@"; then echo 1; else echo 0; fi }
echo "TAP version 13"
echo "1..10"

# The runner as the initramfs has it: /kmt/bin with lib.sh beside it
# (not executable, so not a selftest) and the selftests.
b=$tmp/bin
mkdir -p "$b"
cp "$ci/selftests-run" "$b/"
cp "$ci/lib.sh" "$b/lib.sh"
chmod 644 "$b/lib.sh"
fake() {	# NAME BODY
	printf '#!/bin/sh\n%s\n' "$2" >"$b/$1"
	chmod 755 "$b/$1"
}
# A passing selftest's output is not shown, so TAP-like lines in it
# cannot turn into points.
fake a_pass 'echo "ok 1 - not a point of ours"; exit 0'
fake b_skip 'echo "1..0 # SKIP - Requirement not met: kvm_cpu_has(X86_FEATURE_XFD)"; exit 4'
fake c_fail 'echo "==== Test Assertion Failure ===="; echo "  x86_64/fake.c:42: r == 0"; exit 254'
fake d_hang 'sleep 30'
echo "x86_64/e_broken.c:7: error: TEST_ASSERT_EQ undeclared" >"$b/e_broken.not-built"

cfgs=$(sh "$b/selftests-run" --list-configs | tr '\n' ,)
point "$(yes_if [ "$cfgs" = shadow,tdp,cpus=2, ])" "--list-configs: shadow and tdp, 2 vCPUs (got '$cfgs')"

rc=0
sh "$b/selftests-run" --timeout 2 >"$tmp/tap" 2>&1 || rc=$?
point "$(yes_if [ "$rc" = 1 ])" "the runner exits 1 when a selftest failed (got $rc)" "$tmp/tap"
point "$(yes_if grep -q '^1\.\.5$' "$tmp/tap")" "one point per selftest, the unbuilt one included (1..5)" "$tmp/tap"

# One boot's channel (ci/init.sh's markers) around it, then the report.
{
	echo "KMT-BOOT 1.00 6.1.0-57-amd64"
	echo "KMT-CONFIG-BEGIN tdp 1.10"
	echo "KMT-PARAMS tdp kvm.tdp_mmu=Y"
	echo "KMT-TEST-BEGIN tdp"
	cat "$tmp/tap"
	echo "KMT-TEST-END tdp $rc"
	echo "KMT-DMESG-BEGIN tdp"
	echo "KMT-DMESG-END tdp"
	echo "KMT-CONFIG-END tdp 9.00"
	echo "KMT-DONE 9.10"
} >"$tmp/chan"
mkdir -p "$tmp/b/tests" "$tmp/out"
sh "$ci/tap-merge" -v configs=tdp -v qemu_rc=0 "$tmp/chan" >"$tmp/b/tests/kvm_selftests.log"
awk -v out="$tmp/out" -f "$ci/report.awk" "$tmp/b/tests/kvm_selftests.log"
row() {	# SELFTEST STATUS: its row in points.tsv
	awk -F'\t' -v t="$1" -v s="$2" '$1 == "tests/kvm_selftests" &&
		$2 == "tdp" && $3 == t && $4 == s { f = 1 } END { exit !f }' "$tmp/out/points.tsv"
}
point "$(yes_if row a_pass pass)" "exit 0: PASS row [tdp] a_pass" "$tmp/out/points.tsv"
point "$(yes_if row b_skip skip)" "exit 4 (KSFT_SKIP): SKIP row" "$tmp/out/points.tsv"
point "$(yes_if awk -F'\t' '$3 == "b_skip" && $6 == "Requirement not met: kvm_cpu_has(X86_FEATURE_XFD)" { f = 1 } END { exit !f }' \
	"$tmp/out/points.tsv")" "the SKIP's reason is kselftest's message" "$tmp/out/points.tsv"
point "$(yes_if row c_fail fail)" "exit 254: FAIL row" "$tmp/out/points.tsv"
point "$(yes_if awk -F'\t' '$3 == "c_fail" && index($7, "exit status 254") && index($7, "fake.c:42") { f = 1 } END { exit !f }' \
	"$tmp/out/points.tsv")" "the FAIL's diagnostics: its exit status and the end of its output" "$tmp/out/points.tsv"
point "$(yes_if awk -F'\t' '$3 == "d_hang" && $4 == "fail" && index($7, "timed out after 2 s") { f = 1 } END { exit !f }' \
	"$tmp/out/points.tsv")" "past --timeout: killed, a FAIL row that says it timed out" "$tmp/out/points.tsv"
point "$(yes_if awk -F'\t' '$3 == "e_broken" && $4 == "fail" && index($7, "did not build") && index($7, "TEST_ASSERT_EQ") { f = 1 } END { exit !f }' \
	"$tmp/out/points.tsv")" "a selftest that did not build: a FAIL row with make's error" "$tmp/out/points.tsv"
exit "$failed"
