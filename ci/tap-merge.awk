# SPDX-License-Identifier: GPL-2.0-only
#
# Merge the TAP channel of one harness boot (markers: see ci/init.sh) into
# one TAP 13 stream.  Run via ci/tap-merge, together with klog-scan.awk.
#
# Variables: configs  comma list of the configurations asked for
#            qemu_rc  exit status of "timeout ... qemu" (124/137: timeout)
#            timeout  the limit in seconds (for the message)
#            timeout_from  "/init" when the limit counted from there
#                     (vm-run --test-timeout), not from the emulator's start
#            console  file with the guest console (kernel log on ttyS0)
#            header   file with "# ..." lines to print first (may be empty)
#            wall     seconds QEMU ran, by the host clock
#            emulator "QEMU" (default) or "Bochs", whose guest clock counts
#                     instructions, not seconds (vm-run times its boot)
# Output: TAP version, header, per-config parameters and times, plan, then
# per config: the test's points renumbered and prefixed "[CONFIG] ", an
# extra not-ok point when the test run itself went wrong (exit status,
# plan, crash, timeout), and "[CONFIG] kernel log clean".
# Exit status: 1 on any failure, 77 when every test point was a SKIP.

function emit(s) { out[++nout] = s }
function diag(s) { hdr[++nhdr] = "# " s }

# A point the harness adds (setup, crash, kernel log...).
function point(ok, desc) {
	npoint++
	emit((ok ? "ok " : "not ok ") npoint " - " desc)
	if (!ok) failed = 1
}

