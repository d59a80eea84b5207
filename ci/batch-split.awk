# SPDX-License-Identifier: GPL-2.0-only
#
# Cut the TAP channel of one ci/vm-run --batch boot (ci/init.sh with
# kmt.batch) into one channel per program, each what a boot of that
# program alone would have written, for ci/tap-merge:
#     awk -v dir=DIR -f ci/batch-split.awk CHANNEL
# DIR/NAME.chan: the boot's preamble (what init printed before the first
# program), KMT-BOOT with the uptime at which the program began, the
# program's lines, and KMT-DONE with the uptime at which it ended (only
# when it did).  DIR/status: one line per program the boot reached, in
# order, "NAME done BEGIN END" or "NAME started BEGIN" (the guest stopped
# while it ran: a hang or a crash of that program).

{ sub(/\r$/, "") }

prog != "" && $1 == "KMT-PROGRAM-END" && $2 == prog {
	print "KMT-DONE " $3 > file
	close(file)
	state[prog] = "done " begin " " $3
	prog = ""
	next
}
prog != "" { print > file; next }

$1 == "KMT-PROGRAM-BEGIN" {
	prog = $2; begin = $3; file = dir "/" prog ".chan"
	order[++n] = prog
	state[prog] = "started " begin
	for (i = 1; i <= npre; i++) print pre[i] > file
	print "KMT-BOOT " begin " " kver > file
	next
}
$1 == "KMT-BOOT" { kver = $3; next }
$1 == "KMT-DONE" { next }
{ pre[++npre] = $0 }

END {
	for (i = 1; i <= n; i++) print order[i], state[order[i]] > (dir "/status")
	if (n == 0) printf "" > (dir "/status")
}
