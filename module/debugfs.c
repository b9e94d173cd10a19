// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs files of vmemcache, in /sys/kernel/debug/vmemcache/:
 *
 * check (0400): reading it runs a full consistency check of the device's
 * cache and prints
 *	ok entries=N used=B free=F dram_used=D dram_entries=E poisoned=P
 * (P: pool bytes poisoned, in units neither free nor owned by an entry)
 * or one line per problem found (the first VMC_CHECK_MAX_REPORTS of them)
 * followed by
 *	FAILED problems=N
 * A read fails with EAGAIN when the index was resized under the check;
 * reading again runs the check again.
 *
 * Built only with VMEMCACHE_DEBUG=1 (the test and benchmark builds):
 *
 * inject (0200): writing 1 damages the cache on purpose, so that tests
 * can see the check find what it is meant to find: a pool unit is taken
 * behind the cache's back, nr_entries is one too high and an entry gets
 * a reference nobody owns.  Writing 0 repairs all of it, as does unloading
 * the module.  The cache cannot be reconfigured while damaged.
 *
 * hold_failed (0600): a stand-in for a lookup that holds the entry of a
 * put whose insertion failed, as one that met the entry's memory under a
 * victim's key can (index.c).  Writing 1 arms it: the next such entry
 * gets a reference from it.  Reading prints "value=N", the bytes of value
 * the entry it holds still has (after the put returned), or "none", drops
 * that reference and stays armed; writing 0 disarms it and drops it.
 * Release it before reconfiguring the cache: the entry's extents are in
 * the pool it came from.
 *
 * check_private (0400): the check of a private cache.  An ioctl
 * VMC_CHECK_PRIVATE_IOC with a struct vmc_check_private_arg
 * { __s32 fd; __u32 pad; __u64 buf; __u64 len; } (_IOW(0xBA, 0x81,
 * 24 bytes)) runs the check on the private cache of the caller's
 * descriptor fd (EINVAL for another kind of file) and copies its text,
 * NUL-terminated and cut to len bytes, to buf.  For the tests of caches
 * of two tiers, which only private caches have.
 *
 * floor (0400): the benchmark's floor, what a get cannot avoid.  An
 * ioctl VMC_FLOOR_IOC with a struct vmc_floor_arg { __u64 buf; __u64 len; }
 * (_IOW(0xBA, 0x80, 16 bytes)) copies len bytes of a kernel buffer in the
 * direct map (as the DRAM pool is) to buf with copy_to_user(), and does
 * nothing else; vmemcache-bench --compare measures gets against it.
 *
 * Locking of the check, outermost first:
 *  - cfg_sem for write: no operation runs, so the pool, the allocator and
 *    the policy cannot change, and no entry is referenced but by the index
 *    and by the policy's buffered moves, which are flushed first;
 *  - the index is walked (vmc_index_walk(), its own lock only briefly);
 *  - the policy's list lock, taken by its walk;
 *  - the allocator's lock, taken by vmc_extent_walk_free().
 * The last three are taken one after the other, never nested, as
 * everywhere else in the module.
 */
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kstrtox.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/vmemcache.h>

#include "vmemcache.h"

/* Problems printed by one check; the others are only counted. */
#define VMC_CHECK_MAX_REPORTS	32
/* Key bytes that identify an entry in a report. */
#define VMC_CHECK_KEY_BYTES	16

/**
 * struct vmc_check_pool - what one check found of one tier's pool
 * @s: the tier's store: its pool and allocator
 * @repl: the tier's policy
 * @owned: one bit per pool unit, set once the unit is found free or owned
 * @units: bits in @owned: pool units
 * @entries: entries of the index in this tier
 * @listed: entries on the tier's policy's list
 * @used: pool bytes owned by the entries of the tier
 * @free: bytes of the free runs
 * @nr_free: free runs
 * @end: end of the last free run seen
 */
