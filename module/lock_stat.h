/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock statistics: how often a lock was taken and how often it had to
 * wait, a debug statistic of the allocator's lock (extent_alloc.c) and of
 * the policies' list locks (repl*.c).  Below every layer, like compat.h.
 *
 * Counted by the taker, with the lock held, in plain counters beside the
 * lock: the lock's cache line moves between CPUs anyway, so the counters
 * add no sharing of their own, and need neither atomics nor per-CPU
 * memory.  Statistics are read without the lock (READ_ONCE), so that a
 * read adds no traffic to the lock it counts; it may miss the
 * acquisitions in flight.
 */
#ifndef _VMC_LOCK_STAT_H
#define _VMC_LOCK_STAT_H

#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct vmc_lock_stat - how a lock was taken
 * @acquired: acquisitions
 * @contended: of those, how many found the lock held
 *
 * Written only with the lock held (vmc_lock_counted()).
 */
struct vmc_lock_stat {
	u64 acquired;
	u64 contended;
};

/**
 * vmc_lock_counted() - take a spinlock, counting contention
 * @lock: the lock
 * @st: its statistics
 */
static inline void vmc_lock_counted(spinlock_t *lock, struct vmc_lock_stat *st)
	__acquires(lock)
{
	bool contended = !spin_trylock(lock);

	if (contended)
		spin_lock(lock);
	WRITE_ONCE(st->acquired, st->acquired + 1);
	if (contended)
		WRITE_ONCE(st->contended, st->contended + 1);
}

/**
 * vmc_lock_stat_read() - read a lock's statistics, without the lock
 * @st: the statistics
 * @acquired: out: acquisitions
 * @contended: out: acquisitions that had to wait
 */
static inline void vmc_lock_stat_read(const struct vmc_lock_stat *st,
				      u64 *acquired, u64 *contended)
{
	*acquired = READ_ONCE(st->acquired);
	*contended = READ_ONCE(st->contended);
}

#endif /* _VMC_LOCK_STAT_H */
