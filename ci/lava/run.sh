#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# ci/lava/run.sh "CONFIGS" "TEST_ARGS": the LAVA job's step.  Builds the
# suite, then for each configuration reloads kvm and kvm_intel/kvm_amd
# with its parameters (from ci/configs) and runs every KVM test natively,
# turning each TAP point into lava-test-case (or plain lines outside LAVA).
set -u

configs=$1 args=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-lava

case_result() {		# NAME RESULT
	if command -v lava-test-case >/dev/null 2>&1; then
		lava-test-case "$1" --result "$2"
	else
		echo "$2: $1"
	fi
}

vendor=kvm_amd
grep -qw vmx /proc/cpuinfo && vendor=kvm_intel

# Loads kvm and the vendor module with CONFIG's parameters.
reload() {
	params=$(awk -v c="$1" '$1 == c { $1 = ""; print }' "$src/ci/configs")
	kvm_p= vendor_p=
	for p in $params; do
		case ${p%%.*} in
		kvm) kvm_p="$kvm_p ${p#kvm.}" ;;
		"$vendor") vendor_p="$vendor_p ${p#*.}" ;;
		esac
	done
	modprobe -r "$vendor" kvm 2>/dev/null
	# shellcheck disable=SC2086
	modprobe kvm $kvm_p && modprobe "$vendor" $vendor_p
}

(cd "$src" && autoreconf -fi) && mkdir -p "$build" && cd "$build" &&
	"$src/configure" && make -j"$(nproc)" && make -j"$(nproc)" $(make -s print-kvm-tests 2>/dev/null) ||
	{ case_result build fail; exit 1; }
case_result build pass

for cfg in $configs; do
	if ! reload "$cfg"; then
		case_result "$cfg-modules" fail
		continue
	fi
	for t in $(make -s -C "$build" print-kvm-tests); do
		dmesg -C 2>/dev/null
		# shellcheck disable=SC2086
		KMT_CONFIG=$cfg "$build/$t" $args >"$build/out.tap" 2>&1
		awk -v cfg="$cfg" -v t="${t##*/}" '
			/^(not )?ok / {
				res = /^not ok/ ? "fail" : "pass"
				if (/# [Ss][Kk][Ii][Pp]/) res = "skip"
				if (/# TODO/) res = "skip"
				d = $0; sub(/^(not )?ok [0-9]+ - /, "", d)
				sub(/ # .*/, "", d); gsub(/[^A-Za-z0-9_.-]+/, "_", d)
				print t "." cfg "." d, res
			}' "$build/out.tap" | while read -r name res; do
			case_result "$name" "$res"
		done
		if dmesg 2>/dev/null | grep -qE 'WARNING:|BUG:|Oops|general protection'; then
			case_result "${t##*/}.$cfg.kernel_log_clean" fail
		else
			case_result "${t##*/}.$cfg.kernel_log_clean" pass
		fi
	done
done
