#!/bin/sh
# lint-atomics.sh FILE... - every atomic access must say its memory order and
# why: a line of code that names a memory_order_ or calls an atomic_load,
# _store, _exchange, _fetch_*, _compare_exchange_*, _flag_* or a fence needs
# a comment on it or on one of the two lines above it.  A call without
# _explicit (an implicit seq_cst) is an error of its own: name the order.
# Comments and string literals are not code: what they mention is ignored.
status=0
for f in "$@"; do
	awk -v file="$f" '
		# s without its comments and the insides of its string and
		# character literals; incomment carries a /* */ across lines.
		function code_of(s,    out, n, i, c, q) {
			out = ""
			n = length(s)
			for (i = 1; i <= n; i++) {
				c = substr(s, i, 1)
				if (incomment) {
					if (c == "*" && substr(s, i + 1, 1) == "/") {
						incomment = 0
						i++
					}
					continue
				}
				if (c == "/" && substr(s, i + 1, 1) == "*") {
					incomment = 1
					i++
					out = out " "
					continue
				}
				if (c == "/" && substr(s, i + 1, 1) == "/")
					break
				if (c == "\"" || c == "\047") {
					q = c
					for (i++; i <= n; i++) {
						c = substr(s, i, 1)
						if (c == "\\")
							i++
						else if (c == q)
							break
					}
					out = out q q
					continue
				}
				out = out c
			}
			return out
		}
		{
			commented = incomment || $0 ~ /\/\*|\*\/|\/\//
			code = code_of($0)
			access = "(^|[^A-Za-z0-9_])atomic_(load|store|exchange|fetch_[a-z]+|compare_exchange_(strong|weak)|flag_(test_and_set|clear)|thread_fence|signal_fence)(_explicit)?[ \t]*\\("
			implicit = "(^|[^A-Za-z0-9_])atomic_(load|store|exchange|fetch_[a-z]+|compare_exchange_(strong|weak)|flag_(test_and_set|clear))[ \t]*\\("
			if ((code ~ /memory_order_/ || code ~ access) && !commented && !c1 && !c2) {
				printf "%s:%d: memory order without a comment: %s\n", file, NR, $0
				bad = 1
			}
			if (code ~ implicit) {
				printf "%s:%d: implicit seq_cst: name the order: %s\n", file, NR, $0
				bad = 1
			}
			c2 = c1
			c1 = commented
		}
		END { exit bad }' "$f" || status=1
done
[ $status -eq 0 ] && echo "lint: every memory order is explained"
exit $status
