#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: the qualification outputs, on canned TAP logs (no VM):
# known issues as data (ci/known-issues), points.tsv (ci/report.awk),
# KCIDB v5 (ci/kcidb.awk) against the schema check (ci/kcidb-check.awk,
# which must also reject broken reports), the baseline gate
# (ci/compare.awk), KTAP (ci/ktap.awk; kunit.py parses it where python3
# and a kernel tree are at hand), report.html (ci/html.awk) and
# ci/qualify --no-run end to end.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
ci=$src/ci
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-report.XXXXXX")
[ -n "${KMT_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
. "$here/../harness/tap.sh"
skip() { n=$((n + 1)); echo "ok $n - $2 # SKIP $1"; }
yes_if() { if "$@"; then echo 1; else echo 0; fi }

# ---- canned logs, as ci/vm-run writes them ---------------------------------
mkdir -p "$tmp/b61/tests" "$tmp/b612/tests"
cat >"$tmp/es.tap" <<'EOF'
TAP version 13
# kernel: linux-image-6.1.0-57-amd64 6.1.192-3 (/k/bzImage)
# qemu: QEMU emulator version 7.2.22, accel tcg, cpu EPYC
# [tdp] module parameters: kvm.tdp_mmu=Y kvm.eager_page_split=Y kvm_amd.npt=Y
# [tdp-noeager] module parameters: kvm.tdp_mmu=Y kvm.eager_page_split=N kvm_amd.npt=Y
# time: boot 9.35 s (QEMU start to /init), tests 81.29 s, total 90.64 s
# guest kernel: 6.1.0-57-amd64
# [intel] bochs: Bochs 2.7, cpu haswell_nested
# [intel:tdp] module parameters: kvm.tdp_mmu=Y kvm.eager_page_split=Y kvm_intel.ept=Y
# [intel] bochs time: total 300.10 s
1..7
ok 1 - [tdp] hugetlb-2m: guest touched the slot: pages_2m = 32, expected 32
# cleared pages [1024, 1025): the first page of huge page 2 only
not ok 2 - [tdp] manual+initially-set: clearing only the first page of a huge page splits it (eager_page_split=Y): pages_2m 25, expected 24
ok 3 - [tdp] kernel log clean
ok 4 - [tdp-noeager] manual+initially-set: clearing only the first page of a huge page splits it (eager_page_split=N): pages_2m 32, expected 32
ok 5 - [tdp-noeager] hugetlb-1g: guest touched the slot # SKIP 0 free 1024 MiB hugetlb pages
ok 6 - [intel:tdp] hugetlb-2m: guest touched the slot: pages_2m = 32, expected 32
not ok 7 - [intel:tdp] manual+initially-set: clearing only the first page of a huge page splits it (eager_page_split=Y): pages_2m 31, expected 30
EOF
cat >"$tmp/b61/tests/kmem.log" <<'EOF'
TAP version 13
# qemu: QEMU emulator version 7.2.22, accel tcg, cpu EPYC
# [tdp] module parameters: kvm.tdp_mmu=Y kvm.eager_page_split=Y kvm_amd.npt=Y
# guest kernel: 6.1.0-57-amd64
1..2
ok 1 - [tdp] map-4k: 1 GiB mapped 4 KiB: 1234567 bytes per GiB (max of 3 rounds) within budget 2000000
  ---
  config: tdp (TDP MMU)
  unit: bytes per GiB
  vms: 2 at once, 3 rounds
  kvm: { median: 1200000, min: 1100000, max: 1234567, spread: 134567 }
  budget: 2000000 (built-in, map-4k tdp)
  ...
ok 2 - [tdp] kernel log clean
EOF
cat >"$tmp/b61/tests/quadrant.log" <<'EOF'
TAP version 13
# qemu: QEMU emulator version 7.2.22, accel tcg, cpu EPYC
# guest kernel: 6.1.0-57-amd64
1..4
ok 1 - [shadow] pae: every access reached the page the reference walker predicts
not ok 2 - [shadow] 32-bit: every access reached the page the reference walker predicts
# VA 0x00401000: expected PA 0x00203000, got 0x00204000 (seed 7)
# walk: PDE 0x00102067 PTE 0x00203067
not ok 3 - [tdp] timed out after 300 s
# console (timed out after 300 s):
#   [  301.1] rcu: INFO: rcu_sched self-detected stall
not ok 4 - [nested] not run: an earlier configuration did not finish
EOF

# ---- 1. known issues as data -----------------------------------------------
ki() {	# KVER-OF-STREAM EXIT SED: run a canned stream through ci/known-issues
	sed "s/^# guest kernel: .*/# guest kernel: $1/; $3" "$tmp/es.tap" >"$tmp/in.tap"
	sh "$ci/known-issues" --test tests/eager_split -- sh -c "cat '$tmp/in.tap'; exit $2" >"$tmp/ki.out"
}
ki 6.1.0-57-amd64 1 ''; rc=$?
point "$(yes_if grep -q '^not ok 2 - \[tdp\] manual+initially-set: clearing only the first page.*# TODO known kernel bug: KVM: x86/mmu: Fix off-by-1 when splitting huge pages during CLEAR (fixed in 6.8; clear-split-off-by-one)$' "$tmp/ki.out")" \
	"known issue on 6.1: the failing point is TODO (XFAIL), the upstream fix named" "$tmp/ki.out"
point "$(yes_if grep -q '^not ok 7 - \[intel:tdp\] .*# TODO known kernel bug' "$tmp/ki.out")" \
	"known issue on 6.1: the Intel configuration's point too (module parameters of [intel:tdp])" "$tmp/ki.out"
point "$([ "$rc" = 0 ] && echo 1 || echo 0)" "known issue on 6.1: only known bugs failed: exit 0, not the test's 1 (got $rc)"
point "$(yes_if grep -q '^ok 4 - \[tdp-noeager\] manual+initially-set: clearing only the first page .*expected 32$' "$tmp/ki.out")" \
	"known issue: a configuration its condition excludes (eager_page_split=N) is left alone" "$tmp/ki.out"
ki 6.12.0 1 ''; rc=$?
point "$([ "$rc" = 1 ] && ! grep -q TODO "$tmp/ki.out" && echo 1 || echo 0)" \
	"the same failure on 6.12 (after the fix): a FAIL, exit 1 (got $rc)" "$tmp/ki.out"
ki 6.12.0 0 's/^not ok \([27]\)/ok \1/'; rc=$?
point "$(yes_if grep -q '^# known issue clear-split-off-by-one: fixed on this kernel (6.12.0 >= 6.8): KVM: x86/mmu: Fix off-by-1' "$tmp/ki.out")" \
	"passing on 6.12: the known issue is reported fixed" "$tmp/ki.out"
cp "$tmp/ki.out" "$tmp/b612/tests/eager_split.log"
ki 6.1.0-57-amd64 0 's/^not ok \([27]\)/ok \1/'
point "$(yes_if grep -q '^# known issue clear-split-off-by-one: not reproduced on 6.1.0-57-amd64, which is before 6.8 (fix backported?)' "$tmp/ki.out")" \
	"passing on 6.1: the known issue is reported not reproduced (a backport?)" "$tmp/ki.out"
ki 6.1.0-57-amd64 1 ''
cp "$tmp/ki.out" "$tmp/b61/tests/eager_split.log"
sh "$ci/known-issues" --bogus >/dev/null 2>&1; rc=$?
point "$([ "$rc" = 99 ] && echo 1 || echo 0)" "ci/known-issues: an unknown option is exit 99 (got $rc)"

# ---- 2. points.tsv, the report's known bugs ----------------------------------
awk -v out="$tmp/b61" -f "$ci/report.awk" "$tmp"/b61/tests/*.log
awk -v out="$tmp/b612" -f "$ci/report.awk" "$tmp"/b612/tests/*.log
k61=$(awk -F'\t' '$1 == "tests/eager_split" && $2 == "tdp" && $5 ~ /first page/ { print $3 }' "$tmp/b61/points.tsv")
k612=$(awk -F'\t' '$1 == "tests/eager_split" && $2 == "tdp" && $5 ~ /first page/ { print $3 }' "$tmp/b612/points.tsv")
point "$([ -n "$k61" ] && [ "$k61" = "$k612" ] && echo 1 || echo 0)" \
	"a point keeps its key across runs whose numbers differ ('$k61')"
point "$(yes_if grep -q 'known issue clear-split-off-by-one: fixed on this kernel' "$tmp/b612/known.md")" \
	"report: the fixed known bug is listed" "$tmp/b612/known.md"

# ---- 3. KCIDB ------------------------------------------------------------------
kcidb() {	# REPORT-DIR
	awk -v env="$1/env.tsv" -v run=t1 -v time=2026-12-01T17:00:00+00:00 \
		-v suite="0.1 abcdef" -f "$ci/kcidb.awk" "$1/points.tsv"
}
kcidb "$tmp/b61" >"$tmp/k.json"
awk -f "$ci/kcidb-check.awk" "$tmp/k.json" >"$tmp/kc.out" 2>&1; rc=$?
point "$([ "$rc" = 0 ] && echo 1 || echo 0)" "KCIDB output validates against the kcidb-io v5 field list" "$tmp/kc.out"
for want in \
	'"path": "kvm_mmu.eager_split.tdp.manual_initially-set_clearing_only_the_first_page_of_a_huge_page_splits_it_eager_page_split_Y_pages_2m_N_expected_N", "status": "FAIL", "waived": true' \
	'"path": "kvm_mmu.quadrant.tdp.timed_out_after_N_s", "status": "ERROR"' \
	'"path": "kvm_mmu.quadrant.nested.not_run_an_earlier_configuration_did_not_finish", "status": "MISS"' \
	'"path": "kvm_mmu.eager_split.tdp-noeager.hugetlb-1g_guest_touched_the_slot", "status": "SKIP"' \
	'"path": "kvm_mmu.kmem.tdp.map-4k_N_GiB_mapped_N_KiB_N_bytes_per_GiB_max_of_N_rounds_within_budget_N.kvm", "status": "DONE"' \
	'"number": {"value": 1200000, "unit": "B", "prefix": "binary"}' \
	'"emulator": "Bochs", "emulator_version": "Bochs 2.7, cpu haswell_nested", "cpu_model": "haswell_nested", "module_parameters": "kvm.tdp_mmu=Y kvm.eager_page_split=Y kvm_intel.ept=Y"' \
	'"log_excerpt": "VA 0x00401000: expected PA 0x00203000, got 0x00204000 (seed 7)\nwalk: PDE 0x00102067 PTE 0x00203067\n"' \
	'"issue_id": "kvm_mmu_tests:clear-split-off-by-one", "issue_version": 1'; do
	point "$(yes_if grep -qF "$want" "$tmp/k.json")" "KCIDB holds $(printf "%s" "$want" | cut -c1-60)"
done
kcidb "$tmp/b612" >"$tmp/k612.json"
point "$(yes_if grep -q '"present": false' "$tmp/k612.json")" "KCIDB: the fixed known bug is an incident with present false"

# The check must catch what the schema forbids.
bad=0 nbad=0
for edit in 's/"status": "PASS"/"status": "OK"/' \
	'0,/"path": /s//"pathx": /' \
	's/"major": 5/"major": 4/' \
	'0,/"start_time": "[^"]*"/s//"start_time": "yesterday"/' \
	'0,/"path": "kvm_mmu\./s//"path": "kvm mmu../' \
	'0,/"origin": "kvm_mmu_tests"/s//"origin": "KVM"/' \
	'0,/"waived": true/s//"waived": "yes"/' \
	'0,/"unit": "B"/s//"unit": 1/' \
	's/"issues": \[/"issuez": [/' \
	'0,/"build_id": "kvm_mmu_tests:t1"/s//"build_id": "kvm_mmu_tests:none"/' \
	'0,/"id": "kvm_mmu_tests:t1\.1"/s//"idx": "kvm_mmu_tests:t1.1"/' \
	'$d'; do
	nbad=$((nbad + 1))
	sed "$edit" "$tmp/k.json" >"$tmp/bad.json"
	if awk -f "$ci/kcidb-check.awk" "$tmp/bad.json" >/dev/null 2>&1 || cmp -s "$tmp/k.json" "$tmp/bad.json"; then
		bad=$((bad + 1)); echo "#   not rejected: $edit"
	fi
done
point "$([ "$bad" = 0 ] && echo 1 || echo 0)" "kcidb-check rejects each of $nbad broken reports ($bad passed)"

# ---- 4. the baseline gate ------------------------------------------------------
cmp_run() {	# OLD NEW [REPEATS]: exit status of the comparison
	awk -v old="$1" -v new="$2" -v repeats="${3:-}" -v out="$tmp" -f "$ci/compare.awk"
}
cmp_run "$tmp/b61/points.tsv" "$tmp/b61/points.tsv"; rc=$?
# quadrant's harness errors make any run of it "incomplete".
grep '^tests/eager_split' "$tmp/b61/points.tsv" >"$tmp/p61.tsv"
grep '^tests/eager_split' "$tmp/b612/points.tsv" >"$tmp/p612.tsv"
point "$([ "$rc" = 2 ] && echo 1 || echo 0)" "compare: a run with harness errors (timeout, not run) is incomplete: exit 2 (got $rc)"
cmp_run "$tmp/p61.tsv" "$tmp/p61.tsv"; rc=$?
point "$([ "$rc" = 0 ] && echo 1 || echo 0)" "compare: the same run twice: exit 0 (got $rc)" "$tmp/compare.md"
cmp_run "$tmp/p61.tsv" "$tmp/p612.tsv"; rc=$?
point "$([ "$rc" = 0 ] && grep -q '^| fixed | tests/eager_split | tdp | manual+initially-set: clearing only' "$tmp/compare.md" && echo 1 || echo 0)" \
	"compare 6.1 -> 6.12: the known bug is fixed, no regression: exit 0 (got $rc)" "$tmp/compare.md"
cmp_run "$tmp/p612.tsv" "$tmp/p61.tsv"; rc=$?
point "$([ "$rc" = 1 ] && grep -q '^| \*\*regression\*\* | tests/eager_split | tdp |' "$tmp/compare.md" && echo 1 || echo 0)" \
	"compare 6.12 -> 6.1: the point that now fails is a regression: exit 1 (got $rc)" "$tmp/compare.md"
awk -F'\t' 'BEGIN { OFS = "\t" } $5 ~ /^hugetlb-2m: guest touched/ && $2 == "tdp" { $4 = "fail" } { print }' \
	"$tmp/p612.tsv" >"$tmp/pflaky.tsv"
cmp_run "$tmp/p612.tsv" "$tmp/pflaky.tsv" "$tmp/p612.tsv"; rc=$?
point "$([ "$rc" = 0 ] && grep -q '^| unstable | tests/eager_split | tdp | hugetlb-2m: guest touched' "$tmp/compare.md" && echo 1 || echo 0)" \
	"compare: a failure its repeat does not reproduce is unstable, not a regression: exit 0 (got $rc)" "$tmp/compare.md"
head -n 2 "$tmp/p612.tsv" >"$tmp/pshort.tsv"
cmp_run "$tmp/p612.tsv" "$tmp/pshort.tsv"; rc=$?
point "$([ "$rc" = 2 ] && grep -q '^| missing |' "$tmp/compare.md" && echo 1 || echo 0)" \
	"compare: points of the baseline that did not run: missing, exit 2 (got $rc)" "$tmp/compare.md"

# ---- 5. KTAP -------------------------------------------------------------------
awk -f "$ci/ktap.awk" "$tmp/b61/points.tsv" >"$tmp/r.ktap"
# Every level: version line, plan, as many results as planned, two more
# spaces of indentation per level.
awk '
function ind(l) { match(l, /^ */); return RLENGTH }
{ i = ind($0); l = substr($0, i + 1) }
l == "KTAP version 1" { d = i / 2; if (i % 2 || d > depth + 1 || (depth >= 0 && d != depth + 1 && NR > 1)) bad = "bad nesting at line " NR; depth = d; want[d] = -1; got[d] = 0; next }
l ~ /^1\.\.[0-9]+$/ { want[i / 2] = substr(l, 4) + 0; next }
l ~ /^(not )?ok [0-9]+ / {
	d = i / 2
	if (d != depth && d != depth - 1) bad = "result at the wrong depth, line " NR
	if (d == depth - 1) { if (got[depth] != want[depth]) bad = "plan " want[depth] ", " got[depth] " results (line " NR ")"; depth = d }
	got[d]++
	split(l, a, " "); num = (a[1] == "not") ? a[3] : a[2]
	if (num != got[d]) bad = "result " num " out of order (line " NR ")"
	next
}
l ~ /^#/ { next }
{ bad = "unknown line " NR ": " $0 }
BEGIN { depth = -1 }
END { if (!bad && got[0] != want[0]) bad = "top plan " want[0] ", " got[0] " results"; if (bad) { print bad; exit 1 } }
' "$tmp/r.ktap" >"$tmp/ktap.err"; rc=$?
point "$([ "$rc" = 0 ] && echo 1 || echo 0)" "KTAP: versions, plans and results agree at every level of nesting" "$tmp/ktap.err"
for want in '^  # Subtest: eager_split$' '^    # Subtest: intel:tdp$' \
	'^    ok 2 manual+initially-set: clearing only the first page.* # XFAIL known kernel bug: KVM: x86/mmu: Fix off-by-1' \
	'^    ok 2 hugetlb-1g: guest touched the slot # SKIP 0 free 1024 MiB hugetlb pages$' \
	'^    not ok 1 timed out after 300 s # TIMEOUT 300 s$' '^    not ok 1 not run: .* # ERROR harness: ' \
	'^    # VA 0x00401000: expected PA 0x00203000' '^  not ok 1 shadow$' '^not ok 3 quadrant$'; do
	point "$(yes_if grep -q -- "$want" "$tmp/r.ktap")" "KTAP has $(printf "%s" "$want" | tr "#" "%")" "$tmp/r.ktap"
