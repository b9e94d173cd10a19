// SPDX-License-Identifier: GPL-2.0
/*
 * The replacement policies outside the kernel: module/repl.c,
 * repl_lru.c (the LRU with per-CPU rings of buffered moves) and
 * repl_lru_locked.c compiled unchanged in userspace (see ../shim/shim.h),
 * under AddressSanitizer and UBSan, driven by SHIM_NR_CPUS threads, each
 * playing one CPU, that get, replace, evict and pick victims among a few
 * hot keys: the races the rings exist for.  A small index of its own plays
 * the cache's part (entry.c and index.c), and the last reference frees an
 * entry at once, so ASan sees any use after free.
 *
 * Checked: no entry is freed while on a list or still linked, no
 * reference is leaked (every entry is freed in the end), the rings and the
 * list never hold a reference they drop twice (refcount asserts), after a
 * flush the policy lists exactly the linked entries, each with only the
 * index's reference, and nothing warns.  Prints TAP; VMC_RING_SEED replays
 * the choices (not the interleaving).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmemcache.h"
#include "../common/tap.h"
#include "../common/xorshift.h"

#define NKEYS		24	/* few keys: the rings hold the evicted ones */
#define OPS		200000	/* per thread */

/* The index: key -> linked entry, a lock per key. */
struct slot {
	pthread_mutex_t lock;
	struct vmc_entry *e;
};

static struct slot slots[NKEYS];
static struct vmc_store store;	/* the cache's, which entries are dropped to */
static long live_entries;	/* allocated and not freed */

/* entry.c's part: the last reference frees the entry. */
void vmc_entry_put(struct vmc_store *s, struct vmc_entry *e)
{
	assert(s == &store);
	if (!refcount_dec_and_test(&e->ref))
		return;
	/* its lru link becomes the rcu head: it must be on no list */
	assert(list_empty(&e->lru));
	assert(!test_bit(VMC_ENTRY_LINKED, &e->flags));
	memset(e, 0x6b, sizeof(*e));
	free(e);
	__atomic_fetch_sub(&live_entries, 1, __ATOMIC_RELAXED);
}

/* The cache's part: what a policy releases goes to vmc_entry_put(). */
static void release(struct vmc_entry *e, void *arg)
{
	vmc_entry_put(arg, e);
}

static unsigned int key_of(const struct vmc_entry *e)
{
	unsigned int k;

	memcpy(&k, e->key, sizeof(k));
	return k;
}

static bool clear_linked(struct vmc_entry *e)
{
	unsigned long bit = 1UL << VMC_ENTRY_LINKED;

	return __atomic_fetch_and(&e->flags, ~bit, __ATOMIC_ACQ_REL) & bit;
}

/* Replace key k's entry with a new one (vmc_cache_put() with REPLACE). */
static void put_key(struct vmc_repl *r, unsigned int k)
{
	struct vmc_entry *e = calloc(1, sizeof(*e) + sizeof(k)), *old;

	assert(e);
	__atomic_fetch_add(&live_entries, 1, __ATOMIC_RELAXED);
	INIT_LIST_HEAD(&e->lru);
	refcount_set(&e->ref, 2);	/* the creator's and the index's */
	e->key_len = sizeof(k);
	memcpy(e->key, &k, sizeof(k));
	e->flags = 1UL << VMC_ENTRY_LINKED;

	pthread_mutex_lock(&slots[k].lock);
	old = slots[k].e;
	slots[k].e = e;
	if (old)
		assert(clear_linked(old));	/* only slot holders unlink */
	pthread_mutex_unlock(&slots[k].lock);
	if (old) {
		r->ops->remove(r, old);
		vmc_entry_put(&store, old);
	}
	r->ops->insert(r, e);
	vmc_entry_put(&store, e);
}

/* A hit on key k (vmc_cache_get()). */
static void get_key(struct vmc_repl *r, unsigned int k)
{
	struct vmc_entry *e;

	pthread_mutex_lock(&slots[k].lock);
	e = slots[k].e;
	if (e && !refcount_inc_not_zero(&e->ref))
		e = NULL;
	pthread_mutex_unlock(&slots[k].lock);
	if (!e)
		return;
	r->ops->touch(r, e);	/* takes our reference over */
}

/*
 * vmc_entry_unlink() of e, which the caller holds a reference on; a
 * victim as vmc_cache_evict_lru() unlinks it (vmc_repl_evicted()).
 */
