// SPDX-License-Identifier: GPL-2.0
/*
 * The evicted-entries log of the ioctl layer: the records of what a put,
 * an evict or a batch evicted, written to the caller's buffer as
 * struct vmemcache_evicted_log and its records.  The layout of those
 * records is written here only: the cache hands over each key that left,
 * its value's size and where to read the value as a struct
 * vmc_evicted_rec.
 *
 * The cache reports each eviction through the struct vmc_evicted it is
 * given, with its locks held and page faults disabled.  A record whose
 * page of the buffer is not in memory is staged in kernel memory, bounded,
 * with every later one; the cache flushes the log once it has dropped its
 * locks, which may fault the pages in.  A put stops evicting, and starts
 * over, when the staging buffer may not hold the next record
 * (vmc_log_full()), so a log in lazily touched memory loses no record.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/vmemcache.h>

#include "evict_log.h"

/*
 * Most bytes of evicted records a put keeps for a log not in memory before
 * it writes them out and starts over (see vmc_log_full()).
 */
#define VMC_LOG_STAGE	SZ_256K

/*
 * Most bytes of values a log with values stages: a larger value whose part
 * of the buffer is not in memory is reported without its bytes.
 */
#define VMC_LOG_STAGE_VALUES	SZ_16M

/*
 * Make room for @need more bytes in the staging buffer of @log, starting
 * it from where the log is; false if it cannot.  A log with values grows
 * its buffer up to VMC_LOG_STAGE_VALUES past VMC_LOG_STAGE.
 */
static bool vmc_log_stage_room(struct vmc_evict_log *log, u64 need)
{
	u64 left = log->size - log->used, size;
	void *p;

	if (log->stage && need <= log->stage_size - log->stage_used)
		return true;
	if (log->stage && !log->values)
		return false;
	size = log->stage_used + max_t(u64, need, VMC_LOG_STAGE);
	size = min(size, log->stage_used + left);
	if (size < log->stage_used + need ||
	    size > VMC_LOG_STAGE + VMC_LOG_STAGE_VALUES)
		return false;
	p = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!p)
		return false;
	if (log->stage) {
		memcpy(p, log->stage, log->stage_used);
		kvfree(log->stage);
	} else {
		log->stage_at = log->used;
	}
	log->stage = p;
	log->stage_size = size;
	return true;
}

/* Fill in the uapi record of @r with @flags. */
static void vmc_log_rec(struct vmemcache_evicted_rec *rec,
			const struct vmc_evicted_rec *r, u32 flags)
{
	*rec = (struct vmemcache_evicted_rec){
		.value_size = r->value_size,
		.key_len = r->key_len,
		.rec_flags = flags,
	};
}

/*
 * Stage the record of @r, its value too when @value, in @log's staging
 * buffer, which has room for it.  Returns the record's flags: the value is
 * left out when it cannot be read.
 */
static u32 vmc_log_stage_rec(struct vmc_evict_log *log,
			     const struct vmc_evicted_rec *r, u32 flags,
			     bool value)
{
	struct vmemcache_evicted_rec rec;
	u32 need = VMEMCACHE_EVICTED_REC_SIZE(r->key_len);
	void *p = log->stage + log->stage_used;
	u64 vsize = r->value_size;
	struct vmc_extent bad;

	if (value && !vmc_entry_read(r->store, r->entry, p + need, &bad)) {
		flags |= VMEMCACHE_EVICTED_REC_VALUE;
		memset(p + need + vsize, 0, round_up(vsize, 8) - vsize);
	}
	vmc_log_rec(&rec, r, flags);
	memcpy(p, &rec, sizeof(rec));
	memcpy(p + sizeof(rec), r->key, r->key_len);
	memset(p + sizeof(rec) + r->key_len, 0,
	       need - sizeof(rec) - r->key_len);
	return flags;
}

/*
 * Write the record of @r (its struct vmemcache_evicted_rec, its key and
 * zero padding, VMEMCACHE_EVICTED_REC_SIZE() bytes) at @p, with page
 * faults disabled, as the cache reports under cfg_sem: 0, or -EFAULT when
 * a page of @p is not in memory or not writable.
 */
static int vmc_log_put_rec(void __user *p, const struct vmc_evicted_rec *r,
			   u32 flags)
{
	struct vmemcache_evicted_rec rec;
	u64 pad = VMEMCACHE_EVICTED_REC_SIZE(r->key_len) - sizeof(rec) -
		  r->key_len;
	int ret = 0;

	vmc_log_rec(&rec, r, flags);
	pagefault_disable();
	if (copy_to_user(p, &rec, sizeof(rec)) ||
	    copy_to_user(p + sizeof(rec), r->key, r->key_len) ||
	    (pad && clear_user(p + sizeof(rec) + r->key_len, pad)))
		ret = -EFAULT;
	pagefault_enable();
	return ret;
}

/*
 * Write the record of @r, with its value when @value, to the caller's
 * buffer in place.  Returns its flags, or -EFAULT when a page of the
 * buffer is not in memory.
 */
static s64 vmc_log_write_rec(struct vmc_evict_log *log,
			     const struct vmc_evicted_rec *r, u32 flags,
			     bool value)
{
	void __user *p = log->buf + log->used;
	u32 need = VMEMCACHE_EVICTED_REC_SIZE(r->key_len);
	u64 vsize = r->value_size, pad = round_up(vsize, 8) - vsize;
	struct vmc_extent bad;
	int ret;

	if (value) {
		ret = vmc_entry_copy(r->store, r->entry, 0, p + need, vsize,
				     true, &bad);
		if (ret == -EFAULT)
			return ret;
		if (!ret) {
			pagefault_disable();
			ret = pad && clear_user(p + need + vsize, pad) ?
			      -EFAULT : 0;
			pagefault_enable();
			if (ret)
				return ret;
			flags |= VMEMCACHE_EVICTED_REC_VALUE;
		}
	}
	if (vmc_log_put_rec(p, r, flags))
		return -EFAULT;
	return flags;
}

