#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# ci/lava/run.sh "CONFIGS" "TEST_ARGS": the LAVA job's step (the test
# definition ci/lava/kvm-mmu-tests.yaml).  Runs every KVM test natively
# on the machine LAVA booted, once per configuration the test matrix
# gives it (TEST --list-configs, tests/tests.cfg compiled in; CONFIGS,
# when not empty, keeps only those it names), kvm and kvm_amd/kvm_intel
# reloaded with the configuration's parameters from ci/configs, and
# reports each TAP point with lava-test-case (pass/fail/skip; a known
# kernel bug of tests/known-issues is skip; kmem's figures as
# measurements in bytes), or as plain lines outside LAVA.  Each run is
# bounded (KMT_LAVA_TIMEOUT, default 900 s): finished_in_time fails then.
# Two kinds of machine: a lab's Debian root with a compiler (the suite is
# built here, modules come with modprobe), or the local job's ramdisk
# (ci/lava/mkramdisk: the tests under /kmt/bin, the modules under /kmt/mod
# loaded with insmod, busybox only).
set -u

configs=$1 args=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-lava

case_result() {		# NAME RESULT [MEASUREMENT UNITS]
	if command -v lava-test-case >/dev/null 2>&1; then
		if [ -n "${3:-}" ]; then
			lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
		else
			lava-test-case "$1" --result "$2"
		fi
	else
		echo "$2: $1${3:+ $3 $4}"
	fi
}

vendor=kvm_amd
grep -qw vmx /proc/cpuinfo && vendor=kvm_intel

if [ -d /kmt/bin ] && [ -f /kmt/modules.dep ]; then
	packed=1
	# Huge pages for the hugetlb scenarios (the harness's init does the same).
	echo 64 >/proc/sys/vm/nr_hugepages 2>/dev/null
	mkdir -p /dev/hugepages
	mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages 2>/dev/null
	tests=$(ls /kmt/bin)
	cfgfile=/kmt/configs
else
	packed=
	cfgfile=$src/ci/configs
fi

params_of() { awk -v c="$1" '$1 == c { $1 = ""; print }' "$cfgfile"; }

# The packed ramdisk: kvm and the vendor module with their dependencies,
# in the order /kmt/modules.dep lists them.
load_packed() {	# PARAMS
	for m in $(awk -v v="$vendor" '
		{ n[NR] = $1; d[NR] = $2 }
		END {
			want = " kvm " v " "
			for (i = NR; i >= 1; i--) {
				if (!index(want, " " n[i] " ")) continue
				k = split(d[i], x, ",")
				for (j = 1; j <= k; j++) if (x[j] != "-") want = want x[j] " "
			}
			for (i = 1; i <= NR; i++) if (index(want, " " n[i] " ")) print n[i]
		}' /kmt/modules.dep); do
		[ -e "/sys/module/$m" ] && continue
		mp=
		for w in $1; do
			case $w in "$m".*) mp="$mp ${w#*.}" ;; esac
		done
		# shellcheck disable=SC2086
		insmod "/kmt/mod/$m.ko" $mp || return 1
	done
}

reload() {	# CONFIG
	params=$(params_of "$1")
	kvm_p= vendor_p=
	for p in $params; do
		case ${p%%.*} in
		kvm) kvm_p="$kvm_p ${p#kvm.}" ;;
		"$vendor") vendor_p="$vendor_p ${p#*.}" ;;
		esac
	done
	rmmod "$vendor" 2>/dev/null; rmmod kvm 2>/dev/null
	if [ -n "$packed" ]; then
		load_packed "$params"
	else
		modprobe -r "$vendor" kvm 2>/dev/null
		# shellcheck disable=SC2086
		modprobe kvm $kvm_p && modprobe "$vendor" $vendor_p
	fi
}

if [ -z "$packed" ]; then
	(cd "$src" && autoreconf -fi) && mkdir -p "$build" && cd "$build" &&
		"$src/configure" && make -j"$(nproc)" && make -j"$(nproc)" $(make -s print-kvm-tests 2>/dev/null) ||
		{ case_result build fail; exit 1; }
	case_result build pass
	tests=$(make -s -C "$build" print-kvm-tests)
fi

