/* SPDX-License-Identifier: GPL-2.0 */
/* refcount_t for the tests: atomic, and asserting on misuse. */
#ifndef _VMC_SHIM_REFCOUNT_H
#define _VMC_SHIM_REFCOUNT_H

#include "../shim.h"

struct shim_refcount {
	int refs;
};

#define refcount_t		struct shim_refcount

static inline void refcount_set(refcount_t *r, int n)
{
	__atomic_store_n(&r->refs, n, __ATOMIC_RELAXED);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
}

static inline void refcount_inc(refcount_t *r)
{
	int old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);

	assert(old > 0);	/* increment on 0: a use after free */
}

static inline void refcount_dec(refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_RELEASE);

	assert(old > 1);	/* refcount_dec() must not free */
}

static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs, &old, old + 1, false,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

static inline bool refcount_dec_not_one(refcount_t *r)
{
	int old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);

	do {
		assert(old > 0);
		if (old == 1)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs, &old, old - 1, false,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	return true;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_ACQ_REL);

	assert(old > 0);
	return old == 1;
}

#endif