done
kunit=
for d in "${KMT_LINUX_SRC:-}" "$HOME"/.cache/kvm-mmu-tests/src/linux-source-*; do
	[ -f "$d/tools/testing/kunit/kunit.py" ] && kunit=$d/tools/testing/kunit/kunit.py && break
done
if [ -n "$kunit" ] && command -v python3 >/dev/null 2>&1; then
	python3 "$kunit" parse "$tmp/r.ktap" >"$tmp/kunit.out" 2>&1
	point "$(yes_if grep -q 'Ran 13 tests: passed: 9, failed: 3, skipped: 1' "$tmp/kunit.out")" \
		"the kernel's KTAP parser (kunit.py parse) reads all 13 points, configurations as subtests" "$tmp/kunit.out"
else
	skip "no python3 or no kernel tree with tools/testing/kunit (KMT_LINUX_SRC)" "the kernel's KTAP parser reads it"
fi

# ---- 6. report.html --------------------------------------------------------------
awk -v env="$tmp/b61/env.tsv" -v compare="$tmp/compare.tsv" -v verdict=2 -v title=t -v stamp=s \
	-v basepoints="$tmp/b612/points.tsv" -f "$ci/html.awk" "$tmp/b61/points.tsv" >"$tmp/r.html"
point "$(yes_if grep -q '<table id="matrix">' "$tmp/r.html")" "report.html has the matrix"
point "$(grep -q '<td class="known">' "$tmp/r.html" && grep -q '<td class="fail">1 FAIL' "$tmp/r.html" && echo 1 || echo 0)" \
	"report.html colours the cells (a known bug, a failure)"
