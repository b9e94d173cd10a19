// SPDX-License-Identifier: GPL-2.0
/*
 * The evicted-entries log of the ioctl layer: the records of what a put,
 * an evict or a batch evicted, written to the caller's buffer as
 * struct vmemcache_evicted_log and its records.
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
#include "chardev.h"

/*
 * Most bytes of evicted records a put keeps for a log not in memory before
 * it writes them out and starts over (see vmc_log_full()).
 */
#define VMC_LOG_STAGE	SZ_256K

/* Start staging the records of @log from where it is; false on -ENOMEM. */
static bool vmc_log_stage_start(struct vmc_evict_log *log)
{
	u32 size = min_t(u64, log->size - log->used, VMC_LOG_STAGE);

	log->stage = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!log->stage)
		return false;
	log->stage_at = log->used;
	log->stage_size = size;
	return true;
}

/* Stage the record of @e, for which @log has room. */
static bool vmc_log_stage_rec(struct vmc_evict_log *log,
			      const struct vmc_entry *e)
{
	struct vmemcache_evicted_rec rec = {};
	u32 need = VMEMCACHE_EVICTED_REC_SIZE(e->key_len);
	void *p = log->stage + log->stage_used;

	if (need > log->stage_size - log->stage_used)
		return false;
	rec.value_size = vmc_entry_size(e);
	rec.key_len = e->key_len;
	memcpy(p, &rec, sizeof(rec));
	memcpy(p + sizeof(rec), e->key, e->key_len);
	memset(p + sizeof(rec) + e->key_len, 0,
	       need - sizeof(rec) - e->key_len);
	log->stage_used += need;
	log->stage_count++;
	return true;
}

/*
 * Record an evicted entry, which the caller still holds a reference on, in
 * the caller's log: in place if its buffer is in memory, else staged for
 * vmc_log_flush().
 */
static void vmc_log_record(struct vmc_evicted *ev, const struct vmc_entry *e)
{
	struct vmc_evict_log *log = container_of(ev, struct vmc_evict_log, ev);
	u64 need = VMEMCACHE_EVICTED_REC_SIZE(e->key_len);

	if (log->fault || need > log->size - log->used)
		goto drop;
	if (!log->stage) {
		if (!vmc_entry_write_rec(log->buf + log->used, e))
			goto done;
		if (!vmc_log_stage_start(log)) {
			log->fault = true;
			goto drop;
		}
	}
	if (!vmc_log_stage_rec(log, e))
		goto drop;
done:
	log->used += need;
	log->count++;
	return;
drop:
	log->dropped++;
}

/*
 * Whether a put must stop evicting until the records it staged are
 * written out: the next record may not fit.  The put then starts over
 * (-EFAULT, as for a value not in memory) once vmc_log_flush() brought the
 * log's pages in, so a log in lazily touched memory loses no record.
 */
static bool vmc_log_full(struct vmc_evicted *ev)
{
	struct vmc_evict_log *log = container_of(ev, struct vmc_evict_log, ev);

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
 * @log: the log to set up
 * @evp: out: what to give the cache, NULL when the caller passed no buffer
 *
 * Checks the buffer and writes an empty header, so that a buffer we cannot
 * write fails the call before it changes anything.
 *
 * Return: 0, -EINVAL or -EFAULT.
 */
int vmc_log_begin(u64 ubuf, u64 size, struct vmc_evict_log *log,
		  struct vmc_evicted **evp)
{
	struct vmemcache_evicted_log hdr = {};

	*evp = NULL;
	if (!ubuf && !size)
		return 0;
	if (!ubuf || size < sizeof(hdr))
		return -EINVAL;
	memset(log, 0, sizeof(*log));
	log->buf = u64_to_user_ptr(ubuf);
	log->size = size;
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
