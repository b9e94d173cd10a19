// SPDX-License-Identifier: GPL-2.0
/*
 * The index's mapped lookup table (VMEMCACHE_CREATE_MAPPED): slots that
 * userspace reads to find a value in the mapped pool without a system
 * call.  A get through the kernel that finds an entry gives it a slot (a
 * put does not: the table holds what is read, and a stream of puts never
 * read pays nothing for it), a replacing put hands the old entry's slot
 * to the new one, and index.c's unlink empties it, so a slot never
 * outlives its entry's hold on its extents: that order is what makes a
 * reader's copy safe, and it lives here and in index.c only.  The
 * readers' side of the protocol is in uapi/linux/vmemcache.h (struct
 * vmemcache_map_info).
 *
 * VMC_ENTRY_MAPPED marks an entry that was ever given a slot, set before
 * the link looks at VMC_ENTRY_LINKED, so that an unlink, which clears
 * that flag first, may skip the bucket of an entry without the mark: of
 * the two, at least one sees the other's bit.
 *
 * A key may be in either slot of its bucket, a pair of slots (its home
 * slot, from the hash, and that slot ^ 1), so that two keys in use that
 * share a home slot both stay in the table.  Each slot has an owner
 * word, kernel-only: the entry it holds; bit 0 of the even slot's word
 * is the bucket's bit spinlock, so that a link racing with the entry's
 * own unlink, or keys of one bucket, serialize without a lock of the
 * index's.  A key that wants a full bucket takes a slot readers have not
 * hit lately (vmc_map_take()).
 */
#include <linux/mm.h>	/* first: bit_spinlock.h needs cpu_relax() */
#include <linux/bit_spinlock.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <uapi/linux/vmemcache.h>

#include "index.h"

#define VMC_MAP_LOCK	0	/* bit of an owner word */
#define VMC_MAP_MIN_SLOTS	64U
#define VMC_MAP_MAX_SLOTS	BIT(22)

/**
 * struct vmc_index_map - the table of a mapped index
 * @table: the slots, mapped read-only by userspace
 * @state: what userspace writes: accessed bytes and its hit count
 * @owner: per slot, the entry it holds (or 0), bit 0 its lock
 * @nr_slots: slots, a power of two
 * @seed: of vmemcache_map_hash()
 * @table_size: bytes of @table, whole pages
 * @state_size: bytes of @state, whole pages
 */
struct vmc_index_map {
	struct vmemcache_map_slot *table;
	struct vmemcache_map_state *state;
	unsigned long *owner;
	u32 nr_slots;
	u64 seed;
	size_t table_size;
	size_t state_size;
};

/**
 * vmc_index_map_slots() - slots of the table for a pool
 * @capacity: pool bytes
 * @extent_size: its allocation unit
 *
 * One slot per extent the pool holds, so that a pool full of one-extent
 * values finds most of them, within bounds.
 *
 * Return: a power of two.
 */
u32 vmc_index_map_slots(u64 capacity, u32 extent_size)
{
	u64 n = div64_u64(capacity, max(extent_size, 1U));

	n = clamp_t(u64, n, VMC_MAP_MIN_SLOTS, VMC_MAP_MAX_SLOTS);
	return roundup_pow_of_two(n);
}

/**
 * vmc_index_map() - give an empty index a mapped table
 * @ix: the index, with no entry yet
 * @nr_slots: a power of two, as vmc_index_map_slots() gives
 * @gfp: GFP_KERNEL_ACCOUNT to charge it to the caller's memory cgroup
 *
 * Return: 0 or -ENOMEM.
 */
int vmc_index_map(struct vmc_index *ix, u32 nr_slots, gfp_t gfp)
{
	struct vmc_index_map *m;
	u32 i;

	if (WARN_ON_ONCE(!is_power_of_2(nr_slots) || ix->map))
		return -EINVAL;
	m = kzalloc(sizeof(*m), gfp);
	if (!m)
		return -ENOMEM;
	m->nr_slots = nr_slots;
	m->seed = get_random_u64();
	m->table_size = PAGE_ALIGN((size_t)nr_slots * sizeof(*m->table));
	m->state_size = PAGE_ALIGN(sizeof(*m->state) + nr_slots);
	m->table = __vmalloc(m->table_size, gfp | __GFP_ZERO);
	m->state = __vmalloc(m->state_size, gfp | __GFP_ZERO);
	m->owner = kvcalloc(nr_slots, sizeof(*m->owner), gfp);
	if (!m->table || !m->state || !m->owner) {
		vmc_index_unmap_all(m);
		return -ENOMEM;
	}
	/* Odd: empty. */
	for (i = 0; i < nr_slots; i++)
		m->table[i].seq = 1;
	ix->map = m;
	return 0;
}

