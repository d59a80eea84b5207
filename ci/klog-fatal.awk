# SPDX-License-Identifier: GPL-2.0-only
#
# dmesg | awk -f ci/klog-scan.awk -f ci/klog-fatal.awk
#
# Exit 0, printing the kernel problems with their context (klog_report)
# and the test's note of a stuck vCPU, when the log holds an oops
# (klog_fatal) or that note (klog_stuck); 1 when it holds neither.  The
# guest's /init runs it while a test runs (as /klog-scan.awk and
# /klog-fatal.awk): a test whose task oopsed, or whose vCPU thread loops
# in the kernel, may never exit.

{ lines[++n] = $0; if (klog_fatal($0) || klog_stuck($0)) fatal = 1 }

END {
	if (!fatal)
		exit 1
	cnt = klog_report(lines, n, res)
	for (i = 1; i <= cnt; i++)
		print res[i]
	for (i = 1; i <= n; i++)
		if (klog_stuck(lines[i]))
			print lines[i]
}
