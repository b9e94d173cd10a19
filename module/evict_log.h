/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The evicted-entries log (evict_log.c), part of the ioctl layer: what
 * chardev.c gives the cache, as a struct vmc_evicted, to learn what a
 * call evicted.
 */
#ifndef _VMC_EVICT_LOG_H
#define _VMC_EVICT_LOG_H

#include <linux/types.h>

#include "cache.h"

/**
 * struct vmc_evict_log - where a put or an evict reports what it evicted
 * @ev: what the cache calls
 * @buf: user buffer: a struct vmemcache_evicted_log and its records
 * @size: its size in bytes
 * @used: bytes written so far, the header included
 * @count: records written
 * @dropped: evictions that did not fit or could not be written
 * @values: the records carry the evicted values, and replaced ones are
 *	    recorded too
 * @fault: a write to @buf failed; nothing more is written
 * @stage: records that could not be written to @buf under the cache's
 *	   locks (its page was not in memory), kept until they are dropped;
 *	   they go to @buf at @stage_at onwards, and every later record
 *	   goes here too
 * @stage_at: offset in @buf of the first staged record
 * @stage_size: size of @stage
 * @stage_used: bytes staged
 * @stage_count: records staged
 */
struct vmc_evict_log {
	struct vmc_evicted ev;
	void __user *buf;
	u64 size;
	u64 used;
	u32 count;
	u64 dropped;
	bool values;
	bool fault;
	void *stage;
	u64 stage_at;
	u32 stage_size;
	u32 stage_used;
	u32 stage_count;
};

int vmc_log_begin(u64 ubuf, u64 size, bool values, struct vmc_evict_log *log,
		  struct vmc_evicted **evp);
void vmc_log_end(struct vmc_evicted *ev);

#endif /* _VMC_EVICT_LOG_H */
