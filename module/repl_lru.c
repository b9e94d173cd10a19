// SPDX-License-Identifier: GPL-2.0
/*
 * The LRU replacement policy (policy "lru"), with list moves buffered in
 * per-CPU rings so that a hit never takes a lock shared between CPUs.
 *
 * A hit, an insert or a removal records the entry in the current CPU's
 * ring, taking a reference for the ring; the CPU is the only producer of
 * its ring.  The list lock is taken only to evict or when a ring is full,
 * and whoever holds it drains every ring that holds records: each
 * recorded entry that is still linked moves to the head of the list, one
 * that is not leaves the list, and the ring's reference is dropped.  A
 * recorded entry that was evicted or replaced since is therefore never
 * freed under the ring (no use-after-free), never put back on the list
 * (no resurrection), and an unlinked entry stays on the list, skipped by
 * eviction, until a drain that its own removal record guarantees.  A
 * victim is the exception: the evicting put takes it off the list at
 * once, under the lock (evicted()), so that its space returns without a
 * drain.
 *
 * A drain visits only the rings marked pending in a CPU mask, so that an
 * eviction costs what the CPUs that used the cache recorded, not a visit
 * to every possible CPU's ring: servers have hundreds of possible CPUs,
 * and most evictions come from one of them.  A producer marks its ring
 * after publishing a record, a drainer unmarks a ring before reading it,
 * each with a full barrier between its store and its load, so that the
 * drainer sees the record or the producer sees the mark gone and sets it
 * again.
 *
 * A drain that drops the last reference of an entry parks the entry on a
 * private list through its lru link, to free it once the list lock is
 * released.  That is safe because nobody can take a new reference to an
 * unlinked entry and record a use of it: the index hands out references
 * to linked entries only (index.c).
 *
 * Rings rather than a lock per hit because gets on hot keys run on every
 * CPU at once, and a shared lock per hit would serialise them.
 */
/* First: on PREEMPT_RT, local_lock.h may use spinlock_t unincluded. */
#include <linux/spinlock.h>
#include <linux/cpumask.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "repl.h"

#define VMC_RING_SIZE	64	/* entries buffered per CPU, a power of 2 */

/**
 * struct vmc_lru_ring - the buffered moves of one CPU
 * @lock: serialises the producers of this CPU (preemption off, or a
 *	  per-CPU lock on PREEMPT_RT)
 * @head: next slot to fill; written by the producer only
 * @tail: next slot to drain; written under the list lock only
 * @removed: @head after the last record that may hold a removed entry's
 *	     last reference; written by the producer only
 * @cpu: the CPU whose ring this is, its bit in the pending mask
 * @slot: recorded entries, each holding a reference
 */
struct vmc_lru_ring {
	local_lock_t lock;
	unsigned int head;
	unsigned int tail;
	unsigned int removed;
	unsigned int cpu;
	struct vmc_entry *slot[VMC_RING_SIZE];
};

/**
 * struct vmc_repl_lru - state of the buffered LRU
 * @r: generic policy state
 * @lock: protects @list, the entries' lru links and the rings' tails
 * @list: linked entries, most recently used first
 * @rings: per-CPU rings of buffered moves
 * @pending: the CPUs whose rings may hold records not drained yet
 */
struct vmc_repl_lru {
	struct vmc_repl r;
	spinlock_t lock;	/* list, lru links, ring tails */
	struct list_head list;
	struct vmc_lru_ring __percpu *rings;
	cpumask_var_t pending;
};

static struct vmc_repl_lru *to_lru(struct vmc_repl *r)
{
	return container_of(r, struct vmc_repl_lru, r);
}

/*
 * Apply the moves of every ring marked pending.  References that turn out
 * to be the last are not dropped here, under the spinlock, but passed back
 * on @dead: such an entry has been unlinked and removed, so its lru link is
 * free to use.
 */
