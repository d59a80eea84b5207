# SPDX-License-Identifier: GPL-2.0-only
#
# Join the TAP streams of two ci/vm-run boots of one test (QEMU, then
# Bochs for Intel coverage) into one, so Automake sees one test:
#     awk -v label=intel -f ci/tap-join.awk FIRST SECOND
# The second stream's points are numbered on from the first's and their
# configuration "[CONFIG]" becomes "[LABEL:CONFIG]", so the two boots'
# results stay apart in logs and in ci/report.awk's matrix; its header
# lines get "[LABEL] " (its "# [CONFIG] ..." lines "[LABEL:CONFIG]").
# An empty SECOND adds nothing.

FNR == 1 { f++ }
/^TAP version / { next }

# The plan ends each stream's header.
!planned[f] && /^1\.\.[0-9]+/ {
	planned[f] = 1
	n = $0; sub(/^1\.\./, "", n); sub(/[^0-9].*/, "", n)
	count[f] = n + 0
	next
}

!planned[f] {
	if (f == 2 && !sub(/^# \[/, "# [" label ":"))
		sub(/^# /, "# [" label "] ")
	head[++nhead] = $0
	next
}

f == 2 && /^(not )?ok [0-9]+/ {
	ok = $0; sub(/ .*/, "", ok)
	if (ok == "not") ok = "not ok"
	rest = $0; sub(/^(not )?ok [0-9]+/, "", rest)
	sub(/^ - \[/, " - [" label ":", rest)
	num = $0; sub(/^(not )?ok /, "", num); sub(/[^0-9].*/, "", num)
	$0 = ok " " (count[1] + num) rest
}
f == 2 && /^# \[/ { sub(/^# \[/, "# [" label ":") }
{ body[++nbody] = $0 }

END {
	print "TAP version 13"
	for (i = 1; i <= nhead; i++) print head[i]
	print "1.." (count[1] + count[2])
	for (i = 1; i <= nbody; i++) print body[i]
}
