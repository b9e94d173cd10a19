// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the extent allocator, module/extent_alloc.c compiled in
 * userspace (see ../shim/shim.h) under AddressSanitizer and UBSan: fixed
 * patterns of allocation, freeing and coalescing, its errors, and long
 * random sequences, every step checked against the reference model of
 * model.h.  Prints TAP.  VMC_ALLOC_SEED replays the random part.
 */
#include <time.h>

#include "model.h"
#include "../common/tap.h"
#include "../common/xorshift.h"

/* A test's result, after the model's complaint when it failed. */
static void tap(bool ok, const char *what, const struct model *m)
{
	if (!ok && m && m->err[0])
		printf("# %s\n", m->err);
	tap_ok(ok, "%s", what);
}

static bool init_rounds_down(void)
{
	struct model m;

	return !model_init(&m, 10 * 1000 + 999, 1000) && m.a.size == 10000 &&
	       m.a.nr_free == 1 && !model_check(&m) && !model_fini(&m);
}

static bool pool_smaller_than_unit(void)
{
	struct model m;

	return !model_init(&m, 63, 64) && !m.a.size && !m.a.nr_free &&
	       !model_get(&m, 1, 4) && !model_check(&m) && !model_fini(&m);
}

/* Three allocations freed middle, first, last: every kind of merge. */
static bool coalesce(struct model *m, const unsigned int order[3])
{
	unsigned int i, j;

	if (model_init(m, 64 * 10, 64))
		return false;
	for (i = 0; i < 3; i++)
		if (model_get(m, 2 * 64 - 1, 1) || model_check(m))
			return false;
	for (i = 0; i < 3; i++) {
		/* find allocation order[i] by its offset */
		for (j = 0; j < m->nlive; j++)
			if (m->live[j].ext[0].off == order[i] * 128)
				break;
		if (j == m->nlive)
			return false;
		model_put(m, j);
		if (model_check(m))
			return false;
	}
	return !model_fini(m);
}

/* A value spread over holes: -EOVERFLOW tells how many extents it needs. */
static bool fragmented(struct model *m)
{
	unsigned int i;
	bool ok;

	if (model_init(m, 64 * 16, 64))
		return false;
	for (i = 0; i < 16; i++)
		if (model_get(m, 64, 1))
			return false;
	/* free every other unit: 8 holes of one unit */
	for (i = 0; i < m->nlive; i++)
		if (m->live[i].ext[0].off / 64 % 2 == 0)
			model_put(m, i--);
	ok = !model_check(m) &&
	     !model_get(m, UINT64_MAX, 8) &&	/* -ENOSPC, not a wrap */
	     !model_get(m, UINT64_MAX - 62, 8) &&
	     !model_get(m, 5 * 64, 4) &&	/* -EOVERFLOW, needs 5 */
	     !model_get(m, 5 * 64, 5) &&	/* fits */
	     !model_get(m, 4 * 64, 8) &&	/* -ENOSPC: 3 left */
	     !model_get(m, 3 * 64, 3) && !model_check(m);
	return !model_fini(m) && ok;
}

/*
 * A value over more runs than VMC_EXTENT_MAX_NR fails with -ENOSPC
 * whatever the size of the array offered, so that the caller evicts
 * instead of allocating an array without bound; one that fits in that many
 * runs is allocated from one walk of the tree.
 */
static bool too_fragmented(struct model *m)
{
	struct vmc_extent *ext;
	unsigned int i, nr = 0;
	bool ok;

	if (model_init(m, 64 * 4 * VMC_EXTENT_MAX_NR, 64))
		return false;
	for (i = 0; i < 4 * VMC_EXTENT_MAX_NR; i++)
		if (model_get(m, 64, 1))
			return false;
	for (i = 0; i < m->nlive; i++)
		if (m->live[i].ext[0].off / 64 % 2 == 0)
			model_put(m, i--);
	/* 2 * VMC_EXTENT_MAX_NR holes of one unit. */
	ext = calloc(4 * VMC_EXTENT_MAX_NR, sizeof(*ext));
	if (!ext)
		abort();
	ok = vmc_extent_get(&m->a, 64 * (VMC_EXTENT_MAX_NR + 1), ext,
			    4 * VMC_EXTENT_MAX_NR, &nr) == -ENOSPC &&
	     vmc_extent_get(&m->a, 64 * (VMC_EXTENT_MAX_NR + 1), ext, 8,
			    &nr) == -ENOSPC;
	free(ext);
	ok = ok && !model_get(m, 64 * (VMC_EXTENT_MAX_NR + 1), 8) &&
	     !model_get(m, 64 * VMC_EXTENT_MAX_NR, 8) &&	/* EOVERFLOW */
	     !model_get(m, 64 * VMC_EXTENT_MAX_NR, VMC_EXTENT_MAX_NR) &&
	     !model_check(m);
	return !model_fini(m) && ok;
}

