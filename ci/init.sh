#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# ci/init.sh: /init of the harness initramfs (packed by ci/mkinitramfs,
# run by busybox sh inside the guest booted by ci/vm-run).
#
# Kernel command line:  kmt.test=/kmt/bin/T  kmt.configs=a,b
#                       kmt.args=ARG,ARG  (each %XX-encoded by vm-run)
#                       kmt.batch=T:a+b,U:c  (one boot, many programs:
#                                 /kmt/bin/T in a and b, then U in c, no
#                                 arguments; instead of kmt.test/configs)
#                       kmt.end=poweroff  (power off at the end, not reboot)
#                       kmt.vcpu_timeout=S  (KMT_VCPU_TIMEOUT for the test's
#                                          vCPU watchdog, lib/watchdog.h)
#                       kmt.budget=S  (KMT_BUDGET: a randomized test's
#                                     seconds per configuration)
# For each configuration: reload the KVM modules with its parameters, run
# the test, unload, and report on /dev/ttyS1 (the TAP channel; the kernel
# console stays on ttyS0 so its messages never mix into TAP):
#   KMT-BOOT <uptime> <kernel release>
#   KMT-CONFIG-BEGIN <cfg> <uptime>
#   KMT-PARAMS <cfg> mod.param=value ...      (read back from /sys/module)
#   KMT-SETUP-FAIL <cfg> <reason>             (test not run)
#   KMT-TEST-BEGIN <cfg> / test output / KMT-TEST-END <cfg> <rc>
#   KMT-NOTE <cfg> <problem>                  (e.g. rmmod failed)
#   KMT-DMESG-BEGIN <cfg> / kernel log of this config / KMT-DMESG-END <cfg>
#   KMT-CONFIG-END <cfg> <uptime>
#   KMT-DONE <uptime>
# With kmt.batch each program's configurations are framed by
#   KMT-PROGRAM-BEGIN <name> <uptime> ... KMT-PROGRAM-END <name> <uptime>
# (ci/vm-run --batch splits the channel there) and the kernel log gets
# "kmt: program <name>" so that a console can be read per program too.
# ci/tap-merge turns this into one TAP stream.  Then end the VM.
# Only as PID 1 of that initramfs (it mounts, loads modules and reboots);
# mkinitramfs puts ci/lib.sh next to it as /lib.sh.  Run on a host it
# only answers --help.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
me=init.sh
case $0 in */*) . "${0%/*}/lib.sh" ;; *) . ./lib.sh ;; esac
# The kernel passes unknown words of its command line as arguments:
# only an option is an error.
case ${1:-} in
-*) help_or_bad "$1" ;;
esac
if [ -z "${KMT_INIT_CHILD:-}" ]; then
	[ $$ = 1 ] || die "runs only as /init of the harness initramfs (ci/mkinitramfs)"
	# PID 1 only reaps: every orphan is re-parented to it, and its
	# SIGCHLD must not interrupt the writes of the shell that reports
	# (see stall_watch).  That shell ends the machine; should it exit
	# instead, say so and end it here.
	# (A background command's stdin is /dev/null: devtmpfs first.)
	mount -t devtmpfs devtmpfs /dev
	KMT_INIT_CHILD=1 /bin/sh "$0" "$@" &
	rc=0
	wait $! || rc=$?
	echo "init.sh: the harness shell exited with status $rc" >/dev/console
	grep -q 'kmt.end=poweroff' /proc/cmdline 2>/dev/null && poweroff -f
	reboot -f
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/console 2>&1
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /tmp
# POSIX named semaphores and shm_open live there (the kernel's KVM
# selftests: hardware_disable_test's sem_open crashed without it).
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
# Memory accounting for the memcg-based kernel-memory measurements.
echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
# 2 MiB pages are reserved here (boot-time memory is plentiful and
# unfragmented); 1 GiB pages only come from hugepages= on the command line.
echo 64 >/proc/sys/vm/nr_hugepages
mkdir -p /dev/hugepages
mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages
if [ -d /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
	mkdir -p /dev/hugepages-1G
	mount -t hugetlbfs -o pagesize=1G hugetlbfs /dev/hugepages-1G
fi
# Why a test will find no 1 GiB page, in words a harness user can act on
# (KMT_HUGETLB_1G_WHY for the tests' SKIP reasons; also in the TAP header).
g=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
hwhy=
if [ ! -f $g ]; then
	hwhy="the guest kernel has no 1 GiB hugetlb pages (CONFIG_HUGETLB_PAGE off, or a CPU without pdpe1gb)"
elif ! grep -q 'hugepagesz=1G' /proc/cmdline; then
	hwhy="the harness reserved no 1 GiB page for this guest (vm-run leaves hugepages=1 out of a guest with too little memory to keep an aligned GiB free: less than 5 GiB in QEMU, 3 GiB in Bochs; see tests/tests.cfg memory, KMT_BOCHS_MEMORY)"
elif [ "$(cat $g)" = 0 ]; then
	hwhy="the guest kernel found no free naturally aligned GiB for hugepages=1 at boot (a harness memory layout bug: see ci/vm-run)"
fi

# Raw mode: no \n -> \r\n translation, no echo of anything back.  Bochs
# emulates the line speed: 115200 (the 8250's top) rather than the default
# 9600, or it takes 1 ms of guest time per byte (QEMU ignores the speed).
stty -F /dev/ttyS1 115200 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
out() { echo "$*" >&3; }
up() { read -r u _ </proc/uptime; echo "$u"; }

test= configs=default args= end= stall= batch=
for w in $(cat /proc/cmdline); do
	case $w in
	kmt.batch=*) batch=${w#*=} ;;
	kmt.vcpu_timeout=*) export KMT_VCPU_TIMEOUT="${w#*=}" ;;
	kmt.budget=*) export KMT_BUDGET="${w#*=}" ;;
	kmt.stall=*) stall=${w#*=} ;;
	kmt.test=*) test=${w#*=} ;;
	kmt.configs=*) configs=${w#*=} ;;
	kmt.args=*) args=${w#*=} ;;
	kmt.end=*) end=${w#*=} ;;
	esac
done
# Decode the arguments: comma-separated, %XX escapes (busybox printf \x).
set --
oifs=$IFS
IFS=,
for a in $args; do
	set -- "$@" "$(printf "$(echo "$a" | sed 's/%\(..\)/\\x\1/g')")"
done
IFS=$oifs

vendor=
grep -qw svm /proc/cpuinfo && vendor=kvm_amd
grep -qw vmx /proc/cpuinfo && vendor=kvm_intel
case $vendor in
kvm_amd) other=kvm_intel ;;
*) other=kvm_amd ;;
esac

out "KMT-BOOT $(up) $(uname -r)"
[ -z "$hwhy" ] || out "no 1 GiB hugetlb page: $hwhy"
export KMT_HUGETLB_1G_WHY="$hwhy"

# Modules to load for kvm + the vendor module, dependencies first.
# /kmt/modules.dep lines are "NAME DEP,DEP" in load order.
load_order() {
	awk -v want=" $* " '
	{ name[NR] = $1; deps[NR] = $2 }
	END {
		for (i = NR; i >= 1; i--) {
			if (!index(want, " " name[i] " ")) continue
			n = split(deps[i], d, ",")
			for (j = 1; j <= n; j++) if (d[j] != "-") want = want d[j] " "
		}
		for (i = 1; i <= NR; i++) if (index(want, " " name[i] " ")) print name[i]
	}' /kmt/modules.dep
}

# "mod.param=value" words of config $1 ("default" has none).
config_params() {
	[ "$1" = default ] && return 0
	awk -v c="$1" '$1 == c { $1 = ""; print; f = 1 } END { exit !f }' /kmt/configs
}

norm() {
	case $1 in Y|y|1) echo 1 ;; N|n|0) echo 0 ;; *) echo "$1" ;; esac
}

# Load the modules for config $1 with its parameters and check each one
# took effect; prints the failure reason and returns 1 otherwise.
setup() {
	params=$(config_params "$1") || { echo "unknown configuration"; return 1; }
	[ -n "$vendor" ] || { echo "CPU has neither svm nor vmx"; return 1; }
	for m in $(load_order kvm $vendor); do
		mp=
		for w in $params; do
			case $w in "$m".*) mp="$mp ${w#*.}" ;; esac
		done
		if [ -e /sys/module/$m/initstate ]; then
			echo "module $m still loaded from an earlier run"
			return 1
		fi
		# Built-in dependencies have no .ko; they are simply there.
		[ -f /kmt/mod/$m.ko ] || continue
		# shellcheck disable=SC2086  # one word per parameter
		err=$(insmod /kmt/mod/$m.ko $mp 2>&1) || {
			echo "insmod $m$mp: $err"
			return 1
		}
	done
	for w in $params; do
		m=${w%%.*} p=${w#*.}
		v=${p#*=} p=${p%%=*}
		[ "$m" = "$other" ] && continue
		f=/sys/module/$m/parameters/$p
		[ -r "$f" ] || { echo "$m.$p: no $f"; return 1; }
		got=$(cat "$f")
		[ "$(norm "$got")" = "$(norm "$v")" ] ||
			{ echo "$m.$p is $got, wanted $v"; return 1; }
	done
	return 0
}

# Parameters worth seeing in every report, plus whatever was requested.
show_params() {
	s=
	for w in kvm.tdp_mmu kvm.eager_page_split kvm.nx_huge_pages \
	    $vendor.npt $vendor.ept $vendor.nested $(config_params "$1"); do
		w=${w%%=*}
		f=/sys/module/${w%%.*}/parameters/${w#*.}
		[ -r "$f" ] || continue
		case " $s " in *" $w="*) continue ;; esac
		s="$s $w=$(cat "$f")"
	done
	out "KMT-PARAMS $1$s"
}

# Unload in reverse load order whatever setup() got loaded (it ran in a
# subshell, so ask the kernel rather than remember).
unload() {
	rev=
	for m in $(load_order kvm $vendor); do
		[ -e /sys/module/$m/initstate ] && rev="$m $rev"
	done
	for m in $rev; do
		err=$(rmmod "$m" 2>&1) || out "KMT-NOTE $1 rmmod $m failed: $err"
	done
}

# Bytes the UART of the TAP channel has sent (the 8250 driver counts them):
# the test's output, seen without sitting between the test and its tty.
chan_tx() {
	awk '$1 == "1:" { for (i = 2; i <= NF; i++) if ($i ~ /^tx:/) print substr($i, 4) }' \
		/proc/tty/driver/serial 2>/dev/null
}
# The state of a test that fell silent, while the guest still runs: what
# each of its threads waits in (state, wait channel, system call, kernel
# stack), and whether any of them still used CPU.  Printed once per
# silence, stall_watch's threshold before the host's own limit (vm-run
# passes kmt.stall), so a timeout says where the test was stuck rather
# than only that it was; sysrq w and l add every blocked task and every
# CPU's backtrace to the kernel log (shown with the timeout).
stall_dump() {
	out "# stall: the test printed nothing for $2 s (CPU ticks used meanwhile: $3); its threads:"
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		out "#   thread ${t##*/} $(cat "$t/comm" 2>/dev/null): state $(awk '/^State:/ { print $2 }' "$t/status" 2>/dev/null), wchan $(cat "$t/wchan" 2>/dev/null), syscall $(cut -d' ' -f1 "$t/syscall" 2>/dev/null)"
		sed 's/^/#     /' "$t/stack" >&3 2>/dev/null
	done
	if [ -w /proc/sysrq-trigger ]; then
		echo w >/proc/sysrq-trigger
		echo l >/proc/sysrq-trigger
	fi
}
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null; }
# Stopped with SIGTERM; it reaps its own sleep first.  A child left to
# die on its own would be re-parented to this shell, PID 1, and its
# SIGCHLD could interrupt a write of ours to the TAP channel: under load
# (a slow UART, a write that blocks) a KMT-TEST-END line was lost that
# way, and the configuration's kernel log was taken for test output
# (soak run 2 of 20, check-harness.sh: "crashed" after KMT-DONE).
#
# It also watches the kernel log for an oops (klog_fatal): the task it
# hit is dead and may have held KVM's locks, so the test may never end;
# and for the test's own note that a vCPU thread is stuck in the kernel
# (klog_stuck, lib/watchdog.c), which keeps the test's exit waiting.
# If the test still runs 15 s later, silent for the last 10, it prints
# the oops, the test's threads, KMT-OOPS, and ends the machine: the
# configuration fails in seconds with its cause, not at the timeout.
oops_end() {
	out "# the test cannot finish: a kernel oops (the task it hit died, maybe holding KVM's locks) or a vCPU thread stuck in the kernel; ending the machine; the kernel log says:"
	dmesg | awk -f /klog-scan.awk -f /klog-fatal.awk | sed 's/^/#   /' >&3
	stall_dump "$1" "$2" "$3"
	out "KMT-OOPS $cfg"
	sleep 5
	[ "$end" = poweroff ] && poweroff -f
	reboot -f
}
stall_watch() {
	sp=
	trap '[ -z "$sp" ] || kill "$sp" 2>/dev/null; wait; exit 0' TERM
	[ -n "$stall" ] && [ -n "$(chan_tx)" ] || return 0
	last=$(chan_tx) quiet=0 told= c0=$(cpu_ticks "$1") oops=
	while kill -0 "$1" 2>/dev/null; do
		sleep 5 &
		sp=$!
		wait "$sp"
		sp=
		if [ -z "$oops" ] && [ -r /klog-fatal.awk ] &&
		    dmesg | awk -f /klog-scan.awk -f /klog-fatal.awk >/dev/null; then
			oops=0
		elif [ -n "$oops" ]; then
			oops=$((oops + 5))
		fi
		[ -n "$oops" ] && [ "$oops" -ge 15 ] && [ "$quiet" -ge 10 ] &&
			kill -0 "$1" 2>/dev/null &&
			oops_end "$1" "$quiet" "$(( $(cpu_ticks "$1") - c0 ))"
		tx=$(chan_tx)
		if [ "$tx" != "$last" ]; then
			last=$tx quiet=0 told= c0=$(cpu_ticks "$1")
			continue
		fi
		quiet=$((quiet + 5))
		if [ -z "$told" ] && [ "$quiet" -ge "$stall" ]; then
			told=1
			stall_dump "$1" "$quiet" "$(( $(cpu_ticks "$1") - c0 ))"
			last=$(chan_tx)
		fi
	done
}

