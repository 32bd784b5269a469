#!/bin/sh
# lint-atomics.sh FILE... - every line naming a memory_order_ must have a
# comment on it or on one of the two lines above it that says why.
status=0
for f in "$@"; do
	awk -v file="$f" '
		/memory_order_/ && $0 !~ /\/\*|\/\// && p1 !~ /\/\*|\*\/|\/\// && p2 !~ /\/\*|\*\/|\/\// {
			printf "%s:%d: memory order without a comment: %s\n", file, NR, $0; bad = 1
		}
		{ p2 = p1; p1 = $0 }
		END { exit bad }' "$f" || status=1
done
[ $status -eq 0 ] && echo "lint: every memory order is explained"
exit $status