static void unlink_entry(struct vmc_repl *r, struct vmc_entry *e,
			 bool victim)
{
	struct slot *s = &slots[key_of(e)];
	bool unlinked;

	pthread_mutex_lock(&s->lock);
	unlinked = clear_linked(e);
	if (unlinked) {
		assert(s->e == e);
		s->e = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	if (unlinked) {
		if (victim)
			vmc_repl_evicted(r, e);
		else
			r->ops->remove(r, e);
		vmc_entry_put(&store, e);	/* the index's */
	}
}

static void evict_key(struct vmc_repl *r, unsigned int k)
{
	struct vmc_entry *e;

	pthread_mutex_lock(&slots[k].lock);
	e = slots[k].e;
	if (e)
		refcount_inc(&e->ref);
	pthread_mutex_unlock(&slots[k].lock);
	if (!e)
		return;
	unlink_entry(r, e, false);
	vmc_entry_put(&store, e);
}

static void evict_victim(struct vmc_repl *r)
{
	struct vmc_entry *e = r->ops->victim(r);

	if (!e)
		return;
	unlink_entry(r, e, true);
	vmc_entry_put(&store, e);
}

struct worker {
	struct vmc_repl *r;
	int cpu;
	uint64_t rng;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	shim_cpu = w->cpu;
	for (i = 0; i < OPS; i++) {
		u64 x = vmc_xorshift64s(&w->rng);
		unsigned int k = (x >> 32) % NKEYS;

		switch (x % 100) {
		case 0 ... 44:
			get_key(w->r, k);
			break;
		case 45 ... 69:
			put_key(w->r, k);
			break;
		case 70 ... 84:
			evict_key(w->r, k);
			break;
		case 85 ... 97:
			evict_victim(w->r);
			break;
		case 98:
			vmc_repl_reclaim(w->r);
			break;
		default:
			if (w->r->ops->flush)
				w->r->ops->flush(w->r);
			break;
		}
	}
	return NULL;
}

struct listed {
	unsigned int n;
	bool bad;
};

static bool check_listed(struct vmc_entry *e, void *arg)
{
	struct listed *l = arg;
	unsigned int k = key_of(e);

	l->n++;
	if (k >= NKEYS || slots[k].e != e || refcount_read(&e->ref) != 1 ||
	    !test_bit(VMC_ENTRY_LINKED, &e->flags)) {
		printf("# listed entry of key %u: linked %d, in the index %d, %u references\n",
		       k, test_bit(VMC_ENTRY_LINKED, &e->flags),
		       k < NKEYS && slots[k].e == e, refcount_read(&e->ref));
		l->bad = true;
	}
	return l->n <= NKEYS;
}

static void run_policy(const struct vmc_repl_ops *ops, u64 seed)
{
	struct worker w[SHIM_NR_CPUS];
	pthread_t tid[SHIM_NR_CPUS];
	struct listed l = { 0 };
	unsigned long warnings = shim_warnings;
	unsigned int i, linked = 0;
	struct vmc_repl_owner owner = {
		.release = release, .arg = &store, .gfp = GFP_KERNEL,
	};
	struct vmc_repl *r;
	char what[128];

	shim_cpu = 0;
	r = ops->create(&owner);
	assert(r);
	for (i = 0; i < SHIM_NR_CPUS; i++) {
		w[i] = (struct worker){ .r = r, .cpu = (int)i,
					.rng = seed * 7919 + i + 1 };
		if (pthread_create(&tid[i], NULL, worker_main, &w[i]))
			abort();
	}
	for (i = 0; i < SHIM_NR_CPUS; i++)
		pthread_join(tid[i], NULL);

	if (ops->flush)
		ops->flush(r);
	ops->walk(r, check_listed, &l);
	for (i = 0; i < NKEYS; i++)
		linked += !!slots[i].e;
	snprintf(what, sizeof(what),
		 "%s: after a flush the policy lists exactly the %u linked entries",
		 ops->name, linked);
	tap_ok(!l.bad && l.n == linked, "%s", what);

	for (i = 0; i < NKEYS; i++)
		evict_key(r, i);
	if (ops->flush)
		ops->flush(r);
	ops->destroy(r);
	snprintf(what, sizeof(what),
		 "%s: every entry freed, no lock held, no warning", ops->name);
	tap_ok(!live_entries && !shim_locks_held && shim_warnings == warnings,
	       "%s", what);
	if (live_entries)
		printf("# %ld entries never freed: a leaked reference\n",
		       live_entries);
}

int main(void)
{
	const char *env = getenv("VMC_RING_SEED");
	u64 seed = env && *env ? strtoull(env, NULL, 0) : (u64)time(NULL);
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_plan(4);
	printf("# seed %llu (rerun with VMC_RING_SEED=%llu), %d threads as CPUs\n",
	       (unsigned long long)seed, (unsigned long long)seed,
	       SHIM_NR_CPUS);
	for (i = 0; i < NKEYS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	run_policy(&vmc_repl_lru, seed);
	run_policy(&vmc_repl_lru_locked, seed);
	return tap_done();
}
