# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel-log scanner, a function library for POSIX awk (mawk, busybox
# awk, gawk): load it with "awk -f ci/klog-scan.awk -f main.awk".
#
#   klog_bad(line)            1 when a dmesg line shows a kernel problem
#   klog_fatal(line)          1 when it shows one that kills the task it
#                             hit (an oops), which may die holding locks
#   klog_stuck(line)          1 for the test's own note (lib/watchdog.c)
#                             that a vCPU thread is stuck in the kernel,
#                             so that the test's process cannot exit
#   klog_report(lines, n, res) fills res[1..] with the offending lines plus
#                             context; returns how many (0 = log clean)
#
# What counts: WARN/WARN_ON splats (KVM_BUG_ON ends up there too), BUG and
# kernel BUG, Oops, panics, general protection faults, stack dumps, the
# sanitizers (UBSAN, KASAN, KFENCE) and lockup/stall/hung-task reports.
# Matching is done on the message with the "[ time] " prefix removed so
# that the anchors (^WARNING:) do not hit lines such as
# "RETBleed: WARNING: ..." from CPU bug reporting.

function klog_msg(line)
{
	sub(/^<[0-9]+>/, "", line)
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)
	return line
}

function klog_fatal(line,   m)
{
	m = klog_msg(line)
	return m ~ /^Oops/ || m ~ /kernel BUG at/ ||
	       m ~ /^BUG: unable to handle/ || m ~ /^BUG: kernel NULL pointer/ ||
	       m ~ /general protection fault/ || m ~ /Kernel panic/ ||
	       m ~ /Unable to handle kernel/
}

function klog_stuck(line)
{
	return klog_msg(line) ~ /^kmt: vCPU [0-9]+ stuck in the kernel/
}

function klog_bad(line,   m)
{
	m = klog_msg(line)
	return klog_fatal(line) || m ~ /^WARNING:/ || m ~ /-\[ cut here \]-/ ||
	       m ~ /^BUG[: ]/ || m ~ /Oops/ || m ~ /Call Trace:/ ||
	       m ~ /UBSAN:/ || m ~ /KASAN:/ || m ~ /KFENCE:/ ||
	       m ~ /soft lockup|hard LOCKUP|self-detected stall|blocked for more than/
}

# Context: 2 lines before and 8 after each hit, overlapping windows merged,
# at most klog_max lines (a full splat is ~40; the first one matters).
function klog_report(lines, n, res,   i, j, keep, cnt, last, klog_max)
{
	klog_max = 60
	for (i = 1; i <= n; i++)
		if (klog_bad(lines[i]))
			for (j = i - 2; j <= i + 8; j++)
				if (j >= 1 && j <= n) keep[j] = 1
	cnt = 0
	last = 0
	for (i = 1; i <= n; i++) {
		if (!(i in keep)) continue
		if (cnt >= klog_max) {
			res[++cnt] = "... (further lines cut)"
			break
		}
		if (last && i > last + 1) res[++cnt] = "..."
		res[++cnt] = lines[i]
		last = i
	}
	return cnt
}
