/*
 * atomic.h - the atomics shmfb shares between processes.
 *
 * Only lock-free atomics are address-free, i.e. work when two processes map
 * the same page at different addresses, so the build refuses a target where
 * 32- or 64-bit atomics are not always lock-free.  The mapping is
 * little-endian; a big-endian target is refused too.
 *
 * Every use of these types in core/src names its memory order and what it
 * pairs with in a comment next to it (`make lint` checks).
 */
#ifndef SHMFB_ATOMIC_H
#define SHMFB_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

typedef _Atomic uint32_t shmfb_atomic_u32;
typedef _Atomic uint64_t shmfb_atomic_u64;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(sizeof(shmfb_atomic_u32) == 4, "atomic u32 has no hidden lock");
_Static_assert(sizeof(shmfb_atomic_u64) == 8, "atomic u64 has no hidden lock");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the shmfb mapping is little-endian"
#endif

/* A polite pause inside spin loops. */
#if defined(__x86_64__) || defined(__i386__)
#define shmfb__cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define shmfb__cpu_relax() __asm__ __volatile__("yield")
#else
#define shmfb__cpu_relax() ((void)0)
#endif

#endif /* SHMFB_ATOMIC_H */
