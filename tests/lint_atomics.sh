#!/bin/sh
# Every atomic access in the sources says its memory order and why, and none
# is an implicit seq_cst (mk/lint-atomics.sh over the Makefile's
# LINT_DIRS).  First, that the lint does catch both faults.
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/bad.c" <<'C'
/* atomic_load(&x) in a comment is not code */
void f(void)
{
	y = 1;
	z = 2;
	x = atomic_load_explicit(&x, memory_order_acquire);
	/* relaxed: a counter. */
	atomic_fetch_add(&n, 1);
}
C
out=$(sh mk/lint-atomics.sh "$tmp/bad.c")
if [ $? -eq 0 ] || [ "$(printf '%s\n' "$out" | grep -c ':6: memory order without a comment')" -ne 1 ] ||
   [ "$(printf '%s\n' "$out" | grep -c ':8: implicit seq_cst')" -ne 1 ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 2 ]; then
	echo "lint_atomics: the lint missed or misplaced a fault in:"
	cat -n "$tmp/bad.c"
	echo "its output:"
	printf '%s\n' "$out"
	exit 1
fi
# Then the tree, as `make lint` lints it (the Makefile's LINT_DIRS is the one list).
make --no-print-directory -s lint
