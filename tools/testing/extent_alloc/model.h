/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of the extent allocator (module/extent_alloc.c): the
 * state of every unit of the pool, and the allocations made.  Each
 * operation runs on the real allocator and on the model, and the results
 * must agree exactly: the same error, the same extents (the lowest free
 * units, whole free runs first), and afterwards free runs that are
 * exactly the maximal runs of free units (so, coalesced), with the same
 * counters.  Shared by the unit test and the libFuzzer target.
 */
#ifndef _VMC_ALLOC_MODEL_H
#define _VMC_ALLOC_MODEL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extent_alloc.h"

/**
 * struct model_alloc - one allocation the model knows of
 * @ext: its extents
 * @nr: number of extents
 */
struct model_alloc {
	struct vmc_extent *ext;
	unsigned int nr;
};

/**
 * struct model - an allocator and its reference model
 * @a: the allocator under test
 * @unit: extent size
 * @units: units in the pool
 * @used: per unit: in use
 * @live: allocations not freed yet
 * @nlive: entries of @live in use
 * @err: what went wrong first
 */
struct model {
	struct vmc_extent_alloc a;
	u32 unit;
	u64 units;
	bool *used;
	struct model_alloc *live;
	unsigned int nlive;
	char err[512];
};

static inline __printf(2, 3) int
model_fail(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* Set up both; returns what vmc_extent_alloc_init() returned. */
static inline int model_init(struct model *m, u64 size, u32 unit)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->unit = unit;
	m->units = size / unit;
	m->used = calloc(m->units + 1, sizeof(*m->used));
	m->live = calloc(m->units + 1, sizeof(*m->live));
	if (!m->used || !m->live)
		abort();
	ret = vmc_extent_alloc_init(&m->a, size, unit, GFP_KERNEL);
	if (!ret && m->a.size != m->units * unit)
		return model_fail(m, "size %llu, expected %llu",
				  (unsigned long long)m->a.size,
				  (unsigned long long)(m->units * unit));
	return ret;
}

struct model_walk {
	struct model *m;
	u64 unit;	/* next unit where a free run may start */
	u64 runs;
	int ret;
};

static inline bool model_walk_run(u64 off, u64 len, void *arg)
{
	struct model_walk *w = arg;
	struct model *m = w->m;
	u64 u = w->unit, start, end;

	while (u < m->units && m->used[u])
		u++;
	start = u;
	while (u < m->units && !m->used[u])
		u++;
	end = u;
	w->unit = end;
	w->runs++;
	if (start == m->units) {
		w->ret = model_fail(m, "free run [%llu, +%llu) where the model has none",
				    (unsigned long long)off,
				    (unsigned long long)len);
		return false;
	}
	if (off != start * m->unit || len != (end - start) * m->unit) {
		w->ret = model_fail(m, "free run [%llu, +%llu), the model's is [%llu, +%llu)",
				    (unsigned long long)off,
				    (unsigned long long)len,
				    (unsigned long long)(start * m->unit),
				    (unsigned long long)((end - start) * m->unit));
		return false;
	}
	return true;
}

/* The free runs and counters agree with the model: 0, else -1. */
static inline int model_check(struct model *m)
{
	struct model_walk w = { .m = m };
	struct vmc_extent_usage u;
	u64 i, used = 0;

	vmc_extent_walk_free(&m->a, model_walk_run, &w, &u);
	if (w.ret)
		return w.ret;
	for (i = w.unit; i < m->units; i++)
		if (!m->used[i])
			return model_fail(m, "unit %llu free in the model, in no run",
					  (unsigned long long)i);
	for (i = 0; i < m->units; i++)
		used += m->used[i];
	if (u.used != used * m->unit)
		return model_fail(m, "used %llu, the model's %llu",
				  (unsigned long long)u.used,
				  (unsigned long long)(used * m->unit));
	if (u.nr_free != w.runs)
		return model_fail(m, "nr_free %llu, %llu runs in the tree",
				  (unsigned long long)u.nr_free,
				  (unsigned long long)w.runs);
	if (shim_locks_held)
		return model_fail(m, "a lock is still held");
	return 0;
}