struct vmc_check_pool {
	struct vmc_store *s;
	struct vmc_repl *repl;
	unsigned long *owned;
	unsigned long units;
	u64 entries;
	u64 listed;
	u64 used;
	u64 free;
	u64 nr_free;
	u64 end;
};

/**
 * struct vmc_check - state of one consistency check
 * @c: cache checked
 * @m: where problems are reported
 * @pool: the fast tier's pool, and the slow tier's in a cache of two
 * @nr_pools: 1 or 2
 * @cur: the pool the policy walk or the free-run walk is in
 * @problems: problems found
 * @entries: entries in the index
 * @dram: DRAM bytes that the entries in the index account for
 */
struct vmc_check {
	struct vmc_cache *c;
	struct seq_file *m;
	struct vmc_check_pool pool[2];
	unsigned int nr_pools;
	struct vmc_check_pool *cur;
	u64 problems;
	u64 entries;
	u64 dram;
};

static __printf(2, 3) void vmc_check_report(struct vmc_check *k,
					    const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (k->problems++ >= VMC_CHECK_MAX_REPORTS)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	seq_printf(k->m, "%pV\n", &vaf);
	va_end(args);
}

/* A problem of one entry, named by the first bytes of its key. */
static __printf(3, 4) void vmc_check_report_entry(struct vmc_check *k,
						  const struct vmc_entry *e,
						  const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (k->problems++ >= VMC_CHECK_MAX_REPORTS)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	seq_printf(k->m, "entry %*phN: %pV\n",
		   (int)min_t(u32, e->key_len, VMC_CHECK_KEY_BYTES), e->key,
		   &vaf);
	va_end(args);
}

/**
 * vmc_check_claim() - mark pool bytes as accounted for
 * @p: the pool
 * @off: first byte
 * @len: bytes
 * @first_twice: out: with -EEXIST, the first unit that was already marked
 *
 * Return: 0, -EINVAL when the range is empty, misaligned or outside the
 * pool, -EEXIST when part of it was marked before (then all of it is).
 */
static int vmc_check_claim(struct vmc_check_pool *p, u64 off, u64 len,
			   unsigned long *first_twice)
{
	const struct vmc_extent_alloc *a = &p->s->alloc;
	unsigned long first, last;
	u32 rem_off, rem_len;

	first = div_u64_rem(off, a->unit, &rem_off);
	last = first + div_u64_rem(len, a->unit, &rem_len);
	if (!len || rem_off || rem_len || off > a->size || len > a->size - off)
		return -EINVAL;
	*first_twice = find_next_bit(p->owned, last, first);
	bitmap_set(p->owned, first, last - first);
	return *first_twice < last ? -EEXIST : 0;
}

/* The pool of @e's tier, or NULL (reported) for a tier the cache lacks. */
static struct vmc_check_pool *vmc_check_tier(struct vmc_check *k,
					     const struct vmc_entry *e)
{
	unsigned int t = test_bit(VMC_ENTRY_SLOW, &e->flags);

	if (t < k->nr_pools)
		return &k->pool[t];
	vmc_check_report_entry(k, e, "in the slow tier of a cache of one");
	return NULL;
}

