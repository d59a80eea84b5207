# SPDX-License-Identifier: GPL-2.0-only
#
# dmesg | awk -f ci/klog-scan.awk -f ci/klog-fatal.awk
#
# Exit 0, printing the kernel problems with their context (klog_report),
# when the log holds an oops (klog_fatal); 1 when it holds none.  The
# guest's /init runs it while a test runs (as /klog-scan.awk and
# /klog-fatal.awk): a test whose task oopsed may never finish.

{ lines[++n] = $0; if (klog_fatal($0)) fatal = 1 }

END {
	if (!fatal)
		exit 1
	cnt = klog_report(lines, n, res)
	for (i = 1; i <= cnt; i++)
		print res[i]
}