/*
 * Record an entry that left (@r->how), which the cache still holds a
 * reference on, in the caller's log: in place if its buffer is in memory,
 * else staged for vmc_log_flush().  Only a log with values records the
 * values that replacing puts removed.
 */
static void vmc_log_record(struct vmc_evicted *ev,
			   const struct vmc_evicted_rec *r)
{
	struct vmc_evict_log *log = container_of(ev, struct vmc_evict_log, ev);
	u64 need = VMEMCACHE_EVICTED_REC_SIZE(r->key_len);
	u64 vneed = round_up(r->value_size, 8);
	u32 flags = 0;
	bool value;
	s64 ret;

	if (r->how == VMC_REPLACED) {
		if (!log->values)
			return;
		flags = VMEMCACHE_EVICTED_REC_REPLACED;
	}
	if (log->fault || need > log->size - log->used)
		goto drop;
	value = log->values && vneed <= log->size - log->used - need;
	if (!log->stage) {
		ret = vmc_log_write_rec(log, r, flags, value);
		if (ret >= 0) {
			flags = ret;
			goto done;
		}
	}
	if (value && !vmc_log_stage_room(log, need + vneed))
		value = false;
	if (!vmc_log_stage_room(log, need)) {
		if (!log->stage)
			log->fault = true;
		goto drop;
	}
	flags = vmc_log_stage_rec(log, r, flags, value);
	log->stage_used += need;
	log->stage_count++;
	if (flags & VMEMCACHE_EVICTED_REC_VALUE)
		log->stage_used += vneed;
done:
	log->used += need;
	if (flags & VMEMCACHE_EVICTED_REC_VALUE)
		log->used += vneed;
	log->count++;
	return;
drop:
	log->dropped++;
}

/*
 * Whether a put must stop evicting until the records it staged are
 * written out: the next record may not fit.  The put then starts over
 * (-EFAULT, as for a value not in memory) once vmc_log_flush() brought the
 * log's pages in, so a log in lazily touched memory loses no record.  A
 * log with values cannot tell how large the next value is: it stops at
 * the first record staged.
 */
static bool vmc_log_full(struct vmc_evicted *ev)
{
	struct vmc_evict_log *log = container_of(ev, struct vmc_evict_log, ev);

	if (log->values)
		return log->stage_used != 0;
	return log->stage_used &&
	       log->stage_size - log->stage_used <
	       VMEMCACHE_EVICTED_REC_SIZE(VMEMCACHE_MAX_KEY_SIZE);
}

/*
 * Write the staged records of @log to its buffer, with no lock held: this
 * may wait for the buffer's pages.  Records that cannot be written are
 * dropped.
 */
static void vmc_log_flush(struct vmc_evicted *ev)
{
	struct vmc_evict_log *log = container_of(ev, struct vmc_evict_log, ev);

	if (!log->stage)
		return;
	if (copy_to_user(log->buf + log->stage_at, log->stage,
			 log->stage_used)) {
		log->used -= log->stage_used;
		log->count -= log->stage_count;
		log->dropped += log->stage_count;
		log->fault = true;
	}
	kvfree(log->stage);
	log->stage = NULL;
	log->stage_used = 0;
	log->stage_count = 0;
}

/**
 * vmc_log_begin() - start the evicted-entries log of a put or an evict
 * @ubuf: the caller's buffer, 0 for none
 * @size: its size
 * @values: the records carry the values too (*_EVICTED_VALUES)
 * @log: the log to set up
 * @evp: out: what to give the cache, NULL when the caller passed no buffer
 *
 * Checks the buffer and writes an empty header, so that a buffer we cannot
 * write fails the call before it changes anything.
 *
 * Return: 0, -EINVAL or -EFAULT.
 */
int vmc_log_begin(u64 ubuf, u64 size, bool values, struct vmc_evict_log *log,
		  struct vmc_evicted **evp)
{
	struct vmemcache_evicted_log hdr = {};

	*evp = NULL;
	if (!ubuf && !size && !values)
		return 0;
	if (!ubuf || size < sizeof(hdr))
		return -EINVAL;
	memset(log, 0, sizeof(*log));
	log->buf = u64_to_user_ptr(ubuf);
	log->size = size;
	log->values = values;
	log->used = sizeof(hdr);
	hdr.used = sizeof(hdr);
	if (copy_to_user(log->buf, &hdr, sizeof(hdr)))
		return -EFAULT;
	log->ev.record = vmc_log_record;
	log->ev.full = vmc_log_full;
	log->ev.flush = vmc_log_flush;
	*evp = &log->ev;
	return 0;
}

/**
 * vmc_log_end() - write the final header of a log
 * @ev: the log's vmc_evicted, as vmc_log_begin() gave it
 *
 * The call's result stands anyway.
 */
void vmc_log_end(struct vmc_evicted *ev)
{
	struct vmc_evict_log *log = container_of(ev, struct vmc_evict_log, ev);
	struct vmemcache_evicted_log hdr = {
		.count = log->count,
		.flags = log->dropped ? VMEMCACHE_EVICTED_TRUNCATED : 0,
		.dropped = log->dropped,
		.used = log->used,
	};

	if (copy_to_user(log->buf, &hdr, sizeof(hdr)))
		pr_debug("evicted log header unwritable\n");
}