/* Check one entry found in the index, on which the walk holds a reference. */
static void vmc_check_entry(struct vmc_check *k, struct vmc_entry *e)
{
	struct vmc_check_pool *p;
	struct vmc_extent *ext;
	unsigned long twice;
	u64 bytes = 0;
	u32 i;
	int ret;

	k->entries++;
	if (!e->key_len || e->key_len > VMEMCACHE_MAX_KEY_SIZE) {
		vmc_check_report(k, "entry of key length %u in the index",
				 e->key_len);
		return;
	}
	if (!test_bit(VMC_ENTRY_LINKED, &e->flags))
		vmc_check_report_entry(k, e, "in the index, not linked");
	/* Not counting the walk's. */
	if (refcount_read(&e->ref) != 2)
		vmc_check_report_entry(k, e, "%u references, expected 1",
				       refcount_read(&e->ref) - 1);
	if (!vmc_index_finds(&k->c->index, e))
		vmc_check_report_entry(k, e, "a lookup of its key does not find it");
	p = vmc_check_tier(k, e);
	if (!p)
		return;
	p->entries++;
	if (!e->nr_ext) {
		vmc_check_report_entry(k, e, "no value");
		return;
	}
	k->dram += vmc_entry_dram(e);

	ext = vmc_entry_ext(e);
	for (i = 0; i < e->nr_ext; i++) {
		ret = vmc_check_claim(p, ext[i].off, ext[i].len, &twice);
		if (ret == -EINVAL)
			vmc_check_report_entry(k, e, "extent %u [%llu, +%llu) outside the pool",
					       i, ext[i].off, ext[i].len);
		else if (ret)
			vmc_check_report_entry(k, e, "extent %u [%llu, +%llu) shares unit %lu",
					       i, ext[i].off, ext[i].len, twice);
		bytes += ext[i].len;
	}
	p->used += bytes;
	if (e->tail >= p->s->alloc.unit || e->tail >= bytes)
		vmc_check_report_entry(k, e, "tail %u of %llu bytes, extent size %u",
				       e->tail, bytes, p->s->alloc.unit);
}

static bool vmc_check_walked(struct vmc_entry *e, void *arg)
{
	struct vmc_check *k = arg;

	vmc_check_entry(k, e);
	vmc_entry_put(&k->c->store, e);
	return true;
}

/*
 * Check every entry of the index.  A resize may make the walk meet entries
 * twice; the check then fails with -EAGAIN.
 */
static int vmc_check_index(struct vmc_check *k)
{
	return vmc_index_walk(&k->c->index, &k->c->store, vmc_check_walked, k);
}

/* Check one entry on a tier's policy's list; under the policy's lock. */
static bool vmc_check_listed(struct vmc_entry *e, void *arg)
{
	struct vmc_check *k = arg;
	struct vmc_check_pool *p = k->cur;
	bool slow = p != &k->pool[0];

	if (++p->listed > k->entries) {
		vmc_check_report(k, "the policy lists more entries than the index's %llu",
				 k->entries);
		return false;	/* a list that loops would never end */
	}
	if (!test_bit(VMC_ENTRY_LINKED, &e->flags) ||
	    !vmc_index_finds(&k->c->index, e))
		vmc_check_report_entry(k, e, "listed by the policy, not in the index");
	if (test_bit(VMC_ENTRY_SLOW, &e->flags) != slow)
		vmc_check_report_entry(k, e, "listed by the policy of the other tier");
	return true;
}

/* Check one free run of the pool k->cur; runs under the allocator's lock. */
static bool vmc_check_free_run(u64 off, u64 len, void *arg)
{
	struct vmc_check *k = arg;
	struct vmc_check_pool *p = k->cur;
	unsigned long twice;
	int ret;

	if (p->nr_free && off < p->end)
		vmc_check_report(k, "free run [%llu, +%llu) not after the run ending at %llu",
				 off, len, p->end);
	else if (p->nr_free && off == p->end)
		vmc_check_report(k, "free runs not coalesced at %llu", off);
	p->nr_free++;
	p->free += len;
	p->end = off + len;
	ret = vmc_check_claim(p, off, len, &twice);
	if (ret == -EINVAL)
		vmc_check_report(k, "free run [%llu, +%llu) outside the pool",
				 off, len);
	else if (ret)
		vmc_check_report(k, "free run [%llu, +%llu) owned twice at unit %lu",
				 off, len, twice);
	/* More runs than units: the tree is corrupt, stop. */
	return p->nr_free <= p->units;
}