# run_config TEST CONFIG [ARGS...]: load CONFIG's modules, run TEST with
# ARGS, report it and the kernel log, unload.
run_config() {
	test=$1 cfg=$2
	shift 2
	out "KMT-CONFIG-BEGIN $cfg $(up)"
	# Clear first so module load messages (and WARNs) count for this run.
	dmesg -c >/dev/null
	if reason=$(setup "$cfg"); then
		show_params "$cfg"
		out "KMT-TEST-BEGIN $cfg"
		(cd /tmp && export KMT_CONFIG="$cfg" && exec "$test" "$@") \
			</dev/null >&3 2>&3 3>&- &
		tpid=$!
		stall_watch "$tpid" &
		wpid=$!
		rc=0
		wait "$tpid" || rc=$?
		kill "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
		# Newline first: the test's last line may lack one.  (echo,
		# not printf: busybox's printf writes through stdio, which gives
		# up on a write interrupted by a signal.)
		out ""
		out "KMT-TEST-END $cfg $rc"
	else
		show_params "$cfg"
		out "KMT-SETUP-FAIL $cfg $reason"
	fi
	unload "$cfg"
	out "KMT-DMESG-BEGIN $cfg"
	dmesg >&3
	out "KMT-DMESG-END $cfg"
	out "KMT-CONFIG-END $cfg $(up)"
}

# run_program TEST CONFIGS [ARGS...]: TEST once per configuration (a,b).
run_program() {
	rp_test=$1 rp_configs=$2
	shift 2
	for cfg in $(echo "$rp_configs" | tr , ' '); do
		run_config "$rp_test" "$cfg" "$@"
	done
}

if [ -n "$batch" ]; then
	for p in $(echo "$batch" | tr , ' '); do
		name=${p%%:*}
		out "KMT-PROGRAM-BEGIN $name $(up)"
		echo "kmt: program $name" >/dev/kmsg
		run_program "/kmt/bin/$name" "$(echo "${p#*:}" | tr + ,)"
		out "KMT-PROGRAM-END $name $(up)"
	done
else
	run_program "$test" "$configs" "$@"
fi
out "KMT-DONE $(up)"
# Closing the last fd of the tty waits until the UART has sent everything.
exec 3>&-
# Reboot rather than power off: QEMU runs with -no-reboot, so this ends it
# just the same, and it also works on kernels whose ACPI cannot power off.
# Bochs has no -no-reboot (its BIOS faults when it starts over), but ends
# on an ACPI power-off: there vm-run asks for one.
[ "$end" = poweroff ] && poweroff -f
reboot -f
