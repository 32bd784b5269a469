#!/bin/sh
# Every atomic access in core/ says its memory order and why (mk/lint-atomics.sh).
exec sh mk/lint-atomics.sh core/src/*.c core/src/*.h