point "$(grep -q '<details open><summary><b>FAIL</b> tests/quadrant: \[shadow\]' "$tmp/r.html" && grep -q 'expected PA 0x00203000' "$tmp/r.html" && echo 1 || echo 0)" \
	"report.html folds out the failures with their diagnostics"
point "$(grep -q '<svg[^>]*class="kmem"' "$tmp/r.html" && grep -q '<h3>map-4k (bytes per GiB)</h3>' "$tmp/r.html" && grep -q '>\[tdp\]</text>' "$tmp/r.html" && echo 1 || echo 0)" \
	"report.html plots the kmem figures against their budgets (inline SVG)"
point "$(! grep -qiE '<script|<link|src=' "$tmp/r.html" && echo 1 || echo 0)" "report.html is self-contained (no script, link or src)"

# ---- 7. ci/qualify --no-run end to end --------------------------------------------
printf 'PACKAGE_VERSION = 9.8\n' >"$tmp/b61/Makefile"
sh "$ci/qualify" --no-run --build "$tmp/b61" --out "$tmp/rep" --kcidb "$tmp/q.json" >"$tmp/q.out" 2>&1; rc=$?
point "$([ "$rc" = 1 ] && [ -s "$tmp/rep/report.html" ] && [ -s "$tmp/rep/results.ktap" ] && [ -s "$tmp/q.json" ] && echo 1 || echo 0)" \
	"qualify --no-run: report.md, report.html, results.ktap, KCIDB; exit 1 for the failures (got $rc)" "$tmp/q.out"
point "$(yes_if grep -q 'suite kvm-mmu-tests 9.8 ' "$tmp/rep/report.md")" "report.md names the suite's version (PACKAGE_VERSION)" "$tmp/rep/report.md"
rm -f "$tmp/b61/tests/quadrant.log"
sh "$ci/qualify" --no-run --build "$tmp/b61" --out "$tmp/rep2" --baseline "$tmp/rep" >"$tmp/q2.out" 2>&1; rc=$?
point "$([ "$rc" = 2 ] && sed -n '5,7p' "$tmp/rep2/report.md" | grep -q '^## Against the baseline' && echo 1 || echo 0)" \
	"qualify --baseline: the comparison first in report.md; quadrant's points gone: exit 2 (got $rc)" "$tmp/q2.out"
sh "$ci/qualify" --no-run --build "$tmp/b61" --out "$tmp/rep3" --baseline "$tmp/rep2" >"$tmp/q3.out" 2>&1; rc=$?
point "$([ "$rc" = 0 ] && echo 1 || echo 0)" "qualify --baseline against itself: exit 0 (got $rc)" "$tmp/q3.out"

echo "1..$n"
exit "$failed"