static void vmc_lru_drain(struct vmc_repl_lru *l, struct list_head *dead)
{
	int cpu;

	lockdep_assert_held(&l->lock);
	for_each_cpu(cpu, l->pending) {
		struct vmc_lru_ring *ring = per_cpu_ptr(l->rings, cpu);
		unsigned int tail = ring->tail;
		unsigned int head;

		cpumask_clear_cpu(cpu, l->pending);
		/* Pairs with vmc_lru_mark(): unmarked before head is read. */
		smp_mb__after_atomic();
		/* Pairs with the producer's release: slots before head are set. */
		head = smp_load_acquire(&ring->head);

		for (; tail != head; tail++) {
			struct vmc_entry *e = ring->slot[tail % VMC_RING_SIZE];

			if (test_bit(VMC_ENTRY_LINKED, &e->flags))
				list_move(&e->lru, &l->list);
			else
				list_del_init(&e->lru);
			if (!refcount_dec_not_one(&e->ref))
				list_add(&e->lru, dead);
		}
		/* Slots are free for the producer only after we read them. */
		smp_store_release(&ring->tail, tail);
	}
}

static void vmc_lru_put_dead(struct vmc_repl_lru *l, struct list_head *dead)
{
	struct vmc_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, dead, lru) {
		list_del_init(&e->lru);
		vmc_repl_release(&l->r, e);
	}
}

static void vmc_lru_drain_all(struct vmc_repl_lru *l)
{
	LIST_HEAD(dead);

	vmc_repl_lock(&l->r, &l->lock);
	vmc_lru_drain(l, &dead);
	spin_unlock(&l->lock);
	vmc_lru_put_dead(l, &dead);
}

/* Mark @ring pending after a record was published in it. */
static void vmc_lru_mark(struct vmc_repl_lru *l, struct vmc_lru_ring *ring)
{
	/*
	 * Pairs with vmc_lru_drain()'s barrier: a drainer that unmarked
	 * the ring before we read the mark reads head after our store.
	 */
	smp_mb();
	if (!cpumask_test_cpu(ring->cpu, l->pending))
		cpumask_set_cpu(ring->cpu, l->pending);
}

/*
 * Record a use or the removal of @e in this CPU's ring, with a reference
 * on it that becomes the ring's.  A removal is recorded rather than
 * applied so that replacing and evicting puts take no lock either: the
 * drain takes the entry off the list, and the space returns to the pool
 * when the ring's reference goes.
 */
static void vmc_lru_record_ref(struct vmc_repl_lru *l, struct vmc_entry *e,
			       bool removal)
{
	struct vmc_lru_ring *ring;
	unsigned int head;

	for (;;) {
		local_lock(&l->rings->lock);
		ring = this_cpu_ptr(l->rings);
		head = ring->head;
		/* Pairs with the drainer's release: slots before tail are read. */
		if (head - smp_load_acquire(&ring->tail) < VMC_RING_SIZE) {
			ring->slot[head % VMC_RING_SIZE] = e;
			if (removal)
				WRITE_ONCE(ring->removed, head + 1);
			/* The drainer reads the slot only after seeing head. */
			smp_store_release(&ring->head, head + 1);
			vmc_lru_mark(l, ring);
			local_unlock(&l->rings->lock);
			return;
		}
		/* Full: the drain below must visit this ring. */
		cpumask_set_cpu(ring->cpu, l->pending);
		local_unlock(&l->rings->lock);
		vmc_lru_drain_all(l);
	}
}

static void vmc_lru_insert(struct vmc_repl *r, struct vmc_entry *e)
{
	refcount_inc(&e->ref);	/* the ring's */
	vmc_lru_record_ref(to_lru(r), e, false);
}

/* The caller keeps its reference. */
static void vmc_lru_remove(struct vmc_repl *r, struct vmc_entry *e)
{
	refcount_inc(&e->ref);	/* the ring's */
	vmc_lru_record_ref(to_lru(r), e, true);
}

/*
 * A hit: the getter's reference becomes the ring's, saving two atomics.
 * A hit on an entry unlinked meanwhile may hold its last reference.
 */
static void vmc_lru_touch(struct vmc_repl *r, struct vmc_entry *e)
{
	vmc_lru_record_ref(to_lru(r), e,
			   !test_bit(VMC_ENTRY_LINKED, &e->flags));
}

static struct vmc_repl *vmc_lru_create(const struct vmc_repl_owner *owner)
{
	struct vmc_repl_lru *l = kzalloc(sizeof(*l), owner->gfp);
	int cpu;

