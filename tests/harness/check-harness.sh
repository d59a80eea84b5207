#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Self-test of the ci/ harness; prints TAP itself (run by make check).
#  1-6  ci/tap-merge and the kernel-log scanner on canned TAP-channel
#       transcripts (no VM needed; a real WARN would need a module)
#  7    ci/tap-join.awk: a QEMU and a Bochs stream become one
#  8    ci/vm-run rejects bad input with one error line and exit 99
#  9    ci/batch-split.awk cuts a canned one-boot-many-programs channel
#  10   ci/time-spent.awk (ci/bench's profile) on canned logs
#  11-13 real boots: a hanging test must time out, a kernel panic must be
#       reported with the console tail, a good test must pass intact
#       (in QEMU, or in Bochs with KMT_EMULATOR=bochs).  Their limits
#       count from /init (vm-run --test-timeout), so the backend's boot
#       time (QEMU 2-10 s, Bochs with Debian's kernel 30-70 s) is not
#       part of them; the panic point SKIPs on a kernel without
#       /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off), saying so
#  14   a real one-boot batch (vm-run --batch): a program that panics the
#       guest fails itself, the one after it gets a second boot and passes
#  15   a real boot whose kernel log shows an oops while the test hangs:
#       init.sh's oops watch ends the machine, vm-run reports the oops
#       long before the limit (300 s from /init)
# The boots SKIP when QEMU or a kernel is not available: KMT_KERNEL +
# KMT_MODULES, KMT_KERNEL_DEB, or the default kernel in KMT_KERNEL_DIR
# (./kernel) that ci/fetch-kernel downloads.
set -u
# One backend per boot: make check's Intel coverage (KMT_INTEL, a second
# boot in Bochs) would double every boot and break the timing checks;
# point 7 covers the joining of the two streams.
unset KMT_INTEL