/* Free a table; nothing maps it any more. */
void vmc_index_unmap_all(struct vmc_index_map *m)
{
	if (!m)
		return;
	vfree(m->table);
	vfree(m->state);
	kvfree(m->owner);
	kfree(m);
}

/* @e's home slot; the other slot of its bucket is this one ^ 1. */
static u32 vmc_map_slot(const struct vmc_index_map *m,
			const struct vmc_entry *e)
{
	return vmemcache_map_hash(m->seed, e->key, e->key_len) &
	       (m->nr_slots - 1);
}

static struct vmc_entry *vmc_map_owner(const struct vmc_index_map *m, u32 i)
{
	return (struct vmc_entry *)(READ_ONCE(m->owner[i]) &
				    ~BIT(VMC_MAP_LOCK));
}

/* A bucket's two slots share the lock bit of the even one's owner word. */
static void vmc_map_lock(struct vmc_index_map *m, u32 i)
	__acquires(bitlock)
{
	bit_spin_lock(VMC_MAP_LOCK, &m->owner[i & ~1U]);
}

static void vmc_map_unlock(struct vmc_index_map *m, u32 i)
	__releases(bitlock)
{
	bit_spin_unlock(VMC_MAP_LOCK, &m->owner[i & ~1U]);
}

/* Set slot @i's owner, under the bucket's lock (which stays held). */
static void vmc_map_set_owner(struct vmc_index_map *m, u32 i,
			      struct vmc_entry *e)
{
	WRITE_ONCE(m->owner[i], (unsigned long)e |
				(i & 1 ? 0 : BIT(VMC_MAP_LOCK)));
}

/* The slot of @home's bucket that holds @e, or -1; the lock is held. */
static int vmc_map_find(const struct vmc_index_map *m, u32 home,
			const struct vmc_entry *e)
{
	if (vmc_map_owner(m, home) == e)
		return home;
	if (vmc_map_owner(m, home ^ 1) == e)
		return home ^ 1;
	return -1;
}

/* May @e be in the table: a short key, one extent, no expiry? */
static bool vmc_map_fits(const struct vmc_entry *e)
{
	return e->key_len <= VMEMCACHE_MAP_KEY_MAX && e->nr_ext == 1 &&
	       !READ_ONCE(e->expiry) &&
	       !test_bit(VMC_ENTRY_STALE, &e->flags) &&
	       !test_bit(VMC_ENTRY_SLOW, &e->flags);
}

/* Write @e into slot @s, whose count is odd; it ends even. */
static void vmc_map_fill(struct vmemcache_map_slot *s, struct vmc_entry *e)
{
	s->key_len = e->key_len;
	memcpy(s->key, e->key, e->key_len);
	s->offset = e->ext_inline.off;
	s->size = vmc_entry_size(e);
	/* The value and the fields before the even count (readers: acquire). */
	smp_wmb();
	WRITE_ONCE(s->seq, s->seq + 1);
}

/*
 * Make slot @s's count odd: from here on no reader accepts a copy of the
 * entry it held.  Ordered before whatever follows, above all the reuse of
 * the entry's extents by a put's stores.
 */
static void vmc_map_empty(struct vmemcache_map_slot *s)
{
	WRITE_ONCE(s->seq, s->seq + 1);
	smp_wmb();	/* the odd count before the extents' reuse */
}

/* Empty slot @i, under its bucket's lock. */
static void vmc_map_clear(struct vmc_index_map *m, u32 i)
{
	vmc_map_empty(&m->table[i]);
	vmc_map_set_owner(m, i, NULL);
}

/*
 * Put @e in slot @i, under its bucket's lock, emptying it first of the
 * entry that holds it: no reader may pair that entry's key with @e's
 * value.  The slot starts with no reader's hit.
 */