/* Compare the counters of one pool with what the walks found. */
static void vmc_check_pool_counters(struct vmc_check *k,
				    struct vmc_check_pool *p,
				    const struct vmc_extent_usage *u)
{
	const struct vmc_extent_alloc *a = &p->s->alloc;
	unsigned long lost;

	if (p->repl->ops->walk && p->listed != p->entries)
		vmc_check_report(k, "the policy lists %llu entries, the index holds %llu",
				 p->listed, p->entries);
	if (u->used != p->used)
		vmc_check_report(k, "allocator: %llu bytes used, the entries own %llu",
				 u->used, p->used);
	if (u->nr_free != p->nr_free)
		vmc_check_report(k, "allocator: nr_free %llu, the tree holds %llu runs",
				 u->nr_free, p->nr_free);
	if (p->free != a->size - u->used - u->poisoned)
		vmc_check_report(k, "allocator: free runs hold %llu bytes, expected %llu",
				 p->free, a->size - u->used - u->poisoned);
	/* Poisoned units are neither free nor owned by an entry. */
	lost = p->units - bitmap_weight(p->owned, p->units);
	if ((u64)lost * a->unit != u->poisoned)
		vmc_check_report(k, "%lu units neither free nor owned (first %lu), poisoned %llu",
				 lost, find_first_zero_bit(p->owned, p->units),
				 u->poisoned);
}

/* Compare the counters of the cache with what the walks found. */
static void vmc_check_counters(struct vmc_check *k)
{
	struct vmc_cache *c = k->c;
	long nr_entries = atomic_long_read(&c->nr_entries);
	long nr_slow = atomic_long_read(&c->nr_slow);
	long dram_used = atomic_long_read(&c->store.dram_used);

	if (nr_entries < 0 || nr_entries != k->entries)
		vmc_check_report(k, "nr_entries %ld, the index holds %llu",
				 nr_entries, k->entries);
	if (nr_slow < 0 || (k->nr_pools > 1 && nr_slow != k->pool[1].entries))
		vmc_check_report(k, "nr_slow %ld, the slow tier holds %llu",
				 nr_slow, k->nr_pools > 1 ?
				 k->pool[1].entries : 0);
	/*
	 * Puts waiting for cfg_sem have created their entries already, so the
	 * counter may exceed what the index accounts for, never fall below.
	 */
	if (dram_used < 0 || dram_used < k->dram)
		vmc_check_report(k, "dram_used %ld, the entries in the index account for %llu",
				 dram_used, k->dram);
}

/* Set up the check of a tier's pool: -E2BIG, -ENOMEM. */
static int vmc_check_pool_init(struct vmc_check_pool *p, struct vmc_store *s,
			       struct vmc_repl *repl)
{
	p->s = s;
	p->repl = repl;
	p->units = div_u64(s->alloc.size, s->alloc.unit);
	if (p->units > UINT_MAX)	/* bitmap_set() takes an unsigned int */
		return -E2BIG;
	p->owned = vzalloc(array_size(BITS_TO_LONGS(p->units),
				      sizeof(unsigned long)));
	return p->owned ? 0 : -ENOMEM;
}

/**
 * vmc_cache_check() - check a cache for consistency, reporting to a seq_file
 * @c: cache
 * @m: where the problems and the verdict are printed
 *
 * Stops every operation on the cache while it runs (see the locking at
 * the top of this file).  Checks that the index, the policies' lists, the
 * allocators' free runs and the counters agree, in each tier's pool:
 * every pool unit is either in exactly one free run or in exactly one
 * extent of exactly one entry of that tier, free runs are in order,
 * within the pool and coalesced, each tier's policy lists exactly the
 * entries of the index in that tier, and only the index holds references.
 *
 * Return: 0 when the verdict was printed (the problems are in the text),
 * -EAGAIN when the index was resized under the walk, -E2BIG when a pool
 * has too many units for the check, -ENOMEM.
 */