/*
 * Allocate len bytes into at most max extents on both: 0 when they agree
 * (whatever the allocator returned), else -1.
 */
static inline int model_get(struct model *m, u64 len, unsigned int max)
{
	struct vmc_extent *ext = calloc(max + 1, sizeof(*ext));
	u64 need, nfree = 0, i, left;
	unsigned int nr = 0, n = 0, want_nr = 0;
	int ret, want;

	if (!ext)
		abort();
	for (i = 0; i < m->units; i++)
		nfree += !m->used[i];
	/* units needed, without overflowing for any len */
	need = len / m->unit + !!(len % m->unit);
	if (need > nfree) {
		want = -ENOSPC;
	} else {
		for (i = 0, left = need; left; i++) {
			if (m->used[i])
				continue;
			if (!i || m->used[i - 1] || left == need)
				want_nr++;
			left--;
		}
		if (want_nr > VMC_EXTENT_MAX_NR)
			want = -ENOSPC;
		else
			want = want_nr > max ? -EOVERFLOW : 0;
	}

	ret = vmc_extent_get(&m->a, len, ext, max, &nr);
	if (ret != want) {
		model_fail(m, "get %llu bytes (max %u): %d, expected %d",
			   (unsigned long long)len, max, ret, want);
		goto bad;
	}
	if (ret == -EOVERFLOW && nr != want_nr) {
		model_fail(m, "get %llu bytes: needs %u extents, says %u",
			   (unsigned long long)len, want_nr, nr);
		goto bad;
	}
	if (ret) {
		free(ext);
		return 0;
	}
	if (nr != want_nr) {
		model_fail(m, "get %llu bytes: %u extents, expected %u",
			   (unsigned long long)len, nr, want_nr);
		goto bad;
	}
	/* lowest free units first, in order */
	for (i = 0, left = need; n < nr; n++) {
		u64 u;

		while (m->used[i])
			i++;
		if (ext[n].off != i * m->unit || !ext[n].len ||
		    ext[n].len % m->unit || ext[n].len / m->unit > left) {
			model_fail(m, "get %llu bytes: extent %u [%llu, +%llu), expected at %llu",
				   (unsigned long long)len, n,
				   (unsigned long long)ext[n].off,
				   (unsigned long long)ext[n].len,
				   (unsigned long long)(i * m->unit));
			goto bad;
		}
		for (u = 0; u < ext[n].len / m->unit; u++, i++) {
			if (m->used[i]) {
				model_fail(m, "extent %u takes used unit %llu",
					   n, (unsigned long long)i);
				goto bad;
			}
			m->used[i] = true;
		}
		left -= ext[n].len / m->unit;
	}
	if (left) {
		model_fail(m, "get %llu bytes: %llu units short",
			   (unsigned long long)len, (unsigned long long)left);
		goto bad;
	}
	m->live[m->nlive].ext = ext;
	m->live[m->nlive].nr = nr;
	m->nlive++;
	return 0;

bad:
	free(ext);
	return -1;
}

/* Free allocation i (swapped with the last) on both. */
static inline void model_put(struct model *m, unsigned int i)
{
	struct model_alloc *al = &m->live[i];
	unsigned int n;
	u64 u;

	vmc_extent_put(&m->a, al->ext, al->nr);
	for (n = 0; n < al->nr; n++)
		for (u = 0; u < al->ext[n].len / m->unit; u++)
			m->used[al->ext[n].off / m->unit + u] = false;
	free(al->ext);
	*al = m->live[--m->nlive];
}

/* Free everything, check that one run is left, tear down: 0 or -1. */
static inline int model_fini(struct model *m)
{
	int ret;

	while (m->nlive)
		model_put(m, m->nlive - 1);
	ret = model_check(m);
	if (!ret && m->units && m->a.nr_free != 1)
		ret = model_fail(m, "%llu free runs in an empty pool",
				 (unsigned long long)m->a.nr_free);
	vmc_extent_alloc_destroy(&m->a);
	if (!ret && shim_live_objects)
		ret = model_fail(m, "%ld tree nodes leaked", shim_live_objects);
	free(m->used);
	free(m->live);
	return ret;
}

#endif /* _VMC_ALLOC_MODEL_H */
