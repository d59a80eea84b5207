# SPDX-License-Identifier: GPL-2.0-only
#
# report.html: one self-contained page (no script, no external file) from
# a report's points.tsv and env.tsv (ci/report.awk): the test x
# configuration matrix coloured, the failures with their diagnostics
# folded out (<details>), the comparison with a baseline (compare.tsv of
# ci/compare.awk) when there is one, kmem figures against their budgets
# as inline SVG bars (per scenario and configuration; the baseline
# kernel's beside them), and the timings.
#     awk -v env=ENV.tsv [-v compare=compare.tsv -v verdict=N]
#         [-v basepoints=OLD/points.tsv] -v title=... -v stamp=...
#         -f ci/html.awk POINTS.tsv > report.html

function unesc(s) {
	gsub(/\\\\/, "\001", s); gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s)
	gsub(/\001/, "\\", s)
	return s
}

function h(s) {
	gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	return s
}

# kmem's budget points: "SCENARIO: WHAT: BYTES bytes UNIT (max of N
# rounds) within budget BUDGET".
function kmem_point(desc, st, which,   b, m, sc) {
	if (!match(desc, /: -?[0-9]+ bytes [^(]*\(max of [0-9]+ rounds\) within budget [0-9]+$/)) return
	m = substr(desc, RSTART + 2); sub(/ .*/, "", m)
	b = desc; sub(/.*within budget /, "", b)
	sc = substr(desc, 1, index(desc, ":") - 1)
	unit = desc; sub(/.* bytes /, "", unit); sub(/ \(max.*/, "", unit)
	if (!((sc, cfgname) in kseen)) { kseen[sc, cfgname] = 1; kl[++nk] = sc SUBSEP cfgname; kunit[nk] = unit }
	kval[which, sc, cfgname] = m + 0; kbud[which, sc, cfgname] = b + 0; kst[which, sc, cfgname] = st
}

BEGIN {
	FS = "\t"
	while ((getline l < env) > 0) {
		split(l, f, "\t")
		if (f[1] == "param") param[f[2]] = f[3]
		else if (f[1] == "time") { tim[++ntim] = f[2]; tq[f[2]] = f[3]; tb[f[2]] = f[4] }
		else envv[f[1]] = f[2]
	}
	close(env)
	if (basepoints != "") {
		while ((getline l < basepoints) > 0) {
			split(l, f, "\t")
			cfgname = f[2]
			kmem_point(unesc(f[5]), f[4], "base")
		}
		close(basepoints)
	}
}

{
	t = $1; c = $2; st = $4; d = unesc($5)
	if (!(t in seen_t)) { seen_t[t] = 1; tl[++nt] = t }
	if (!(c in seen_c)) { seen_c[c] = 1; cl[++nc] = c }
	n[t, c, st]++; total[st]++
	if (st == "fail" || st == "known") {
		fl[++nf] = t SUBSEP c SUBSEP st SUBSEP d SUBSEP unesc($6) SUBSEP unesc($7)
	}
	cfgname = c
	kmem_point(d, st, "now")
	# ci/known-issues.awk's verdicts on passing points a known bug names.
	dg = unesc($7)
	while (match(dg, /known issue [^ :]+: [^\n]*/)) {
		kf[++nkf] = t ": [" c "] " substr(dg, RSTART, RLENGTH)
		dg = substr(dg, RSTART + RLENGTH)
	}
}

function cell(t, c,   p, f, s, k, cls, txt) {
	p = n[t, c, "pass"] + 0; f = n[t, c, "fail"] + 0; s = n[t, c, "skip"] + 0; k = n[t, c, "known"] + 0
	if (!p && !f && !s && !k) return "<td class=\"none\">-</td>"
	cls = f ? "fail" : k ? "known" : p ? "pass" : "skip"
	txt = (f ? f " FAIL, " : "") p " pass" (s ? ", " s " skip" : "") (k ? ", " k " known bug" : "")
	return "<td class=\"" cls "\">" txt "</td>"
}

# One bar chart per scenario: a row per configuration (and the baseline
# kernel's below it), bar = bytes, line = budget, scaled to the scenario.
function kmem_svg(sc,   i, c, y, w, max, v, b, x, H, rows, lab, W, which, pass, u) {
	max = 1; rows = 0
	for (i = 1; i <= nk; i++) {
		split(kl[i], a, SUBSEP)
		if (a[1] != sc) continue
		c = a[2]; u = kunit[i]
		for (pass = 1; pass <= 2; pass++) {
			which = pass == 1 ? "now" : "base"
			if (!((which, sc, c) in kval)) continue
			rows++
			if (kbud[which, sc, c] > max) max = kbud[which, sc, c]
			if (kval[which, sc, c] > max) max = kval[which, sc, c]
		}
	}
	H = 22 * rows + 34; W = 480
	printf "<h3>%s (bytes %s)</h3>\n", h(sc), h(u)
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"kmem\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"kmem %s per configuration against its budget\">\n", 230 + W + 210, H, h(sc)
	y = 6
	for (i = 1; i <= nk; i++) {
		split(kl[i], a, SUBSEP)
		if (a[1] != sc) continue
		c = a[2]
		for (pass = 1; pass <= 2; pass++) {
			which = pass == 1 ? "now" : "base"
			if (!((which, sc, c) in kval)) continue
			v = kval[which, sc, c]; b = kbud[which, sc, c]
			lab = "[" c "]" (which == "base" ? " baseline" : "")
			w = v > 0 ? v * W / max : 1
			printf "<text x=\"225\" y=\"%d\" text-anchor=\"end\" class=\"lab\">%s</text>\n", y + 13, h(lab)
			printf "<rect x=\"230\" y=\"%d\" width=\"%.1f\" height=\"16\" class=\"%s\"><title>%s %s: %d bytes %s, budget %d</title></rect>\n", \
			       y, w, (which == "base" ? "base" : (v <= b ? "ok" : "over")), h(sc), h(lab), v, h(u), b
			x = 230 + b * W / max
			printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"budget\"/>\n", x, x, y - 2, y + 18
			printf "<text x=\"%d\" y=\"%d\" class=\"val\">%d / %d (%.0f%%)</text>\n", 230 + W + 8, y + 13, v, b, b ? 100 * v / b : 0
			y += 22
		}
	}
	printf "<text x=\"230\" y=\"%d\" class=\"lab\">bar: bytes (max of the rounds); line: budget</text>\n", y + 14
	printf "</svg>\n"
}

function secs(s) {
	if (match(s, /total [0-9.]+ s/)) return substr(s, RSTART + 6, RLENGTH - 8) + 0
	return ""
}

function timing_svg(   i, max, v, b, y, W) {
	max = 1; W = 420
	for (i = 1; i <= ntim; i++) {
		if (secs(tq[tim[i]]) > max) max = secs(tq[tim[i]])
		if (secs(tb[tim[i]]) > max) max = secs(tb[tim[i]])
	}
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timing\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"run time per test\">\n", 200 + W + 80, 40 * ntim + 20
	y = 6
	for (i = 1; i <= ntim; i++) {
		v = secs(tq[tim[i]]); b = secs(tb[tim[i]])
		printf "<text x=\"195\" y=\"%d\" text-anchor=\"end\" class=\"lab\">%s</text>\n", y + 13, h(tim[i])
		if (v != "") printf "<rect x=\"200\" y=\"%d\" width=\"%.1f\" height=\"14\" class=\"qemu\"><title>QEMU %s</title></rect><text x=\"%.1f\" y=\"%d\" class=\"val\">QEMU %.0f s</text>\n", y, v * W / max, h(tq[tim[i]]), 204 + v * W / max, y + 12, v
		if (b != "") printf "<rect x=\"200\" y=\"%d\" width=\"%.1f\" height=\"14\" class=\"bochs\"><title>Bochs %s</title></rect><text x=\"%.1f\" y=\"%d\" class=\"val\">Bochs %.0f s</text>\n", y + 16, b * W / max, h(tb[tim[i]]), 204 + b * W / max, y + 28, b
		y += 40
	}
	printf "</svg>\n"
}

END {
	print "<!DOCTYPE html>"
	print "<html lang=\"en\"><head><meta charset=\"utf-8\">"
	printf "<title>%s</title>\n", h(title)
	print "<style>"
	print "body{font-family:sans-serif;margin:1.5em;color:#222}"
	print "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}"
	print "td.pass{background:#c8ecc8}td.fail{background:#f4b4b4;font-weight:bold}td.known{background:#f8e3a6}td.skip{background:#ddd}td.none{color:#999}"
	print "tr.regression td{background:#f4b4b4}tr.fixed td{background:#c8ecc8}tr.unstable td{background:#f8e3a6}"
	print "details{margin:.3em 0;border:1px solid #ccc;padding:.3em}summary{cursor:pointer}pre{white-space:pre-wrap;font-size:85%}"
	print "svg text{font-size:12px;font-family:sans-serif}svg .ok{fill:#5a5}svg .over{fill:#c33}svg .base{fill:#99b}svg .budget{stroke:#000;stroke-width:2}"
	print "svg .qemu{fill:#69c}svg .bochs{fill:#c96}.verdict{font-size:120%;font-weight:bold}"
	print "</style></head><body>"
	printf "<h1>%s</h1>\n<p>%s</p>\n", h(title), h(stamp)
	print "<table class=\"facts\">"
	printf "<tr><th>kernel</th><td>%s</td></tr>\n", h(envv["kernel"] != "" ? envv["kernel"] : "native")
	printf "<tr><th>QEMU and CPU model</th><td>%s</td></tr>\n", h(envv["qemu"] != "" ? envv["qemu"] : "none (native)")
	if (envv["bochs"] != "") printf "<tr><th>Bochs</th><td>%s</td></tr>\n", h(envv["bochs"])
	for (i = 1; i <= nc; i++) if (cl[i] in param) printf "<tr><th>[%s]</th><td>%s</td></tr>\n", h(cl[i]), h(param[cl[i]])
	print "</table>"

	if (compare != "") {
		print "<h2 id=\"baseline\">Against the baseline</h2>"
		printf "<p class=\"verdict\">%s (exit %s)</p>\n", verdict == 1 ? "Regression" : verdict == 2 ? "Incomplete run" : "No regression", h(verdict)
		print "<table id=\"compare\"><tr><th>class</th><th>test</th><th>configuration</th><th>point</th><th>baseline</th><th>now</th><th>repeats</th></tr>"
		m = 0
		while ((getline l < compare) > 0) {
			split(l, f, "\t"); m++
			f[9] = f[4]; sub(/-/, " ", f[9])
			printf "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", \
			       f[4], (f[4] == "regression" ? "<b>regression</b>" : h(f[9])), h(f[1]), h(f[2]), h(f[8]), h(f[5]), h(f[6]), h(f[7])
		}
		close(compare)
		if (!m) print "<tr><td colspan=\"7\">every point as in the baseline</td></tr>"
		print "</table>"
	}

	print "<h2>Results</h2>"
	print "<table id=\"matrix\"><tr><th>test</th>"
	for (i = 1; i <= nc; i++) printf "<th>%s</th>", h(cl[i])
	print "</tr>"
	for (i = 1; i <= nt; i++) {
		printf "<tr><th>%s</th>", h(tl[i])
		for (j = 1; j <= nc; j++) printf "%s", cell(tl[i], cl[j])
		print "</tr>"
	}
	print "</table>"
	printf "<p><b>%d passed, %d failed, %d skipped, %d known kernel bugs</b></p>\n", total["pass"], total["fail"], total["skip"], total["known"]

	if (nf) {
		print "<h2>Failures and known kernel bugs</h2>"
		for (i = 1; i <= nf; i++) {
			split(fl[i], a, SUBSEP)
			printf "<details%s><summary>%s%s: [%s] %s</summary>\n", a[3] == "fail" ? " open" : "",
			       a[3] == "fail" ? "<b>FAIL</b> " : "known bug ", h(a[1]), h(a[2]), h(a[4])
			if (a[5] != "") printf "<p>%s</p>\n", h(a[5])
			printf "<pre>%s</pre></details>\n", h(a[6])
		}
	}

	if (nkf) {
		print "<h2 id=\"known-fixed\">Known kernel bugs not seen on this kernel</h2><ul>"
		for (i = 1; i <= nkf; i++) printf "<li>%s</li>\n", h(kf[i])
		print "</ul>"
	}
	if (nk) {
		print "<h2 id=\"kmem\">Kernel memory against the budgets</h2>"
		for (i = 1; i <= nk; i++) {
			split(kl[i], a, SUBSEP)
			if (!(a[1] in drawn)) { drawn[a[1]] = 1; kmem_svg(a[1]) }
		}
	}
	if (ntim) {
		print "<h2>Timings</h2>"
		timing_svg()
	}
	print "</body></html>"
}
