/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spinlocks for the tests (see ../shim.h): a mutex that knows its owner,
 * so that recursion, unlocking what is not held and lockdep_assert_held()
 * on a lock not held are caught.
 */
#ifndef _VMC_SHIM_SPINLOCK_H
#define _VMC_SHIM_SPINLOCK_H

#include <pthread.h>
#include "../shim.h"

struct shim_spinlock {
	pthread_mutex_t mutex;
	pthread_t owner;
	bool held;
};

#define spinlock_t		struct shim_spinlock

static inline bool shim_lock_mine(const spinlock_t *l)
{
	return __atomic_load_n(&l->held, __ATOMIC_RELAXED) &&
	       pthread_equal(l->owner, pthread_self());
}

#define lockdep_assert_held(l)	assert(shim_lock_mine(l))

static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->mutex, NULL);
	l->held = false;
}

static inline void shim_lock_taken(spinlock_t *l)
{
	l->owner = pthread_self();
	__atomic_store_n(&l->held, true, __ATOMIC_RELAXED);
	shim_locks_held++;
}

static inline void spin_lock(spinlock_t *l)
{
	assert(!shim_lock_mine(l));	/* a self-deadlock */
	pthread_mutex_lock(&l->mutex);
	shim_lock_taken(l);
}

static inline bool spin_trylock(spinlock_t *l)
{
	assert(!shim_lock_mine(l));
	if (pthread_mutex_trylock(&l->mutex))
		return false;
	shim_lock_taken(l);
	return true;
}

static inline void spin_unlock(spinlock_t *l)
{
	assert(shim_lock_mine(l));
	__atomic_store_n(&l->held, false, __ATOMIC_RELAXED);
	shim_locks_held--;
	pthread_mutex_unlock(&l->mutex);
}

#endif
