# SPDX-License-Identifier: GPL-2.0-only
#
# TAP points for the shell checks of the harness (sourced, not run).
# point OK DESCRIPTION [FILE...]: point number n+1, ok when OK is 1; a
# failure sets failed=1 and shows the first lines of each non-empty FILE
# as diagnostics, named by the file.
n=0 failed=0
point() {
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
		return 0
	fi
	echo "not ok $n - $2"
	failed=1
	shift 2
	for f in "$@"; do
		[ -s "$f" ] || continue
		sed "s|^|#   ${f##*/}: |" "$f" | head -n 20
	done
	return 0
}