static void vmc_map_install(struct vmc_index_map *m, u32 i,
			    struct vmc_entry *e)
{
	if (vmc_map_owner(m, i))
		vmc_map_empty(&m->table[i]);
	WRITE_ONCE(m->state->accessed[i], 0);
	vmc_map_fill(&m->table[i], e);
	vmc_map_set_owner(m, i, e);
}

/*
 * Give @e a slot of its bucket (@home and @home ^ 1), under the bucket's
 * lock: a free one, else one no reader hit since it was filled or since
 * the last refusal, emptying it first of the entry that holds it.  When
 * readers hit both, @e gets none, and both accessed bytes are cleared:
 * keys in use keep their slots (taking them in turn, three keys of one
 * bucket sent two of every three gets to the kernel), and one that is
 * no longer read gives its slot up at the next try, as CLOCK would.
 */
static void vmc_map_take(struct vmc_index_map *m, u32 home,
			 struct vmc_entry *e)
{
	u8 *accessed = m->state->accessed;
	u32 i, other = home ^ 1;

	if (vmc_map_find(m, home, e) >= 0)
		return;
	if (!vmc_map_owner(m, home)) {
		i = home;
	} else if (!vmc_map_owner(m, other)) {
		i = other;
	} else if (!READ_ONCE(accessed[home])) {
		i = home;
	} else if (!READ_ONCE(accessed[other])) {
		i = other;
	} else {
		WRITE_ONCE(accessed[home], 0);
		WRITE_ONCE(accessed[other], 0);
		return;
	}
	vmc_map_install(m, i, e);
}

/*
 * Give a linked entry that fits the table a slot of the bucket of @home.
 *
 * The entry may have been unlinked since it was found: its unlink clears
 * VMC_ENTRY_LINKED and then, as this set VMC_ENTRY_MAPPED first, looks at
 * the bucket under the bucket's lock, so either it finds the entry there
 * and empties its slot, or this sees the flag cleared and leaves the
 * bucket alone.
 */
static void vmc_map_link(struct vmc_index_map *m, u32 home,
			 struct vmc_entry *e)
{
	set_bit(VMC_ENTRY_MAPPED, &e->flags);
	smp_mb__after_atomic();	/* pairs with vmc_index_map_unlink()'s */
	vmc_map_lock(m, home);
	if (test_bit(VMC_ENTRY_LINKED, &e->flags))
		vmc_map_take(m, home, e);
	vmc_map_unlock(m, home);
}

/**
 * vmc_index_map_hit() - a get through the kernel found an entry
 * @ix: the index
 * @e: the entry, with a reference held
 *
 * A get that came to the kernel for a key the table does not hold: the
 * key takes a slot, so that the next get of a key in use stays in
 * userspace.
 */
void vmc_index_map_hit(struct vmc_index *ix, struct vmc_entry *e)
{
	struct vmc_index_map *m = ix->map;
	u32 home;

	if (!m || !vmc_map_fits(e))
		return;
	home = vmc_map_slot(m, e);
	/* Unlocked: a hint; the link decides under the lock. */
	if (vmc_map_owner(m, home) != e && vmc_map_owner(m, home ^ 1) != e)
		vmc_map_link(m, home, e);
}

/* Empty @e's slot if it has one; VMC_ENTRY_LINKED is clear already. */
void vmc_index_map_unlink(struct vmc_index_map *m, struct vmc_entry *e)
{
	u32 home;
	int i;

	smp_mb__after_atomic();	/* LINKED cleared, then MAPPED read */
	if (!test_bit(VMC_ENTRY_MAPPED, &e->flags))
		return;
	home = vmc_map_slot(m, e);
	vmc_map_lock(m, home);
	i = vmc_map_find(m, home, e);
	if (i >= 0)
		vmc_map_clear(m, i);
	vmc_map_unlock(m, home);
}

/*
 * @n replaced @old in the index (same key, same bucket): @n takes @old's
 * slot, or, when it may not be in the table, @old's slot is emptied.  An
 * @old never given a slot leaves @n without one too, as a put would.
 */