	if (!l)
		return NULL;
	vmc_repl_init(&l->r, &vmc_repl_lru, owner);
	if (!zalloc_cpumask_var(&l->pending, owner->gfp))
		goto out_free;
	l->rings = alloc_percpu_gfp(struct vmc_lru_ring, owner->gfp);
	if (!l->rings)
		goto out_mask;
	for_each_possible_cpu(cpu) {
		struct vmc_lru_ring *ring = per_cpu_ptr(l->rings, cpu);

		local_lock_init(&ring->lock);
		ring->cpu = cpu;
	}
	spin_lock_init(&l->lock);
	INIT_LIST_HEAD(&l->list);
	return &l->r;

out_mask:
	free_cpumask_var(l->pending);
out_free:
	kfree(l);
	return NULL;
}

static void vmc_lru_destroy(struct vmc_repl *r)
{
	struct vmc_repl_lru *l = to_lru(r);

	vmc_lru_drain_all(l);
	WARN_ON_ONCE(!list_empty(&l->list));
	free_percpu(l->rings);
	free_cpumask_var(l->pending);
	kfree(l);
}

static void vmc_lru_flush(struct vmc_repl *r)
{
	vmc_lru_drain_all(to_lru(r));
}

/*
 * Drain only if a ring holds a removal not drained yet.  Read without the
 * lock: a removal recorded meanwhile is one that came after this call.  A
 * hit that finds its entry linked and records it after the entry was
 * unlinked and its removal drained is not seen: its space waits for the
 * next drain, which every eviction makes.  Neither is a ring a drain in
 * progress has unmarked: that drain takes its records.
 */
static bool vmc_lru_reclaim(struct vmc_repl *r)
{
	struct vmc_repl_lru *l = to_lru(r);
	int cpu;

	for_each_cpu(cpu, l->pending) {
		struct vmc_lru_ring *ring = per_cpu_ptr(l->rings, cpu);

		if ((int)(READ_ONCE(ring->removed) - READ_ONCE(ring->tail)) > 0) {
			vmc_lru_drain_all(l);
			return true;
		}
	}
	return false;
}

/*
 * A victim left the index: off the list at once, with no ring reference
 * to wait for.  Records of it still in the rings see it unlinked.
 */
static void vmc_lru_evicted(struct vmc_repl *r, struct vmc_entry *e)
{
	struct vmc_repl_lru *l = to_lru(r);

	vmc_repl_lock(&l->r, &l->lock);
	list_del_init(&e->lru);
	spin_unlock(&l->lock);
}

static struct vmc_entry *vmc_lru_victim(struct vmc_repl *r)
{
	struct vmc_repl_lru *l = to_lru(r);
	struct vmc_entry *victim;
	LIST_HEAD(dead);

	vmc_repl_lock(&l->r, &l->lock);
	vmc_lru_drain(l, &dead);
	victim = vmc_lru_oldest_idle(&l->list);
	spin_unlock(&l->lock);
	vmc_lru_put_dead(l, &dead);
	return victim;
}

static void vmc_lru_walk(struct vmc_repl *r,
			 bool (*fn)(struct vmc_entry *e, void *arg), void *arg)
{
	struct vmc_repl_lru *l = to_lru(r);
	struct vmc_entry *e;
	LIST_HEAD(dead);

	vmc_repl_lock(&l->r, &l->lock);
	vmc_lru_drain(l, &dead);
	list_for_each_entry(e, &l->list, lru)
		if (!fn(e, arg))
			break;
	spin_unlock(&l->lock);
	vmc_lru_put_dead(l, &dead);
}

const struct vmc_repl_ops vmc_repl_lru = {
	.name = "lru",
	.create = vmc_lru_create,
	.destroy = vmc_lru_destroy,
	.insert = vmc_lru_insert,
	.touch = vmc_lru_touch,
	.remove = vmc_lru_remove,
	.victim = vmc_lru_victim,
	.flush = vmc_lru_flush,
	.reclaim = vmc_lru_reclaim,
	.evicted = vmc_lru_evicted,
	.walk = vmc_lru_walk,
};