static int vmc_cache_check(struct vmc_cache *c, struct seq_file *m)
{
	struct vmc_check k = { .c = c, .m = m };
	struct vmc_extent_usage u[2];
	u64 used = 0, free = 0, poisoned = 0;
	unsigned int t;
	int ret;

	/* A get stalled on its buffer holds a reference: wait for it. */
	ret = vmc_cache_lock_idle(c);
	if (ret)
		return ret;
	k.nr_pools = c->slow_repl ? 2 : 1;
	ret = vmc_check_pool_init(&k.pool[0], &c->store, c->repl);
	if (!ret && k.nr_pools > 1)
		ret = vmc_check_pool_init(&k.pool[1], &c->slow, c->slow_repl);
	if (ret)
		goto out_free;

	for (t = 0; t < k.nr_pools; t++) {
		/* The space and references of the buffered moves return first. */
		vmc_repl_flush(k.pool[t].repl);
	}
	ret = vmc_check_index(&k);
	if (ret)
		goto out_free;
	for (t = 0; t < k.nr_pools; t++) {
		k.cur = &k.pool[t];
		if (k.cur->repl->ops->walk)
			k.cur->repl->ops->walk(k.cur->repl, vmc_check_listed,
					       &k);
		vmc_extent_walk_free(&k.cur->s->alloc, vmc_check_free_run, &k,
				     &u[t]);
		vmc_check_pool_counters(&k, k.cur, &u[t]);
		used += k.cur->used;
		free += k.cur->free;
		poisoned += u[t].poisoned;
	}
	vmc_check_counters(&k);

	if (k.problems > VMC_CHECK_MAX_REPORTS)
		seq_printf(m, "... %llu more\n",
			   k.problems - VMC_CHECK_MAX_REPORTS);
	if (k.problems)
		seq_printf(m, "FAILED problems=%llu\n", k.problems);
	else
		seq_printf(m, "ok entries=%llu used=%llu free=%llu dram_used=%ld dram_entries=%llu poisoned=%llu\n",
			   k.entries, used, free,
			   atomic_long_read(&c->store.dram_used), k.dram,
			   poisoned);
out_free:
	vfree(k.pool[0].owned);
	vfree(k.pool[1].owned);
	percpu_up_write(&c->cfg_sem);
	return ret;
}

static int vmc_check_show(struct seq_file *m, void *unused)
{
	return vmc_cache_check(m->private, m);
}
DEFINE_SHOW_ATTRIBUTE(vmc_check);

static struct dentry *vmc_debugfs_dir;

#ifdef VMEMCACHE_DEBUG
/**
 * struct vmc_damage - what the inject file did to a cache
 * @c: the cache, or NULL while it is intact
 * @unit: a pool unit taken from the allocator (when @nr_unit is 1)
 * @nr_unit: extents in @unit, 0 when the pool was full
 * @ref: the entry holding an extra reference, or NULL when there was none
 *
 * Changed under the cache's cfg_sem, held for write.
 */
struct vmc_damage {
	struct vmc_cache *c;
	struct vmc_extent unit;
	unsigned int nr_unit;
	struct vmc_entry *ref;
};

static struct vmc_damage vmc_damage;

static bool vmc_take_first(struct vmc_entry *e, void *arg)
{
	struct vmc_entry **first = arg;

	*first = e;
	return false;
}

/* An entry of the index with a reference taken, or NULL. */
static struct vmc_entry *vmc_any_entry(struct vmc_cache *c)
{
	struct vmc_entry *e = NULL;

	vmc_index_walk(&c->index, &c->store, vmc_take_first, &e);
	return e;
}

/* Damage @c (see the top of the file), or with @c NULL repair it. */
static void vmc_damage_set(struct vmc_cache *c)
{
	struct vmc_damage *d = &vmc_damage;
	struct vmc_cache *locked = c ?: d->c;

	if (!locked)
		return;
	percpu_down_write(&locked->cfg_sem);
	if (c && !d->c) {
		if (vmc_extent_get(&c->store.alloc, 1, &d->unit, 1,
				   &d->nr_unit))
			d->nr_unit = 0;
		atomic_long_inc(&c->nr_entries);
		d->ref = vmc_any_entry(c);
		d->c = c;
	} else if (!c && d->c) {
		if (d->nr_unit)
			vmc_extent_put(&d->c->store.alloc, &d->unit,
				       d->nr_unit);
		atomic_long_dec(&d->c->nr_entries);
		if (d->ref)
			vmc_entry_put(&d->c->store, d->ref);
		d->c = NULL;
	}
	percpu_up_write(&locked->cfg_sem);
}