void vmc_index_map_replace(struct vmc_index_map *m, struct vmc_entry *old,
			   struct vmc_entry *n)
{
	u32 home;
	int i;

	smp_mb__after_atomic();	/* @old's LINKED cleared, then MAPPED read */
	if (!test_bit(VMC_ENTRY_MAPPED, &old->flags))
		return;
	home = vmc_map_slot(m, n);
	set_bit(VMC_ENTRY_MAPPED, &n->flags);
	smp_mb__after_atomic();	/* MAPPED, then @n's LINKED read below */
	vmc_map_lock(m, home);
	i = vmc_map_find(m, home, old);
	if (vmc_map_fits(n) && test_bit(VMC_ENTRY_LINKED, &n->flags)) {
		/* In @old's place: no other key loses its slot. */
		if (i >= 0)
			vmc_map_install(m, i, n);
		else
			vmc_map_take(m, home, n);
	} else if (i >= 0) {
		vmc_map_clear(m, i);
	}
	vmc_map_unlock(m, home);
}

/**
 * vmc_index_map_accessed() - test and clear a reader's mark of an entry
 * @ix: the index
 * @e: an entry
 *
 * For the policy's second chance: a hit from the mapping is not seen by
 * the kernel otherwise.  A hint, not an invariant, so no lock.
 *
 * Return: whether a reader hit @e in the mapping since the last call.
 */
bool vmc_index_map_accessed(struct vmc_index *ix, struct vmc_entry *e)
{
	struct vmc_index_map *m = ix->map;
	u32 i;

	if (!m || !test_bit(VMC_ENTRY_MAPPED, &e->flags))
		return false;
	i = vmc_map_slot(m, e);
	if (vmc_map_owner(m, i) != e)
		i ^= 1;
	if (vmc_map_owner(m, i) != e || !READ_ONCE(m->state->accessed[i]))
		return false;
	WRITE_ONCE(m->state->accessed[i], 0);
	return true;
}

/**
 * vmc_index_map_drop() - take a linked entry out of the table
 * @ix: the index
 * @e: the entry, which no longer fits it (an expiry, a stale mark)
 */
void vmc_index_map_drop(struct vmc_index *ix, struct vmc_entry *e)
{
	if (ix->map)
		vmc_index_map_unlink(ix->map, e);
}

/**
 * vmc_index_map_hits() - hits readers counted in the mapping
 * @ix: the index
 *
 * Return: the count (0 for an index without a table).
 */
u64 vmc_index_map_hits(struct vmc_index *ix)
{
	return ix->map ? READ_ONCE(ix->map->state->hits) : 0;
}

/**
 * vmc_index_map_info() - fill the table's part of a VMEMCACHE_IOC_MAP_INFO
 * @ix: the index
 * @info: out
 *
 * Return: 0, or -ENODEV for an index without a table.
 */
int vmc_index_map_info(struct vmc_index *ix, struct vmemcache_map_info *info)
{
	struct vmc_index_map *m = ix->map;

	if (!m)
		return -ENODEV;
	info->table_size = m->table_size;
	info->state_size = m->state_size;
	info->nr_slots = m->nr_slots;
	info->slot_size = sizeof(*m->table);
	info->seed = m->seed;
	return 0;
}

/* Insert the pages of vmalloc()ed @buf, @size bytes, into @vma. */
static int vmc_map_insert(struct vm_area_struct *vma, void *buf, size_t size)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long off;
	int ret;

	if (len > size)
		return -EINVAL;
	for (off = 0; off < len; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(buf + off));
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vmc_index_map_mmap() - map the table or the readers' state
 * @ix: the index
 * @vma: the mapping, at VMEMCACHE_MAP_OFF_TABLE or _STATE (@state)
 * @state: which of the two
 *
 * The table is read-only; the caller has checked @vma's flags.
 *
 * Return: 0, -ENODEV without a table, -EINVAL when @vma is too long.
 */
int vmc_index_map_mmap(struct vmc_index *ix, struct vm_area_struct *vma,
		       bool state)
{
	struct vmc_index_map *m = ix->map;

	if (!m)
		return -ENODEV;
	if (state)
		return vmc_map_insert(vma, m->state, m->state_size);
	return vmc_map_insert(vma, m->table, m->table_size);
}
