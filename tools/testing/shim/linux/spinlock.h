/* SPDX-License-Identifier: GPL-2.0 */
/* Checking spinlocks for single-threaded tests: see ../shim.h. */
#ifndef _VMC_SHIM_SPINLOCK_H
#define _VMC_SHIM_SPINLOCK_H

#include "../shim.h"

struct shim_spinlock {
	bool held;
};

#define spinlock_t		struct shim_spinlock

#define spin_lock_init(l)	((l)->held = false)
#define lockdep_assert_held(l)	assert((l)->held)

static inline void spin_lock(spinlock_t *l)
{
	assert(!l->held);	/* one thread: a held lock is a self-deadlock */
	l->held = true;
	shim_locks_held++;
}

static inline bool spin_trylock(spinlock_t *l)
{
	spin_lock(l);
	return true;
}

static inline void spin_unlock(spinlock_t *l)
{
	assert(l->held);
	l->held = false;
	shim_locks_held--;
}

#endif