/* Freeing what is free warns and leaves the tree as it was. */
static bool double_free_warns(struct model *m)
{
	struct vmc_extent ext;
	unsigned long warnings = shim_warnings;
	bool ok;

	if (model_init(m, 64 * 8, 64) || model_get(m, 128, 1))
		return false;
	fprintf(stderr, "# two WARN_ON_ONCE() expected:\n");
	ext = m->live[0].ext[0];
	model_put(m, 0);
	vmc_extent_put(&m->a, &ext, 1);
	ok = shim_warnings == warnings + 1 && !model_check(m);
	/* overlapping only the end of a free run */
	ext.off = 64 * 7;
	ext.len = 128;
	vmc_extent_put(&m->a, &ext, 1);
	ok = ok && shim_warnings == warnings + 2 && !model_check(m);
	return !model_fini(m) && ok;
}

/*
 * A full pool under eviction frees a value (a new run: a node) and takes
 * its space again (the run used up): the allocator's spare node serves
 * every such round without the slab.
 */
static bool eviction_allocates_nothing(struct model *m)
{
	unsigned int i;
	long allocs;
	bool ok = true;

	if (model_init(m, 64 * 16, 64))
		return false;
	for (i = 0; i < 16; i++)
		if (model_get(m, 64, 1))
			return false;
	allocs = shim_allocs;
	for (i = 0; ok && i < 100; i++) {
		model_put(m, i * 7 % m->nlive);
		ok = !model_get(m, 64, 1);
	}
	ok = ok && shim_allocs == allocs && !model_check(m);
	return !model_fini(m) && ok;
}

static bool init_enomem(void)
{
	struct model m;
	int ret;

	shim_alloc_fail_in = 0;
	ret = model_init(&m, 64 * 8, 64);
	shim_alloc_fail_in = -1;
	free(m.used);
	free(m.live);
	return ret == -ENOMEM && !shim_live_objects;
}

/* Random gets and puts against the model, checked after every step. */
static bool random_ops(struct model *m, u64 seed, u64 size, u32 unit,
		       unsigned int ops)
{
	uint64_t rng = seed;
	unsigned int i;

	if (model_init(m, size, unit))
		return false;
	for (i = 0; i < ops; i++) {
		u64 r = vmc_xorshift64s(&rng);

		if (m->nlive && r % 100 < 45) {
			model_put(m, (unsigned int)(vmc_xorshift64s(&rng) % m->nlive));
		} else {
			u64 len = 1 + vmc_xorshift64s(&rng) % (r % 8 ? 8 * unit :
							  size + unit);

			if (model_get(m, len, 1 + vmc_xorshift64s(&rng) % 16))
				return false;
		}
		if (model_check(m))
			return false;
	}
	return !model_fini(m);
}

int main(void)
{
	static const unsigned int orders[6][3] = {
		{ 1, 0, 2 }, { 1, 2, 0 }, { 0, 1, 2 },
		{ 0, 2, 1 }, { 2, 1, 0 }, { 2, 0, 1 },
	};
	static const struct { u64 size; u32 unit; } pools[] = {
		{ 64 * 64, 64 }, { 1000 * 300 + 17, 1000 }, { 1 << 20, 4096 },
		{ 7 * 3, 3 },
	};
	const char *env = getenv("VMC_ALLOC_SEED");
	u64 seed = env && *env ? strtoull(env, NULL, 0) :
			(u64)time(NULL);
	struct model m;
	char what[128];
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_plan(8 + ARRAY_SIZE(orders) + ARRAY_SIZE(pools));
	printf("# seed %llu (rerun with VMC_ALLOC_SEED=%llu)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	if (vmc_extent_cache_init()) {
		printf("Bail out! no kmem_cache\n");
		return 1;
	}
	tap(init_rounds_down(), "init uses whole units only", NULL);
	tap(pool_smaller_than_unit(), "a pool smaller than a unit is empty", NULL);
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		snprintf(what, sizeof(what), "coalescing, freed in order %u %u %u",
			 orders[i][0], orders[i][1], orders[i][2]);
		tap(coalesce(&m, orders[i]), what, &m);
	}
	tap(fragmented(&m), "a value over many holes; EOVERFLOW and ENOSPC", &m);
	tap(too_fragmented(&m),
	    "a value over more than VMC_EXTENT_MAX_NR runs: ENOSPC", &m);
	tap(double_free_warns(&m), "a double free warns and changes nothing", &m);
	tap(eviction_allocates_nothing(&m),
	    "a pool under eviction allocates no node", &m);
	tap(init_enomem(), "init fails cleanly without memory", NULL);
	for (i = 0; i < ARRAY_SIZE(pools); i++) {
		snprintf(what, sizeof(what),
			 "50000 random operations, %llu-byte pool, %u-byte units",
			 (unsigned long long)pools[i].size, pools[i].unit);
		tap(random_ops(&m, seed + i, pools[i].size, pools[i].unit,
			       50000), what, &m);
	}
	tap(!shim_locks_held && !shim_live_objects,
	    "no lock held, no tree node left", NULL);
	/* the cache checks that no node is left: only after a clean run */
	if (!tap_failures)
		vmc_extent_cache_exit();
	return tap_done();
}