static ssize_t vmc_inject_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	bool damage;
	int ret;

	ret = kstrtobool_from_user(buf, count, &damage);
	if (ret)
		return ret;
	vmc_damage_set(damage ? file->private_data : NULL);
	return count;
}

static const struct file_operations vmc_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vmc_inject_write,
	.llseek = noop_llseek,
};

/*
 * hold_failed: a write of 1 or 0 arms or disarms the stand-in and drops
 * what it held; a read reports what it held and drops it.  Under cfg_sem,
 * so that the entry's pool is the one it came from.
 */
static s64 vmc_hold_release(struct vmc_cache *c, bool arm)
{
	s64 ret;

	percpu_down_read(&c->cfg_sem);
	ret = vmc_cache_debug_release(c, arm);
	percpu_up_read(&c->cfg_sem);
	return ret;
}

static ssize_t vmc_hold_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	bool arm;
	int ret;

	ret = kstrtobool_from_user(buf, count, &arm);
	if (ret)
		return ret;
	vmc_hold_release(file->private_data, arm);
	return count;
}

static ssize_t vmc_hold_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	char text[32];
	int len;
	s64 held;

	if (*ppos)
		return 0;
	held = vmc_hold_release(file->private_data, true);
	if (held < 0)
		len = scnprintf(text, sizeof(text), "none\n");
	else
		len = scnprintf(text, sizeof(text), "value=%lld\n", held);
	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static const struct file_operations vmc_hold_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vmc_hold_read,
	.write = vmc_hold_write,
	.llseek = noop_llseek,
};

/* The floor's source buffer: an order-VMC_FLOOR_ORDER compound page. */
#define VMC_FLOOR_ORDER	8

/**
 * struct vmc_floor_arg - argument of VMC_FLOOR_IOC
 * @buf: user buffer
 * @len: bytes to copy to it
 */
struct vmc_floor_arg {
	__u64 buf;
	__u64 len;
};

#define VMC_FLOOR_IOC	_IOW(VMEMCACHE_IOC_MAGIC, 0x80, struct vmc_floor_arg)

static int vmc_floor_open(struct inode *inode, struct file *file)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_ZERO,
					VMC_FLOOR_ORDER);

	if (!page)
		return -ENOMEM;
	file->private_data = page_address(page);
	return 0;
}

static int vmc_floor_release(struct inode *inode, struct file *file)
{
	free_pages((unsigned long)file->private_data, VMC_FLOOR_ORDER);
	return 0;
}

static long vmc_floor_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	const size_t max = PAGE_SIZE << VMC_FLOOR_ORDER;
	struct vmc_floor_arg a;
	void __user *ubuf;
	size_t n;

	if (cmd != VMC_FLOOR_IOC)
		return -ENOTTY;
	if (copy_from_user(&a, (void __user *)arg, sizeof(a)))
		return -EFAULT;
	for (ubuf = u64_to_user_ptr(a.buf); a.len; a.len -= n, ubuf += n) {
		n = min_t(u64, a.len, max);
		if (copy_to_user(ubuf, file->private_data, n))
			return -EFAULT;
	}
	return 0;
}

static const struct file_operations vmc_floor_fops = {
	.owner = THIS_MODULE,
	.open = vmc_floor_open,
	.release = vmc_floor_release,
	.unlocked_ioctl = vmc_floor_ioctl,
	.llseek = noop_llseek,
};