# Where each test runs, "CONFIG TEST" lines: its own --list-configs (the
# matrix), not the job's list; the configurations in ci/configs' order
# (default, the modules without parameters, first), each loaded once.
prog_of() { if [ -n "$packed" ]; then echo "/kmt/bin/$1"; else echo "$build/$1"; fi; }
: >/tmp/kmt-where
for t in $tests; do
	"$(prog_of "$t")" --list-configs </dev/null 2>/dev/null |
		awk -v t="$t" 'NF && $1 !~ /=/ { print $1, t }' >>/tmp/kmt-where
done
all=$( { echo default; awk '!/^[ \t]*(#|$)/ { print $1 }' "$cfgfile"; } |
	while read -r c; do
		grep -q "^$c " /tmp/kmt-where && echo "$c"
	done)
for cfg in $all; do
	case " $configs " in
	"  "|*" $cfg "*) ;;
	*) continue ;;
	esac
	if ! reload "$cfg"; then
		case_result "$cfg-modules" fail
		continue
	fi
	for t in $(awk -v c="$cfg" '$1 == c { print $2 }' /tmp/kmt-where); do
		name=${t##*/}
		prog=$(prog_of "$t")
		dmesg -c >/dev/null 2>&1
		# shellcheck disable=SC2086
		# A hung test must not hold the job until LAVA's own timeout.
		rc=0
		KMT_CONFIG=$cfg timeout -k 10 "${KMT_LAVA_TIMEOUT:-900}" "$prog" $args \
			>/tmp/kmt-out.tap 2>&1 || rc=$?
		# Known kernel bugs are data: the same filter as the harness's.
		awk -v known="$src/tests/known-issues" -v test="tests/$name" -v kver="$(uname -r)" \
			-f "$src/ci/known-issues.awk" /tmp/kmt-out.tap >/tmp/kmt-known.tap 2>/dev/null ||
			cp /tmp/kmt-out.tap /tmp/kmt-known.tap
		awk -v cfg="$cfg" -v t="$name" '
			/^(not )?ok / {
				res = /^not ok/ ? "fail" : "pass"
				if (/# [Ss][Kk][Ii][Pp]/ || /# TODO/) res = "skip"
				d = $0; sub(/^(not )?ok [0-9]+ (- )?/, "", d); sub(/ # .*/, "", d)
				m = ""
				if (match(d, /: -?[0-9]+ bytes [^(]*\(max of [0-9]+ rounds\) within budget/)) {
					m = substr(d, RSTART + 2); sub(/ .*/, "", m)
				}
				# Names stay the same from run to run: measured numbers
				# (standalone, not pages_2m or hugetlb-1g) become N, as
				# in ci/report.awk, and repeats get a count.
				k = " " d " "; o = ""
				gsub(/0x[0-9a-fA-F]+/, "N", k)
				while (match(k, /[^A-Za-z0-9_.][-+]?[0-9][0-9.]*[^A-Za-z0-9_]/)) {
					o = o substr(k, 1, RSTART) "N"; k = substr(k, RSTART + RLENGTH - 1)
				}
				d = o k
				gsub(/[^A-Za-z0-9_.-]+/, "_", d); sub(/^_+/, "", d); sub(/_+$/, "", d)
				n = t "." cfg "." d
				if (seen[n]++) n = n "_" seen[n]
				print n, res, m
			}' /tmp/kmt-known.tap | while read -r n res m; do
			if [ -n "$m" ]; then case_result "$n" "$res" "$m" bytes; else case_result "$n" "$res"; fi
		done
		case $rc in
		124|137|143) case_result "$name.$cfg.finished_in_time" fail ;;
		*) case_result "$name.$cfg.finished_in_time" pass ;;
		esac
		# How many points the TAP had: the results can be checked complete.
		case_result "$name.$cfg.tap_points" pass "$(grep -cE '^(not )?ok ' /tmp/kmt-known.tap)" points
		if dmesg 2>/dev/null | grep -qE 'WARNING:|BUG:|Oops|general protection'; then
			case_result "$name.$cfg.kernel_log_clean" fail
		else
			case_result "$name.$cfg.kernel_log_clean" pass
		fi
	done
	rmmod "$vendor" 2>/dev/null; rmmod kvm 2>/dev/null
done