# A point the test itself produced; "rest" is its description+directive.
function test_point(ok, rest,   d) {
	d = (rest == "") ? "" : " "
	npoint++
	emit((ok ? "ok " : "not ok ") npoint " - [" cur "]" d rest)
	ntest++
	if (rest !~ /#[ \t]*[Ss][Kk][Ii][Pp]/) { nonskip++; tnonskip++ }
	# A TODO point may fail without failing the run.
	if (!ok && rest !~ /#[ \t]*[Tt][Oo][Dd][Oo]/) { failed = 1; tfail++ }
}

function problem(s) { problems = problems (problems == "" ? "" : "; ") s }

# The last 40 console lines; when the first kernel complaint (a panic's
# first line, say) lies before them, its start too, since a long stack
# dump would otherwise push the reason out of view.
function console_tail(what,   n, i, l, c, first, start) {
	if (console == "") return
	n = 0
	while ((getline l < console) > 0) {
		c[++n] = l
		if (!first && klog_bad(l)) first = n
	}
	close(console)
	start = (n > 40) ? n - 39 : 1
	emit("# console (" what "):")
	if (first && first < start) {
		for (i = (first > 2 ? first - 2 : 1); i < first + 8 && i < start; i++)
			emit("#   " c[i])
		emit("#   ...")
	}
	for (i = start; i <= n; i++) emit("#   " c[i])
	if (n == 0) emit("#   (console empty)")
}

function begin_config(c) {
	cur = c; started[c] = 1
	tpoints = 0; tfail = 0; tnonskip = 0; plan = -1; skipall = ""; problems = ""
	inyaml = 0; lastpoint = 0; bailed = 0; nk = 0; state = "setup"
}

# One line of the test's own output.
function test_line(l,   rest) {
	if (inyaml) {
		emit(l)
		if (l ~ /^[ \t]+\.\.\.[ \t]*$/) inyaml = 0
		return
	}
	if (l ~ /^[ \t]+---[ \t]*$/ && lastpoint) { inyaml = 1; emit(l); return }
	lastpoint = 0
	if (l ~ /^[ \t]*$/ || l ~ /^TAP version /) return
	if (l ~ /^1\.\.[0-9]+/) {
		plan = l; sub(/^1\.\./, "", plan); sub(/[^0-9].*/, "", plan)
		plan += 0
		if (plan == 0) {
			skipall = l
			if (!sub(/^[^#]*#[ \t]*[Ss][Kk][Ii][Pp][ \t]*/, "", skipall))
				skipall = ""
			if (skipall == "") skipall = "no tests"
		}
		return
	}
	if (l ~ /^(not ok|ok)([ \t]|$)/) {
		rest = l
		sub(/^(not ok|ok)[ \t]*/, "", rest)
		sub(/^[0-9]+[ \t]*/, "", rest)
		sub(/^-[ \t]*/, "", rest)
		tpoints++
		test_point(l !~ /^not/, rest)
		lastpoint = 1
		return
	}
	if (l ~ /^Bail out!/) { bailed = 1; point(0, "[" cur "] " l); return }
	if (l ~ /^#/) { emit(l); return }
	emit("# " l)	# stray output (stderr): keep it, as a diagnostic
}

function end_test(rc) {
	if (plan == 0) test_point(1, "# SKIP " skipall)
	# 77 is Automake's SKIP: right when every point was one.
	if (rc != 0 && tfail == 0 && !bailed && !(rc == 77 && tnonskip == 0)) {
		if (rc > 128) problem("killed by signal " (rc - 128))
		else problem("exited with status " rc " without a failing point")
	}
	if (plan < 0 && !bailed) problem("no plan printed")
	else if (plan > 0 && plan != tpoints)
		problem("planned " plan " tests but ran " tpoints)
	if (problems != "") point(0, "[" cur "] test run: " problems)
	problems = ""
}

function end_dmesg(   n, i, res) {
	n = klog_report(klog, nk, res)
	point(n == 0, "[" cur "] kernel log clean")
	for (i = 1; i <= n; i++) emit("#   " res[i])
}

{ sub(/\r$/, "") }

state == "test" && $1 != "KMT-TEST-END" && $1 != "KMT-OOPS" { test_line($0); next }
state == "dmesg" && $1 != "KMT-DMESG-END" { klog[++nk] = $0; next }

$1 == "KMT-BOOT" { booted = 1; boot_up = $2; kver = $3; next }
$1 == "KMT-CONFIG-BEGIN" { begin_config($2); t0[$2] = $3; next }
$1 == "KMT-PARAMS" {
	l = $0; sub(/^KMT-PARAMS [^ ]* ?/, "", l)
	diag("[" $2 "] module parameters: " l); next
}
$1 == "KMT-SETUP-FAIL" {
	l = $0; sub(/^KMT-SETUP-FAIL [^ ]* ?/, "", l)
	point(0, "[" $2 "] setup: " l); next
}
$1 == "KMT-TEST-BEGIN" { state = "test"; next }
$1 == "KMT-TEST-END" { state = "setup"; end_test($3 + 0); next }
$1 == "KMT-NOTE" {
	l = $0; sub(/^KMT-NOTE [^ ]* ?/, "", l)
	point(0, "[" $2 "] " l); next
}
$1 == "KMT-DMESG-BEGIN" { state = "dmesg"; nk = 0; next }
$1 == "KMT-DMESG-END" { state = "setup"; end_dmesg(); next }
$1 == "KMT-CONFIG-END" {
	done[$2] = 1; state = ""
	diag("[" $2 "] run time: " sprintf("%.2f", $3 - t0[$2]) " s")
	next
}
$1 == "KMT-DONE" { alldone = 1; done_up = $2; next }
# init.sh's oops watch ended the machine (the oops is in the TAP above).
$1 == "KMT-OOPS" { oops = 1; next }
{ diag("guest: " $0) }	# anything else from init itself

END {
	timedout = (qemu_rc == 124 || qemu_rc == 137)
	tw = "timed out after " timeout " s" (timeout_from != "" ? " from " timeout_from : "")
	why = oops ? "the test could not finish (a kernel oops, or a vCPU stuck in the kernel): the guest was ended (the kernel log and the test's threads above)" : \
	      timedout ? tw : \
	      "crashed: the guest stopped before finishing (kernel panic?)"
	if (cur != "" && !done[cur]) {
		point(0, "[" cur "] " why)
		console_tail(why)
		tailed = 1
	}
	nc = split(configs, cl, ",")
	for (i = 1; i <= nc; i++) {
		if (started[cl[i]]) continue
		if (!booted) {
			point(0, "[" cl[i] "] not run: the guest never reached the test" \
			      (timedout ? " (" tw ")" : " (boot failure)"))
			if (!tailed) { console_tail("boot failure"); tailed = 1 }
		} else
			point(0, "[" cl[i] "] not run: an earlier configuration did not finish")
	}
	if (booted && alldone && wall != "" && emulator == "Bochs") {
		diag(sprintf("time: total %.2f s; by the guest clock (instructions / ips) tests %.2f s",
			     wall, done_up - boot_up))
	} else if (booted && alldone && wall != "") {
		guest = done_up - boot_up
		diag(sprintf("time: boot %.2f s (QEMU start to /init), tests %.2f s, total %.2f s",
			     wall - guest, guest, wall))
	} else if (wall != "")
		diag(sprintf("time: total %.2f s", wall))
	if (kver != "") diag("guest kernel: " kver)

	print "TAP version 13"
	if (header != "") {
		while ((getline l < header) > 0) print l
		close(header)
	}
	for (i = 1; i <= nhdr; i++) print hdr[i]
	print "1.." npoint
	for (i = 1; i <= nout; i++) print out[i]
	exit failed ? 1 : (ntest > 0 && nonskip == 0 ? 77 : 0)
}