/**
 * struct vmc_check_private_arg - argument of VMC_CHECK_PRIVATE_IOC
 * @fd: the caller's descriptor of a private cache
 * @pad: zero
 * @buf: user buffer for the check's text
 * @len: its size
 */
struct vmc_check_private_arg {
	__s32 fd;
	__u32 pad;
	__u64 buf;
	__u64 len;
};

#define VMC_CHECK_PRIVATE_IOC	_IOW(VMEMCACHE_IOC_MAGIC, 0x81, \
				     struct vmc_check_private_arg)

/* The check's text fits in a page: its reports are bounded. */
#define VMC_CHECK_TEXT	(2 * PAGE_SIZE)

static long vmc_check_private_ioctl(struct file *file, unsigned int cmd,
				    unsigned long arg)
{
	struct vmc_check_private_arg a;
	struct seq_file sm = {};
	struct vmc_cache *c;
	struct file *f;
	long ret;

	if (cmd != VMC_CHECK_PRIVATE_IOC)
		return -ENOTTY;
	if (copy_from_user(&a, (void __user *)arg, sizeof(a)))
		return -EFAULT;
	if (a.pad || !a.len)
		return -EINVAL;
	f = fget(a.fd);
	if (!f)
		return -EBADF;
	c = vmc_private_cache(f);
	ret = -EINVAL;
	if (!c)
		goto out_put;
	ret = -ENOMEM;
	sm.size = VMC_CHECK_TEXT;
	sm.buf = kvzalloc(sm.size, GFP_KERNEL);
	if (!sm.buf)
		goto out_put;
	ret = vmc_cache_check(c, &sm);
	if (!ret) {
		sm.count = min3(sm.count, sm.size - 1, (size_t)a.len - 1);
		sm.buf[sm.count] = '\0';
		if (copy_to_user(u64_to_user_ptr(a.buf), sm.buf, sm.count + 1))
			ret = -EFAULT;
	}
	kvfree(sm.buf);
out_put:
	fput(f);
	return ret;
}

static const struct file_operations vmc_check_private_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.unlocked_ioctl = vmc_check_private_ioctl,
	.llseek = noop_llseek,
};

/* The cache of hold_failed, to release at unload. */
static struct vmc_cache *vmc_hold_cache;

static void vmc_hold_exit(void)
{
	if (vmc_hold_cache)
		vmc_hold_release(vmc_hold_cache, false);
	vmc_hold_cache = NULL;
}

static void vmc_debugfs_init_debug(struct vmc_cache *c)
{
	vmc_hold_cache = c;
	debugfs_create_file("inject", 0200, vmc_debugfs_dir, c,
			    &vmc_inject_fops);
	debugfs_create_file("check_private", 0400, vmc_debugfs_dir, NULL,
			    &vmc_check_private_fops);
	debugfs_create_file("hold_failed", 0600, vmc_debugfs_dir, c,
			    &vmc_hold_fops);
	debugfs_create_file("floor", 0400, vmc_debugfs_dir, NULL,
			    &vmc_floor_fops);
}
#else
static void vmc_debugfs_init_debug(struct vmc_cache *c)
{
}

static void vmc_damage_set(struct vmc_cache *c)
{
}

static void vmc_hold_exit(void)
{
}
#endif /* VMEMCACHE_DEBUG */

/**
 * vmc_debugfs_init() - create /sys/kernel/debug/vmemcache/
 * @c: the cache its files check
 *
 * Like every debugfs user, ignores failures: the files are for debugging.
 */
void vmc_debugfs_init(struct vmc_cache *c)
{
	vmc_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("check", 0400, vmc_debugfs_dir, c,
			    &vmc_check_fops);
	vmc_debugfs_init_debug(c);
}

/* Remove the files, waiting for their users, and repair any damage. */
void vmc_debugfs_exit(void)
{
	debugfs_remove_recursive(vmc_debugfs_dir);
	vmc_damage_set(NULL);
	vmc_hold_exit();
}