here=$(cd "$(dirname "$0")" && pwd)
ci=$(cd "$here/../../ci" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
echo "TAP version 13"
echo "1..15"
# result DESC CMD...: one point; on failure show the output being checked.
result() {
	d=$1; shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		failed=1
		sed 's/^/#   /' "$tmp/out" "$tmp/err" 2>/dev/null
	fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
has() { grep -Eq -- "$1" "$tmp/out"; }
merge() {	# CONFIGS QEMU_RC < transcript
	cat >"$tmp/chan"
	rc=0
	"$ci/tap-merge" -v configs="$1" -v qemu_rc="$2" -v timeout=9 \
		-v console="$tmp/console" "$tmp/chan" >"$tmp/out" 2>"$tmp/err" ||
		rc=$?
}
printf 'Linux version 6.1\nKernel panic - not syncing: test\n' >"$tmp/console"

# 1: a WARN splat fails "kernel log clean" and shows the splat.
merge tdp 0 <<'EOF'
KMT-BOOT 2.0 6.1.0
KMT-CONFIG-BEGIN tdp 2.1
KMT-TEST-BEGIN tdp
1..1
ok 1 - fine
KMT-TEST-END tdp 0
KMT-DMESG-BEGIN tdp
[    2.2] kvm_amd: Nested Paging enabled
[    2.3] ------------[ cut here ]------------
[    2.3] WARNING: CPU: 0 PID: 7 at arch/x86/kvm/mmu/mmu.c:42 f+0x1/0x9 [kvm]
[    2.3] Call Trace:
KMT-DMESG-END tdp
KMT-CONFIG-END tdp 2.4
KMT-DONE 2.4
EOF
t1() {
	[ $rc = 1 ] && has '^ok 1 - \[tdp\] fine$' &&
	has '^not ok 2 - \[tdp\] kernel log clean$' &&
	has '^#   .*WARNING: CPU: 0 PID: 7 at arch/x86/kvm/mmu/mmu.c:42' &&
	has '^1\.\.2$'
}
result "scanner: WARN splat fails the kernel-log point" t1

# 2: benign lines (CPU-bug notices say "WARNING" too) pass; points are
# renumbered across configs; SKIP, TODO, YAML and diagnostics survive.
merge a,b 0 <<'EOF'
KMT-BOOT 2.0 6.1.0
KMT-CONFIG-BEGIN a 2.1
KMT-PARAMS a kvm_amd.npt=N
KMT-TEST-BEGIN a
TAP version 13
1..2
# hello
ok 1 - one
  ---
  figure: 7
  ...
not ok 2 - two # TODO later
KMT-TEST-END a 0
KMT-DMESG-BEGIN a
[    2.2] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable
KMT-DMESG-END a
KMT-CONFIG-END a 2.4
KMT-CONFIG-BEGIN b 2.4
KMT-TEST-BEGIN b
1..1
ok 1 - three # SKIP no 1G pages
KMT-TEST-END b 0
KMT-DMESG-BEGIN b
KMT-DMESG-END b
KMT-CONFIG-END b 2.5
KMT-DONE 2.5
EOF
t2() {
	[ $rc = 0 ] && has '^1\.\.5$' && has '^# \[a\] module parameters: kvm_amd.npt=N' &&
	has '^# hello$' && has '^ok 1 - \[a\] one$' && has '^  figure: 7$' &&
	has '^not ok 2 - \[a\] two # TODO later$' &&
	has '^ok 3 - \[a\] kernel log clean$' &&
	has '^ok 4 - \[b\] three # SKIP no 1G pages$' &&
	has '^ok 5 - \[b\] kernel log clean$'
}
result "merge: renumbering, directives, YAML, benign log lines" t2

# 3: a crash (signal) without a failing point and a short plan fail.
merge a 0 <<'EOF'
KMT-BOOT 2.0 6.1.0
KMT-CONFIG-BEGIN a 2.1
KMT-TEST-BEGIN a
1..3
ok 1 - one
KMT-TEST-END a 139
KMT-DMESG-BEGIN a
KMT-DMESG-END a
KMT-CONFIG-END a 2.4
KMT-DONE 2.4
EOF
t3() {
	[ $rc = 1 ] &&
	has '^not ok 2 - \[a\] test run: killed by signal 11; planned 3 tests but ran 1$'
}
result "merge: signal and plan mismatch fail the run" t3

# 4: every point skipped (the test exits 77, Automake's SKIP) -> exit 77.
merge a 0 <<'EOF'
KMT-BOOT 2.0 6.1.0
KMT-CONFIG-BEGIN a 2.1
KMT-TEST-BEGIN a
1..0 # SKIP host has no NPT
KMT-TEST-END a 77
KMT-DMESG-BEGIN a
KMT-DMESG-END a
KMT-CONFIG-END a 2.4
KMT-DONE 2.4
EOF
t4() {
	[ $rc = 77 ] && has '^ok 1 - \[a\] # SKIP host has no NPT$' &&
	! has 'test run:'
}
result "merge: whole-test skip gives exit 77" t4

# 5: the other problem patterns, one at a time.
t5() {
	for l in 'BUG: unable to handle page fault for address: 0' \
	    'kernel BUG at arch/x86/kvm/mmu/mmu.c:1!' 'Oops: 0000 [#1] SMP' \
	    'general protection fault, probably for non-canonical address' \
	    'UBSAN: shift-out-of-bounds in arch/x86/kvm/mmu/mmu.c:3' \
	    'BUG: KASAN: use-after-free in kvm_mmu_x' \
	    'Kernel panic - not syncing: x' 'watchdog: BUG: soft lockup - CPU#0'; do
		printf '%s\n' 'KMT-BOOT 1 x' 'KMT-CONFIG-BEGIN a 1' \
			'KMT-DMESG-BEGIN a' "[    1.5] $l" 'KMT-DMESG-END a' \
			'KMT-CONFIG-END a 2' 'KMT-DONE 2' >"$tmp/in"
		merge a 0 <"$tmp/in"
		[ $rc = 1 ] && has '^not ok 1 - \[a\] kernel log clean$' || return 1
	done
}
result "scanner: BUG, Oops, GPF, UBSAN, KASAN, panic, lockup" t5

# 6: the guest never reached /init -> every config fails, console shown.
merge a,b 0 </dev/null
t6() {
	[ $rc = 1 ] && has '^not ok 1 - \[a\] not run: .*boot failure' &&
	has '^not ok 2 - \[b\] not run' && has '^#   Kernel panic - not syncing: test$'
}
result "merge: boot failure reports every config with the console" t6

# 7: --intel joins the QEMU boot's TAP and the Bochs boot's.
printf '%s\n' 'TAP version 13' '# test: t' '# [a] run time: 1 s' '1..2' \
	'ok 1 - [a] x' 'not ok 2 - [a] y' >"$tmp/amd"
printf '%s\n' 'TAP version 13' '# test: t' '# [a] run time: 3 s' '1..1' \
	'ok 1 - [a] x # SKIP no' '# diag' >"$tmp/intel"
awk -v label=intel -f "$ci/tap-join.awk" "$tmp/amd" "$tmp/intel" >"$tmp/out"
t7() {
	[ "$(sed -n 1p "$tmp/out")" = 'TAP version 13' ] && has '^1\.\.3$' &&
	has '^# \[intel\] test: t$' && has '^# \[intel:a\] run time: 3 s$' &&
	has '^not ok 2 - \[a\] y$' && has '^ok 3 - \[intel:a\] x # SKIP no$' &&
	[ "$(grep -c '^TAP version' "$tmp/out")" = 1 ] &&
	[ "$(tail -n 1 "$tmp/out")" = '# diag' ]
}
result "tap-join: the Bochs points follow, numbered on, labelled" t7

# 8: bad input: one "vm-run: error:" line, exit 99, nothing on stdout.
rc=0
"$ci/vm-run" --kernel "$tmp/none" --modules "$tmp" "$here/tapargs.sh" \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
t8() {
	[ $rc = 99 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
	grep -q '^vm-run: error: ' "$tmp/err"
}
result "vm-run: bad input is one error line and exit 99" t8

# --- real boots -----------------------------------------------------------
why=
case ${KMT_EMULATOR:-qemu} in
bochs) command -v "${KMT_BOCHS:-bochs}" >/dev/null 2>&1 ||
	why="Bochs not installed" ;;
*) command -v "${KMT_QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
	why="QEMU not installed" ;;
esac
if [ -z "$why" ] && [ -z "${KMT_KERNEL:-}${KMT_KERNEL_DEB:-}" ]; then
	kdir=${KMT_KERNEL_DIR:-$PWD/kernel}
	mkdir -p "$(dirname "$kdir")"
	flock "$kdir.lock" "$ci/fetch-kernel" "$kdir" >/dev/null 2>&1 ||
		why="no kernel: ci/fetch-kernel $kdir failed"
fi
if [ -n "$why" ]; then
	skip "vm-run: hanging test times out" "$why"
	skip "vm-run: kernel panic is reported" "$why"
	skip "vm-run: good test passes with arguments intact" "$why"
fi

# 12: a batch boot's channel, one chunk per program, and which ended.
mkdir "$tmp/split"
awk -v dir="$tmp/split" -f "$ci/batch-split.awk" <<'EOF'
KMT-BOOT 2.0 6.1.0
no 1 GiB hugetlb page: because
KMT-PROGRAM-BEGIN a 2.1
KMT-CONFIG-BEGIN shadow 2.1
KMT-TEST-BEGIN shadow
1..1
ok 1 - fine
KMT-TEST-END shadow 0
KMT-DMESG-BEGIN shadow
KMT-DMESG-END shadow
KMT-CONFIG-END shadow 2.4
KMT-PROGRAM-END a 2.5
KMT-PROGRAM-BEGIN b 2.5
KMT-CONFIG-BEGIN tdp 2.6
KMT-TEST-BEGIN tdp
1..2
ok 1 - first
EOF
cat "$tmp/split/status" "$tmp/split/a.chan" "$tmp/split/b.chan" >"$tmp/err"
rc=0
"$ci/tap-merge" -v configs=tdp -v qemu_rc=0 "$tmp/split/b.chan" >"$tmp/out" || rc=$?
t12() {
	[ "$(sed -n 1p "$tmp/split/status")" = "a done 2.1 2.5" ] &&
	[ "$(sed -n 2p "$tmp/split/status")" = "b started 2.5" ] &&
	[ "$(wc -l <"$tmp/split/status")" = 2 ] &&
	[ "$(sed -n 2p "$tmp/split/a.chan")" = "KMT-BOOT 2.1 6.1.0" ] &&
	[ "$(sed -n 1p "$tmp/split/b.chan")" = "no 1 GiB hugetlb page: because" ] &&
	[ "$(tail -n 1 "$tmp/split/a.chan")" = "KMT-DONE 2.5" ] &&
	! grep -q 'KMT-DONE\|KMT-PROGRAM' "$tmp/split/b.chan" &&
	[ $rc = 1 ] && has '^ok 1 - \[tdp\] first$' && has '^not ok 2 - \[tdp\] crashed'
}
result "batch-split: one channel per program, the unfinished one crashed" t12

# ci/time-spent.awk (ci/bench's profile) on two canned logs.
printf '%s\n' '# [tdp] run time: 7.00 s' '# spent: [tdp] thp: 1.50 s, 2 points' \
	'# spent: [tdp] hugetlb-1g: 4.00 s, 3 points' \
	'# time: boot 2.00 s (QEMU start to /init), tests 8.00 s, total 10.00 s' \
	>"$tmp/split/big.log"
printf '%s\n' '# spent: [shadow] a: b: 0.50 s, 1 point' \
	'# time: boot 1.00 s (QEMU start to /init), tests 1.00 s, total 2.00 s' \
	>"$tmp/split/small.log"
awk -v jobs=2 -v boot=2 -v top=2 -f "$ci/time-spent.awk" "$tmp/split/small.log" \
	"$tmp/split/big.log" >"$tmp/out" 2>"$tmp/err"
t_spent() {
	[ "$(sed -n 2p "$tmp/out" | awk '{ print $1, $4, $5, $6 }')" = "big 10.0 [tdp] 7.0" ] &&
	has '^ +4\.0  big \[tdp\] hugetlb-1g$' && has '^ +1\.5  big \[tdp\] thp$' &&
	! has 'small \[shadow\] a: b' &&
	has '^floor: the KVM tests. 12\.0 s over 2 jobs = 6\.0 s = 3\.0 trivial boots, of which boots 0\.8$'
}
result "time-spent: tests longest first, costliest subjects, the floor" t_spent
if [ -n "$why" ]; then
	skip "vm-run --batch: a panic fails its program, the next gets a new boot" "$why"
	skip "vm-run: an oops during a hanging test ends it at once" "$why"
	exit $failed
fi

# The hang mostly idles, so it runs beside the other two.
limit=12
(
	s=$(date +%s)
	rc=0
	"$ci/vm-run" --test-timeout $limit --configs shadow "$here/hang.sh" \
		>"$tmp/hang.out" 2>"$tmp/hang.err" || rc=$?
	echo "$rc $(($(date +%s) - s))" >"$tmp/hang.rc"
) &
hang=$!

rc=0
"$ci/vm-run" --test-timeout 120 --configs default "$here/panic.sh" \
	>"$tmp/panic.out" 2>"$tmp/panic.err" || rc=$?
prc=$rc
rc=0
"$ci/vm-run" --test-timeout 120 --configs shadow,tdp "$here/tapargs.sh" \
	'a b' 'x,y%z' "q'\"" >"$tmp/good.out" 2>"$tmp/good.err" || rc=$?
grc=$rc
wait $hang

cp "$tmp/hang.out" "$tmp/out"; cp "$tmp/hang.err" "$tmp/err"
read -r rc secs <"$tmp/hang.rc"
# Seconds from /init to the end, by vm-run's note of when /init started.
boot=$(sed -n 's/^# the tests ran past --test-timeout [0-9]* s (\/init after \([0-9]*\).*/\1/p' \
	"$tmp/out")
tests=$((secs - ${boot:-0}))
# The message says which limit fired; the seconds only have to show it
# was not the whole boot's (300 s): a loaded host stretches QEMU's exit.
t9() {
	[ "$rc" = 1 ] && [ -n "$boot" ] && [ "$tests" -lt 300 ] &&
	has "^not ok 1 - \[shadow\] timed out after $limit s from /init$" &&
	has '^# console \(timed out after'
}
result "vm-run: hanging test times out (${tests}s after /init at ${boot:-?}s, limit ${limit}s)" t9

cp "$tmp/panic.out" "$tmp/out"; cp "$tmp/panic.err" "$tmp/err"
t10() {
	[ "$prc" = 1 ] && has '^ok 1 - \[default\] before the panic$' &&
	has '^not ok 2 - \[default\] crashed' && has '^#   .*sysrq'
}
if has '^ok 2 - \[default\] .*# SKIP no /proc/sysrq-trigger'; then
	skip "vm-run: kernel panic is reported with the console tail" \
		"the kernel under test has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off): nothing to panic it with"
else
	result "vm-run: kernel panic is reported with the console tail" t10
fi

cp "$tmp/good.out" "$tmp/out"; cp "$tmp/good.err" "$tmp/err"
t11() {
	[ "$grc" = 0 ] && has '^1\.\.10$' &&
	has '^# config=shadow argc=3$' && has '^# config=tdp argc=3$' &&
	has '^# arg=<a b>$' && has '^# arg=<x,y%z>$' && has "^# arg=<q'\">$" &&
	has '^not ok 2 - \[shadow\] known bad # TODO not fixed yet$' &&
	has '^ok 4 - \[shadow\] kvm loaded$' &&
	has '^ok 5 - \[shadow\] kernel log clean$' &&
	has '^ok 10 - \[tdp\] kernel log clean$' &&
	has '^# \[tdp\] module parameters: .*kvm_(amd\.npt|intel\.ept)=Y' &&
	has '^# \[shadow\] module parameters: .*kvm_(amd\.npt|intel\.ept)=N'
}
result "vm-run: good test passes with arguments intact" t11

# 13: one boot for three programs, the second panics the guest.
cp "$here/tapargs.sh" "$tmp/after.sh"
rc=0
"$ci/vm-run" --batch "$tmp/batch" "$here/tapargs.sh" "$here/panic.sh" \
	"$tmp/after.sh" >"$tmp/out" 2>"$tmp/err" || rc=$?
for f in tapargs panic after; do
	echo "== $f.tap (exit $(cat "$tmp/batch/$f.sh.rc" 2>/dev/null))"
	cat "$tmp/batch/$f.sh.tap" 2>/dev/null
done >>"$tmp/out"
inb() { grep -q -- "$2" "$tmp/batch/$1.sh.tap"; }
t13() {
	[ "$rc" = 1 ] && [ ! -s "$tmp/err" ] &&
	[ "$(cat "$tmp/batch/tapargs.sh.rc")" = 0 ] &&
	[ "$(cat "$tmp/batch/panic.sh.rc")" = 1 ] &&
	[ "$(cat "$tmp/batch/after.sh.rc")" = 0 ] &&
	inb tapargs '^ok 4 - \[default\] kvm loaded$' &&
	inb tapargs '^# one boot (boot-1 of .*) for: tapargs.sh panic.sh after.sh$' &&
	inb panic '^ok 1 - \[default\] before the panic$' &&
	inb panic '^not ok 2 - \[default\] crashed' && inb panic '^#   .*sysrq' &&
	inb after '^# one boot (boot-2 of .*) for: after.sh$' &&
	inb after '^ok 4 - \[default\] kvm loaded$'
}
if grep -q '^ok 2 - \[default\] .*# SKIP no /proc/sysrq-trigger' "$tmp/panic.out"; then
	skip "vm-run --batch: a panic fails its program, the next gets a new boot" \
		"the kernel under test has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off): nothing to panic it with"
else
	result "vm-run --batch: a panic fails its program, the next gets a new boot" t13
fi

# 14: the oops watch (ci/init.sh) against a limit it must beat.
# Its 25 s or so, plus the boot (Bochs with Debian's kernel: up to 70 s),
# stay far below the limit.
s=$(date +%s)
rc=0
"$ci/vm-run" --test-timeout 300 --configs default "$here/oops.sh" \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
secs=$(($(date +%s) - s))
t14() {
	[ "$rc" = 1 ] && [ "$secs" -lt 200 ] &&
	has '^ok 1 - \[default\] before the oops$' &&
	has '^not ok 2 - \[default\] the test could not finish \(a kernel oops' &&
	has '^#   .*BUG: unable to handle page fault .*tests/harness/oops.sh' &&
	has '^#   thread '
}
result "vm-run: an oops during a hanging test ends it at once (${secs}s in all)" t14
exit $failed
