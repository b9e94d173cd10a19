/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmemcache: a kernel LRU key-value cache on DRAM or DAX memory.
 *
 * This is the ioctl ABI of /dev/vmemcache.  Every struct has a fixed size,
 * carries user pointers as __u64, is padded explicitly to a multiple of
 * eight bytes and ends in reserved fields that must be zero.  The kernel
 * dispatches on the ioctl number only and reads the size encoded in the
 * command, so a struct may grow at its end: an older kernel accepts a newer,
 * larger struct as long as the bytes it does not know are zero, and a newer
 * kernel zero-fills what an older program did not pass.
 *
 * Fields marked "out" are ignored on input.
 *
 * A descriptor opened without write access (O_RDONLY) may VERSION, GET,
 * EXISTS, LIST, STATS, TIER_STATS and BATCH gets and exists; PUT, EVICT,
 * TOUCH, CREATE and a BATCH holding a put or an evict fail with EBADF
 * (such a batch runs none of its items).  A private cache's descriptor is read-write.
 *
 * A program first calls VMEMCACHE_IOC_VERSION and checks the feature bit
 * of every capability it relies on beyond PUT, GET, EXISTS, EVICT and
 * STATS: feature bits are the one way capabilities are announced (as in
 * userfaultfd's UFFDIO_API handshake).  api_version is frozen.
 *
 * See Documentation/userspace-api/vmemcache.rst for the full description.
 */
#ifndef _UAPI_LINUX_VMEMCACHE_H
#define _UAPI_LINUX_VMEMCACHE_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Frozen: every module reports 2, the value it had when the feature bits
 * took over, so that programs that test it keep working.  A new
 * capability gets a VMEMCACHE_FEAT_* bit, never a new version.
 */
#define VMEMCACHE_API_VERSION	2

/* Largest key the kernel accepts, in bytes (keys are 1..this long). */
#define VMEMCACHE_MAX_KEY_SIZE	65536

/*
 * Feature bits reported by VMEMCACHE_IOC_VERSION: a set bit promises the
 * capability, and a program must not use one whose bit is clear (an older
 * module fails it with EINVAL or ENOTTY).  Bits are never reused or
 * withdrawn.  "(v2)" marks those that came with api_version 2.
 */
#define VMEMCACHE_FEAT_PUT_REPLACE	_BITULL(0)	/* VMEMCACHE_PUT_REPLACE */
#define VMEMCACHE_FEAT_EVICT_LRU	_BITULL(1)	/* evict with key_len == 0 */
#define VMEMCACHE_FEAT_LOCK_STATS	_BITULL(2)	/* stats count lock use */
#define VMEMCACHE_FEAT_PRIVATE		_BITULL(3)	/* VMEMCACHE_IOC_CREATE (v2) */
#define VMEMCACHE_FEAT_EVICTED_LOG	_BITULL(4)	/* put/evict report evictions (v2) */
#define VMEMCACHE_FEAT_EVICT_PREFIX	_BITULL(5)	/* VMEMCACHE_EVICT_PREFIX (v2) */
#define VMEMCACHE_FEAT_LIST		_BITULL(6)	/* VMEMCACHE_IOC_LIST (v2) */
#define VMEMCACHE_FEAT_BATCH		_BITULL(7)	/* VMEMCACHE_IOC_BATCH (v2) */
#define VMEMCACHE_FEAT_EVICTED_VALUES	_BITULL(8)	/* *_EVICTED_VALUES: values in the log */
#define VMEMCACHE_FEAT_CREATE_FILE	_BITULL(9)	/* VMEMCACHE_CREATE_FILE */
#define VMEMCACHE_FEAT_ITEM_META	_BITULL(10)	/* expiry, client flags, CAS, TOUCH */
#define VMEMCACHE_FEAT_NUMA_NODE	_BITULL(11)	/* VMEMCACHE_CREATE_NUMA_NODE */
#define VMEMCACHE_FEAT_TIERS		_BITULL(12)	/* VMEMCACHE_CREATE_TIER, TIER_STATS */
#define VMEMCACHE_FEAT_ITEM_STATE	_BITULL(13)	/* VMEMCACHE_GET_STATE */
#define VMEMCACHE_FEAT_MAPPED_GET	_BITULL(14)	/* VMEMCACHE_CREATE_MAPPED, MAP_INFO */

/**
 * struct vmemcache_version - API handshake (VMEMCACHE_IOC_VERSION)
 * @api_version: out: VMEMCACHE_API_VERSION, frozen at 2 (1 from the
 *		 modules that had no feature bit past
 *		 VMEMCACHE_FEAT_LOCK_STATS); kept for the programs that test
 *		 it, and never raised: decide by @features instead
 * @pad: out: zero
 * @features: out: VMEMCACHE_FEAT_* bits the module implements, the one
 *	      announcement of its capabilities
 * @max_key_size: out: largest key length accepted
 * @reserved: out: zero
 */
struct vmemcache_version {
	__u32 api_version;
	__u32 pad;
	__u64 features;
	__u64 max_key_size;
	__u64 reserved[5];
};

/* Flags of struct vmemcache_put. */
#define VMEMCACHE_PUT_REPLACE	_BITUL(0)	/* replace an existing value atomically */
#define VMEMCACHE_PUT_EVICTED_VALUES _BITUL(1)	/* values in the evicted log */
#define VMEMCACHE_PUT_CAS	_BITUL(2)	/* only over version @cas (FEAT_ITEM_META) */
#define VMEMCACHE_PUT_PRESENT	_BITUL(3)	/* only over a live entry (FEAT_ITEM_META) */
#define VMEMCACHE_PUT_FLAGS	(VMEMCACHE_PUT_REPLACE | VMEMCACHE_PUT_EVICTED_VALUES | \
				 VMEMCACHE_PUT_CAS | VMEMCACHE_PUT_PRESENT)

/**
 * struct vmemcache_put - store a value (VMEMCACHE_IOC_PUT)
 * @key: user pointer to the key bytes
 * @value: user pointer to the value bytes
 * @value_len: value length, 1..capacity
 * @key_len: key length, 1..VMEMCACHE_MAX_KEY_SIZE
 * @flags: VMEMCACHE_PUT_* flags
 * @evicted: user pointer to a struct vmemcache_evicted_log that receives
 *	     the entries this put evicted to make room, or 0 (since v2,
 *	     VMEMCACHE_FEAT_EVICTED_LOG)
 * @evicted_size: size of the buffer at @evicted in bytes, at least
 *		  sizeof(struct vmemcache_evicted_log) when @evicted is set,
 *		  0 otherwise
 * @cas: with VMEMCACHE_PUT_CAS, the version (struct vmemcache_get's @cas)
 *	 the entry must still have; must be zero otherwise
 *	 (VMEMCACHE_FEAT_ITEM_META)
 * @client_flags: 32 opaque bits stored with the entry and returned by a
 *		  get (VMEMCACHE_FEAT_ITEM_META; zero before)
 * @expiry: when the entry expires, in whole seconds of CLOCK_BOOTTIME
 *	    (clock_gettime(CLOCK_BOOTTIME).tv_sec): from that second on it
 *	    is a miss; 0 never expires (VMEMCACHE_FEAT_ITEM_META; zero
 *	    before)
 *
 * With VMEMCACHE_PUT_EVICTED_VALUES (VMEMCACHE_FEAT_EVICTED_VALUES; EINVAL
 * without @evicted) each record of the log carries the evicted value too,
 * and the value a replacing put removed gets a record of its own (see
 * struct vmemcache_evicted_rec).
 *
 * Fails with EEXIST if the key exists and VMEMCACHE_PUT_REPLACE is not set,
 * and with ENOSPC if the value cannot be made to fit (policy NONE and the
 * cache is full, or the value is larger than the cache) or its entry
 * cannot (the cache's entries are at its DRAM limit and nothing can be
 * evicted, or the entry alone, with its key, is over that limit).
 *
 * An expired entry counts as absent: a put without VMEMCACHE_PUT_REPLACE
 * replaces it.  VMEMCACHE_PUT_PRESENT (memcached's replace) stores only
 * over a live entry and fails with ENOENT otherwise; VMEMCACHE_PUT_CAS
 * stores only over a live entry whose version is @cas, and fails with
 * ENOENT when there is none and EEXIST when its version differs.  Both
 * decide and replace atomically: of puts racing with the same @cas, one
 * wins.  Every put that stores gives the entry a new version.
 */
struct vmemcache_put {
	__u64 key;
	__u64 value;
	__u64 value_len;
	__u32 key_len;
	__u32 flags;
	__u64 evicted;
	__u64 evicted_size;
	__u64 cas;
	__u32 client_flags;
	__u32 expiry;
};

/**
 * struct vmemcache_get - read a value (VMEMCACHE_IOC_GET)
 * @key: user pointer to the key bytes
 * @buf: user pointer to the destination buffer (may be 0 if @buf_len is 0)
 * @buf_len: size of @buf
 * @offset: first byte of the value to copy
 * @key_len: key length, 1..VMEMCACHE_MAX_KEY_SIZE
 * @flags: VMEMCACHE_GET_META or zero
 * @copied: out: bytes copied to @buf, min(@buf_len, size - @offset), or 0
 *	    when @offset is at or past the end of the value
 * @value_size: out: the whole value's size
 * @cas: out with VMEMCACHE_GET_META: the entry's version; else must be zero
 *	 and stays zero
 * @client_flags: out with VMEMCACHE_GET_META: the put's @client_flags;
 *		  else as @cas
 * @expiry: out with VMEMCACHE_GET_META: the entry's expiry (0: none);
 *	    else as @cas
 * @last_access: out with VMEMCACHE_GET_STATE: the CLOCK_BOOTTIME second
 *		 of the entry's last access before this get (its put or the
 *		 last get), by the coarse clock (up to a tick behind
 *		 clock_gettime()'s), 0 when the module cannot keep it
 *		 (32-bit kernels); else as @cas
 * @state: out with VMEMCACHE_GET_STATE: VMEMCACHE_STATE_* bits as they
 *	   were before this get; else as @cas
 * @reserved: must be zero on input; zero on output
 *
 * Fails with ENOENT on a miss; an expired entry is a miss.  A hit counts
 * as a use for the LRU, sets the entry's VMEMCACHE_STATE_FETCHED and
 * makes now its last access (whatever @flags says).
 */
struct vmemcache_get {
	__u64 key;
	__u64 buf;
	__u64 buf_len;
	__u64 offset;
	__u32 key_len;
	__u32 flags;
	__u64 copied;
	__u64 value_size;
	__u64 cas;
	__u32 client_flags;
	__u32 expiry;
	__u32 last_access;
	__u32 state;
	__u64 reserved[1];
};

/* Flags of struct vmemcache_get and struct vmemcache_exists. */
#define VMEMCACHE_GET_META	_BITUL(0)	/* fill in @cas, @client_flags, @expiry */
#define VMEMCACHE_GET_STATE	_BITUL(1)	/* @last_access, @state (FEAT_ITEM_STATE) */
#define VMEMCACHE_GET_FLAGS	(VMEMCACHE_GET_META | VMEMCACHE_GET_STATE)

/* Bits of @state (VMEMCACHE_FEAT_ITEM_STATE). */
#define VMEMCACHE_STATE_FETCHED	_BITUL(0)	/* a get has read the entry */
#define VMEMCACHE_STATE_STALE	_BITUL(1)	/* marked stale (VMEMCACHE_TOUCH_STALE) */
#define VMEMCACHE_STATE_WON	_BITUL(2)	/* win token taken (VMEMCACHE_TOUCH_WIN) */

/**
 * struct vmemcache_exists - look a key up (VMEMCACHE_IOC_EXISTS)
 * @key: user pointer to the key bytes
 * @key_len: key length, 1..VMEMCACHE_MAX_KEY_SIZE
 * @flags: VMEMCACHE_GET_META or zero
 * @value_size: out: the value's size
 * @cas: out with VMEMCACHE_GET_META, as in struct vmemcache_get
 * @client_flags: out with VMEMCACHE_GET_META, as in struct vmemcache_get
 * @expiry: out with VMEMCACHE_GET_META, as in struct vmemcache_get
 * @last_access: out with VMEMCACHE_GET_STATE, as in struct vmemcache_get
 * @state: out with VMEMCACHE_GET_STATE, as in struct vmemcache_get
 * @reserved: must be zero on input; zero on output
 *
 * Fails with ENOENT when the key is absent or its entry expired.  Neither
 * the LRU order, the hit/miss counters nor the entry's state change.
 */
struct vmemcache_exists {
	__u64 key;
	__u32 key_len;
	__u32 flags;
	__u64 value_size;
	__u64 cas;
	__u32 client_flags;
	__u32 expiry;
	__u32 last_access;
	__u32 state;
	__u64 reserved[1];
};

/**
 * struct vmemcache_touch - change an entry's expiry (VMEMCACHE_IOC_TOUCH)
 * @key: user pointer to the key bytes
 * @key_len: key length, 1..VMEMCACHE_MAX_KEY_SIZE
 * @flags: VMEMCACHE_TOUCH_* bits (VMEMCACHE_FEAT_ITEM_STATE), or zero
 * @expiry: the new expiry, as struct vmemcache_put's; 0: never; must be
 *	    zero with VMEMCACHE_TOUCH_KEEP_EXPIRY
 * @pad: must be zero
 * @reserved: must be zero
 *
 * Fails with ENOENT when the key is absent or its entry expired.  The
 * value, the client flags and the version stay; the entry counts as used
 * for the LRU.  Since VMEMCACHE_FEAT_ITEM_META.
 *
 * VMEMCACHE_TOUCH_STALE marks the entry stale (VMEMCACHE_STATE_STALE) and
 * gives its win token back; VMEMCACHE_TOUCH_WIN takes the token
 * (VMEMCACHE_STATE_WON) and fails with EALREADY, changing nothing, when
 * it was taken: of racing takers exactly one succeeds.  A put of the key
 * starts afresh, neither stale nor won.
 */
struct vmemcache_touch {
	__u64 key;
	__u32 key_len;
	__u32 flags;
	__u32 expiry;
	__u32 pad;
	__u64 reserved[3];
};

/* Flags of struct vmemcache_touch (VMEMCACHE_FEAT_ITEM_STATE). */
#define VMEMCACHE_TOUCH_KEEP_EXPIRY	_BITUL(0)	/* leave the expiry */
#define VMEMCACHE_TOUCH_STALE	_BITUL(1)	/* mark stale, token back */
#define VMEMCACHE_TOUCH_WIN	_BITUL(2)	/* take the win token */
#define VMEMCACHE_TOUCH_FLAGS	(VMEMCACHE_TOUCH_KEEP_EXPIRY | \
				 VMEMCACHE_TOUCH_STALE | VMEMCACHE_TOUCH_WIN)

/**
 * struct vmemcache_evict - drop an entry (VMEMCACHE_IOC_EVICT)
 * @key: user pointer to the key bytes, or 0 with @key_len 0
 * @key_len: key length; 0 evicts the least recently used entry
 * @flags: VMEMCACHE_EVICT_* flags
 * @evicted: as in struct vmemcache_put: receives the entries evicted (since
 *	     v2, VMEMCACHE_FEAT_EVICTED_LOG)
 * @evicted_size: as in struct vmemcache_put
 * @reserved: must be zero
 *
 * Fails with ENOENT when the key is absent or its entry expired (the entry
 * is reclaimed), and with ESRCH when @key_len is 0 and there is nothing the
 * replacement policy can evict.  With
 * VMEMCACHE_EVICT_PREFIX the key is a prefix (1 byte at least): every entry
 * whose key starts with it is evicted, ENOENT if there was none.
 * VMEMCACHE_EVICT_EVICTED_VALUES: as VMEMCACHE_PUT_EVICTED_VALUES.
 */
struct vmemcache_evict {
	__u64 key;
	__u32 key_len;
	__u32 flags;
	__u64 evicted;
	__u64 evicted_size;
	__u64 reserved[2];
};

/* Flags of struct vmemcache_evict. */
#define VMEMCACHE_EVICT_PREFIX	_BITUL(0)	/* evict every key with this prefix (v2) */
#define VMEMCACHE_EVICT_EVICTED_VALUES _BITUL(1) /* values in the evicted log */
#define VMEMCACHE_EVICT_FLAGS	(VMEMCACHE_EVICT_PREFIX | VMEMCACHE_EVICT_EVICTED_VALUES)

/* Flags of struct vmemcache_evicted_log. */
#define VMEMCACHE_EVICTED_TRUNCATED	_BITUL(0)	/* records were dropped */

/**
 * struct vmemcache_evicted_log - entries a put or an evict removed
 * @count: out: records that follow
 * @flags: out: VMEMCACHE_EVICTED_TRUNCATED when some evictions did not fit
 *	   (or could not be written); they are counted in @dropped
 * @dropped: out: evictions not recorded
 * @used: out: bytes of the buffer used, this header included
 * @reserved: out: written as zero
 *
 * @count struct vmemcache_evicted_rec follow the header, each 8-byte
 * aligned.
 *
 * The kernel writes the header before it evicts anything (a buffer it
 * cannot write fails the call with EFAULT and nothing changes), then one
 * record per entry it evicts, in eviction order.  The entries are gone
 * when the call returns: their values can no longer be read, unless the
 * call asked for them (VMEMCACHE_PUT_EVICTED_VALUES,
 * VMEMCACHE_EVICT_EVICTED_VALUES, VMEMCACHE_BATCH_EVICTED_VALUES): then
 * each record carries its entry's value, copied before its space was
 * reused, when the rest of the buffer holds it.
 */
struct vmemcache_evicted_log {
	__u32 count;
	__u32 flags;
	__u64 dropped;
	__u64 used;
	__u64 reserved;
};

/* Flags of struct vmemcache_evicted_rec (logs with values only). */
#define VMEMCACHE_EVICTED_REC_VALUE	_BITUL(0)	/* the value follows */
#define VMEMCACHE_EVICTED_REC_REPLACED	_BITUL(1)	/* replaced by the put */

/**
 * struct vmemcache_evicted_rec - one evicted entry
 * @value_size: size of its value
 * @key_len: length of @key
 * @pad: zero, in listings and in logs without values
 * @rec_flags: in a log with values (the same field as @pad):
 *	       VMEMCACHE_EVICTED_REC_* flags
 *
 * The key's bytes follow, then zero padding to a multiple of 8 bytes.  In
 * a log with values, a record with VMEMCACHE_EVICTED_REC_VALUE is followed
 * by the @value_size bytes of the value, then zero padding to a multiple
 * of 8 bytes (VMEMCACHE_EVICTED_VREC_SIZE()); one without it carries no
 * value: it did not fit in the rest of the buffer, or could not be read
 * (a media error), and @value_size still tells its full length.  A record
 * with VMEMCACHE_EVICTED_REC_REPLACED is the value a replacing put
 * removed; it is not counted as an eviction in the statistics.
 */
struct vmemcache_evicted_rec {
	__u64 value_size;
	__u32 key_len;
	union {
		__u32 pad;
		__u32 rec_flags;
	};
};

/* Bytes a record of a key of @key_len bytes takes in the log. */
#define VMEMCACHE_EVICTED_REC_SIZE(key_len) \
	((sizeof(struct vmemcache_evicted_rec) + (__u64)(key_len) + 7) & ~7ULL)

/* Bytes a record with a value of @value_size bytes takes in the log. */
#define VMEMCACHE_EVICTED_VREC_SIZE(key_len, value_size) \
	(VMEMCACHE_EVICTED_REC_SIZE(key_len) + (((__u64)(value_size) + 7) & ~7ULL))

/**
 * struct vmemcache_list_rec - one listed key (VMEMCACHE_IOC_LIST)
 * @value_size: size of its value
 * @key_len: length of the key
 * @pad: zero
 *
 * The key's bytes follow, then zero padding to a multiple of 8 bytes.
 * Laid out as struct vmemcache_evicted_rec, which programs built before
 * this type existed read listings with, and which stays right for them.
 */
struct vmemcache_list_rec {
	__u64 value_size;
	__u32 key_len;
	__u32 pad;
};

/* Bytes a listed key of @key_len bytes takes in the buffer. */
#define VMEMCACHE_LIST_REC_SIZE(key_len) \
	((sizeof(struct vmemcache_list_rec) + (__u64)(key_len) + 7) & ~7ULL)

/**
 * struct vmemcache_list - list keys, a bufferful at a time (VMEMCACHE_IOC_LIST)
 * @prefix: user pointer to a prefix the keys must start with, or 0 with
 *	    @prefix_len 0 for every key
 * @buf: user buffer that receives the records, one struct
 *	 vmemcache_list_rec (the value's size and the key's length) and the
 *	 key per key, VMEMCACHE_LIST_REC_SIZE() bytes each, without a header
 * @buf_size: size of @buf in bytes
 * @cursor: in: 0 to start, or the @cursor a previous call returned;
 *	    out: where the next call goes on, 0 when the listing is complete
 * @prefix_len: length of @prefix, 0..VMEMCACHE_MAX_KEY_SIZE
 * @flags: must be zero
 * @count: out: records written to @buf (at most 4096 a call)
 * @pad: zero
 * @used: out: bytes of @buf written
 * @reserved: must be zero on input; zero on output
 *
 * Keys come in the order of a keyed hash fixed for the cache's life, and
 * the cursor is a position in that order, so a key that exists for the
 * whole listing is listed exactly once, whatever else happens meanwhile;
 * a key stored or removed during the listing may or may not be listed.
 * Fails with EOVERFLOW when the next key does not fit in an empty @buf.
 * Neither the LRU order nor any counter changes.  Each call walks the
 * whole index.
 */
struct vmemcache_list {
	__u64 prefix;
	__u64 buf;
	__u64 buf_size;
	__u64 cursor;
	__u32 prefix_len;
	__u32 flags;
	__u32 count;
	__u32 pad;
	__u64 used;
	__u64 reserved[3];
};

/* Operations of struct vmemcache_batch_item. */
#define VMEMCACHE_BATCH_GET	0	/* copy the value (from offset 0) to @buf */
#define VMEMCACHE_BATCH_PUT	1	/* store @len bytes at @buf */
#define VMEMCACHE_BATCH_EXISTS	2	/* set @value_size if present */
#define VMEMCACHE_BATCH_EVICT	3	/* remove the key */

/* Most items one VMEMCACHE_IOC_BATCH takes. */
#define VMEMCACHE_BATCH_MAX	1024

/**
 * struct vmemcache_batch_item - one operation of a batch
 * @key: user pointer to the key bytes
 * @buf: PUT: the value; GET: the destination (may be 0 if @len is 0)
 * @len: PUT: the value's length; GET: the size of @buf
 * @key_len: key length, 1..VMEMCACHE_MAX_KEY_SIZE
 * @op: VMEMCACHE_BATCH_*
 * @flags: PUT: VMEMCACHE_PUT_REPLACE or 0; others: 0
 * @result: out: 0, or the negative errno the single command would fail
 *	    with (-ENOENT for a missing key, -EEXIST, -ENOSPC, -EINVAL, ...)
 * @pad: must be zero
 * @value_size: out: GET and EXISTS: the value's size
 * @copied: out: GET: bytes copied, min(@len, value size); 0 when the
 *	    item failed
 */
struct vmemcache_batch_item {
	__u64 key;
	__u64 buf;
	__u64 len;
	__u32 key_len;
	__u16 op;
	__u16 flags;
	__s32 result;
	__u32 pad;
	__u64 value_size;
	__u64 copied;
};

/**
 * struct vmemcache_batch - several operations in one call (VMEMCACHE_IOC_BATCH)
 * @items: user pointer to @count struct vmemcache_batch_item
 * @count: 1..VMEMCACHE_BATCH_MAX
 * @flags: VMEMCACHE_BATCH_EVICTED_VALUES or 0
 * @done: out: items carried out, in order (@count unless an item could not
 *	  be read or its results written: then the call fails with EFAULT)
 * @pad: must be zero
 * @evicted: as in struct vmemcache_put: the entries the batch's puts and
 *	     evicts removed, in order
 * @evicted_size: as in struct vmemcache_put
 * @reserved: must be zero
 *
 * Each item runs as its own command would and gets its own result; one
 * failing does not stop the others.  The call fails (EINVAL, EFAULT) only
 * for a bad batch, and with EBADF, before any item runs, when the
 * descriptor is read-only and an item is a put or an evict.
 */
struct vmemcache_batch {
	__u64 items;
	__u32 count;
	__u32 flags;
	__u32 done;
	__u32 pad;
	__u64 evicted;
	__u64 evicted_size;
	__u64 reserved[2];
};

/* Flags of struct vmemcache_batch. */
#define VMEMCACHE_BATCH_EVICTED_VALUES _BITUL(0) /* values in the evicted log */
#define VMEMCACHE_BATCH_FLAGS	(VMEMCACHE_BATCH_EVICTED_VALUES)

/* Replacement policies of struct vmemcache_create. */
#define VMEMCACHE_POLICY_NONE	0	/* a full cache fails puts with ENOSPC */
#define VMEMCACHE_POLICY_LRU	1	/* evict the least recently used */

/* Flags of struct vmemcache_create. */
#define VMEMCACHE_CREATE_CLOEXEC	_BITUL(0)	/* O_CLOEXEC on the new fd */
#define VMEMCACHE_CREATE_DAX		_BITUL(1)	/* pool on @backing_fd */
#define VMEMCACHE_CREATE_FILE		_BITUL(2)	/* pool in file @backing_fd */
#define VMEMCACHE_CREATE_NUMA_NODE	_BITUL(3)	/* DRAM pool on @numa_node */
#define VMEMCACHE_CREATE_TIER		_BITUL(4)	/* a slow tier behind the pool */
#define VMEMCACHE_CREATE_MAPPED		_BITUL(5)	/* gets may read a mapping */
#define VMEMCACHE_CREATE_FLAGS	(VMEMCACHE_CREATE_CLOEXEC | VMEMCACHE_CREATE_DAX | \
				 VMEMCACHE_CREATE_FILE | VMEMCACHE_CREATE_NUMA_NODE | \
				 VMEMCACHE_CREATE_TIER | VMEMCACHE_CREATE_MAPPED)
/* Flags of struct vmemcache_create's @slow_flags: the slow pool's kind. */
#define VMEMCACHE_CREATE_SLOW_FLAGS	(VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_FILE | \
					 VMEMCACHE_CREATE_NUMA_NODE)

/**
 * struct vmemcache_create - a private cache (VMEMCACHE_IOC_CREATE, v2)
 * @size: pool size in bytes, rounded up to a page; at least 1 MiB.  With
 *	  VMEMCACHE_CREATE_DAX, 0 takes the whole device and a size larger
 *	  than the device fails with EINVAL; with VMEMCACHE_CREATE_FILE,
 *	  likewise with the file (its size rounded down to a page).
 * @extent_size: allocation unit in bytes, 64..1 GiB, a multiple of 8 and
 *		 not above the pool size
 * @policy: VMEMCACHE_POLICY_*
 * @flags: VMEMCACHE_CREATE_* flags
 * @backing_fd: with VMEMCACHE_CREATE_DAX, a descriptor of a DAX-capable
 *		block device (e.g. /dev/pmem0) opened for reading and
 *		writing (O_RDWR; else EBADF), which must not be read-only
 *		(EROFS); the device is claimed exclusively while the cache
 *		lives (EBUSY if it is claimed already, ENXIO if it went away
 *		since it was opened).  With VMEMCACHE_CREATE_FILE (feature
 *		VMEMCACHE_FEAT_CREATE_FILE; not with VMEMCACHE_CREATE_DAX:
 *		EINVAL), a descriptor of a regular file (else EINVAL; a
 *		vmemcache descriptor is EINVAL too) opened O_RDWR (else
 *		EBADF), on a filesystem mounted with DAX (else EOPNOTSUPP),
 *		at least as large as the pool (else EINVAL), not a swap file
 *		(ETXTBSY), immutable or append-only (EPERM), on a writable
 *		filesystem (EROFS).  The file is opened again by the kernel
 *		and held while the cache lives: values are read and written
 *		through it, its filesystem cannot be unmounted meanwhile
 *		(EBUSY); a get of a value the file no longer holds
 *		(truncated) or cannot read (a filesystem error) fails with
 *		EIO and drops the entry, and a put the filesystem cannot
 *		write (errors, no room for a sparse file's blocks) fails
 *		with EIO.
 *		Must be 0 otherwise.
 * @numa_node: with VMEMCACHE_CREATE_NUMA_NODE (feature
 *	       VMEMCACHE_FEAT_NUMA_NODE; a DRAM pool only: with
 *	       VMEMCACHE_CREATE_DAX or VMEMCACHE_CREATE_FILE, EINVAL), the
 *	       NUMA node every page of the pool comes from, or -1 for any
 *	       node (as without the flag).  A number no node can have is
 *	       EINVAL, a node that is not online or has no memory ENODEV,
 *	       and a node without room for the pool ENOMEM (logged once,
 *	       rate-limited); the pool never spills over to another node.
 *	       Must be 0 without the flag.
 * @pad: must be zero
 * @reserved: must be zero without VMEMCACHE_CREATE_TIER; the same bytes
 *	      as @slow_size, @slow_flags, @slow_fd, @slow_numa_node and
 *	      @slow_pad
 * @slow_size: with VMEMCACHE_CREATE_TIER (feature VMEMCACHE_FEAT_TIERS),
 *	       the slow tier's pool size, as @size is the fast tier's
 *	       (0 with VMEMCACHE_CREATE_DAX or VMEMCACHE_CREATE_FILE in
 *	       @slow_flags: the whole device or file)
 * @slow_flags: the slow pool's kind, as @flags says the fast pool's:
 *		0 (DRAM), VMEMCACHE_CREATE_DAX, VMEMCACHE_CREATE_FILE or
 *		VMEMCACHE_CREATE_NUMA_NODE (VMEMCACHE_CREATE_SLOW_FLAGS;
 *		other bits EINVAL)
 * @slow_fd: as @backing_fd, for the slow pool
 * @slow_numa_node: as @numa_node, for the slow pool
 * @slow_pad: must be zero
 *
 * With VMEMCACHE_CREATE_TIER the cache has two tiers: puts store into the
 * fast pool (@size, @flags); an entry the fast pool evicts to make room is
 * demoted into the slow pool instead, and only what the slow pool evicts
 * leaves the cache (the evicted log reports those, never demotions).  A
 * get that hits in the slow tier is served from there; the second hit an
 * entry gets there promotes it back into the fast pool, when that needs no
 * eviction from the slow pool.  Needs VMEMCACHE_POLICY_LRU (else EINVAL).
 * Both tiers take the same @extent_size, which must fit either pool.
 * VMEMCACHE_IOC_TIER_STATS reads per-tier counters.  Without the flag,
 * @slow_size, @slow_flags, @slow_fd, @slow_numa_node and @slow_pad must be
 * zero (EINVAL).
 *
 * With VMEMCACHE_CREATE_MAPPED (feature VMEMCACHE_FEAT_MAPPED_GET; a DRAM
 * pool of one tier only: with VMEMCACHE_CREATE_DAX, VMEMCACHE_CREATE_FILE
 * or VMEMCACHE_CREATE_TIER, EINVAL) the cache's pool and a lookup table
 * can be mapped into the caller's memory, so that a get that hits needs
 * no system call: see struct vmemcache_map_info.
 *
 * Returns a new file descriptor (an anonymous inode) on which VERSION, PUT,
 * GET, EXISTS, EVICT, STATS, LIST and BATCH work as on /dev/vmemcache, on a
 * cache of its own (CREATE does not: ENOTTY).  The cache lives while any
 * descriptor for it is open (dup, fork and SCM_RIGHTS share it) and is
 * freed with the last close.
 *
 * When the device of a DAX cache goes away (its driver is unbound, its
 * namespace destroyed), the cache stops using it: every PUT and GET fails
 * with ENXIO from then on, and the descriptor still closes normally.
 */
struct vmemcache_create {
	__u64 size;
	__u32 extent_size;
	__u32 policy;
	__u32 flags;
	__s32 backing_fd;
	__s32 numa_node;
	__u32 pad;
	union {
		__u64 reserved[3];
		struct {
			__u64 slow_size;
			__u32 slow_flags;
			__s32 slow_fd;
			__s32 slow_numa_node;
			__u32 slow_pad;
		};
	};
};

/**
 * struct vmemcache_stats - counters of the cache (VMEMCACHE_IOC_STATS)
 * @puts: values stored
 * @gets: get calls
 * @hits: gets that found their key
 * @misses: gets that did not
 * @evictions: entries evicted, by the policy or by VMEMCACHE_IOC_EVICT
 * @entries: entries in the cache now
 * @pool_used: bytes of the pool allocated to values (whole extents)
 * @dram_used: bytes of DRAM allocated for entries, keys and extent arrays
 *	       (slab size classes included); bounded by the cache's DRAM
 *	       limit, past which puts evict or fail with ENOSPC
 * @free_extents: free extents in the allocator
 * @pool_size: bytes in the pool (the capacity)
 * @extent_size: the allocation unit in bytes
 * @lru_lock_acquired: times the replacement policy took its list lock
 *		       (a debug statistic; since the policy was last set)
 * @lru_lock_contended: of those, times it had to wait for the lock
 * @alloc_lock_acquired: times the extent allocator took its lock (a debug
 *			 statistic; since capacity or extent_size last changed)
 * @alloc_lock_contended: of those, times it had to wait for the lock
 * @poisoned: bytes of the pool out of service after media errors (whole
 *	      extents; neither used nor free)
 *
 * Expired entries reclaimed are not evictions; the shared cache counts
 * them in io_stat (sysfs).
 *
 * In a cache with two tiers (VMEMCACHE_CREATE_TIER) the counters cover the
 * whole cache: @hits counts the hits of both tiers, @evictions only the
 * entries that left the cache (not demotions), and @pool_used, @pool_size,
 * @free_extents and @poisoned add both pools up.
 * VMEMCACHE_IOC_TIER_STATS tells the tiers apart.
 */
struct vmemcache_stats {
	__u64 puts;
	__u64 gets;
	__u64 hits;
	__u64 misses;
	__u64 evictions;
	__u64 entries;
	__u64 pool_used;
	__u64 dram_used;
	__u64 free_extents;
	__u64 pool_size;
	__u64 extent_size;
	__u64 lru_lock_acquired;
	__u64 lru_lock_contended;
	__u64 alloc_lock_acquired;
	__u64 alloc_lock_contended;
	__u64 poisoned;
};

/**
 * struct vmemcache_tier - counters of one tier (struct vmemcache_tier_stats)
 * @hits: gets served from this tier
 * @entries: entries in this tier now
 * @pool_used: bytes of this tier's pool allocated to values
 * @pool_size: bytes in this tier's pool
 * @reserved: zero
 */
struct vmemcache_tier {
	__u64 hits;
	__u64 entries;
	__u64 pool_used;
	__u64 pool_size;
	__u64 reserved[4];
};

/* Tiers struct vmemcache_tier_stats describes: fast (0) and slow (1). */
#define VMEMCACHE_MAX_TIERS	2

/**
 * struct vmemcache_tier_stats - per-tier counters (VMEMCACHE_IOC_TIER_STATS)
 * @nr_tiers: out: 2 for a cache created with VMEMCACHE_CREATE_TIER, else 1
 * @pad: out: zero
 * @demotions: out: entries the fast tier moved into the slow tier
 * @promotions: out: entries the slow tier moved back into the fast tier
 * @reserved: out: zero
 * @tier: out: [0] the fast tier (the only one of a one-tier cache), [1]
 *	  the slow tier (all zero in a one-tier cache)
 *
 * Since VMEMCACHE_FEAT_TIERS.  Allowed on a read-only descriptor; the
 * shared cache has one tier.
 */
struct vmemcache_tier_stats {
	__u32 nr_tiers;
	__u32 pad;
	__u64 demotions;
	__u64 promotions;
	__u64 reserved[5];
	struct vmemcache_tier tier[VMEMCACHE_MAX_TIERS];
};

/*
 * Gets from a mapping (VMEMCACHE_FEAT_MAPPED_GET).  A private cache created
 * with VMEMCACHE_CREATE_MAPPED can be mapped with mmap() of its descriptor,
 * MAP_SHARED, at three offsets:
 *
 * VMEMCACHE_MAP_OFF_TABLE, read-only, @table_size bytes: an array of
 * @nr_slots struct vmemcache_map_slot.  An entry whose key is at most
 * VMEMCACHE_MAP_KEY_MAX bytes long, whose value lies in one run of the
 * pool, and which has no expiry and is not stale, may be in slot
 * i = vmemcache_map_hash() & (@nr_slots - 1) or in slot i ^ 1.  A key
 * is given a slot when a get through the kernel (VMEMCACHE_IOC_GET, or
 * a get of VMEMCACHE_IOC_BATCH) finds it, and keeps it when a put
 * replaces its value; the put of a new key gives it none.  When both
 * slots are held, it takes one whose @accessed byte is clear; when both
 * are set, it takes none and clears them, so that keys readers hit keep
 * their slots and one no longer hit gives its slot up.  A key not in the
 * table may still be cached: a lookup there must fall back to
 * VMEMCACHE_IOC_GET, which also counts the misses.
 *
 * VMEMCACHE_MAP_OFF_POOL, read-only, @pool_size bytes: the pool; a slot's
 * @offset is into it.
 *
 * VMEMCACHE_MAP_OFF_STATE, read-write, @state_size bytes: a struct
 * vmemcache_map_state, written by the readers.
 *
 * A reader of slot i: read @seq (with acquire order); odd means the slot
 * is empty or changing, so try the other slot.  Compare the key (another
 * key: try the other slot), copy the value from
 * the pool at @offset (checking @offset + @size against @pool_size), then
 * read @seq again after a read barrier: only an unchanged @seq proves that
 * the copy is the entry's value, whole; else fall back.  A hit then sets
 * @accessed[i] (the replacement policy gives an entry marked so a second
 * chance before evicting it) and adds one to @hits.  Gets from the mapping
 * do not set VMEMCACHE_STATE_FETCHED or the entry's last access.
 *
 * The mappings keep the cache alive after its last descriptor is closed,
 * until they are unmapped.  The pool mapping shows every byte of the pool,
 * the free extents too: values evicted or replaced stay readable there
 * until their space is reused.
 */
#define VMEMCACHE_MAP_OFF_TABLE	0ULL
#define VMEMCACHE_MAP_OFF_STATE	_BITULL(32)
#define VMEMCACHE_MAP_OFF_POOL	_BITULL(33)

/* Longest key a slot holds. */
#define VMEMCACHE_MAP_KEY_MAX	96

/**
 * struct vmemcache_map_slot - one entry of the lookup table
 * @seq: even while the slot holds an entry that stays unchanged
 * @key_len: the key's length in bytes
 * @offset: the value's offset in the pool mapping
 * @size: the value's size in bytes
 * @reserved: zero
 * @key: the key's bytes
 */
struct vmemcache_map_slot {
	__u32 seq;
	__u32 key_len;
	__u64 offset;
	__u64 size;
	__u64 reserved;
	__u8 key[VMEMCACHE_MAP_KEY_MAX];
};

/**
 * struct vmemcache_map_state - what readers of a mapping write
 * @hits: gets served from the mapping; VMEMCACHE_IOC_STATS adds them to
 *	  its @gets and @hits
 * @reserved: zero
 * @accessed: one byte per slot, set by a reader that hit in the slot
 */
struct vmemcache_map_state {
	__u64 hits;
	__u64 reserved[7];
	__u8 accessed[];
};

/**
 * struct vmemcache_map_info - how to map a cache (VMEMCACHE_IOC_MAP_INFO)
 * @pool_size: out: bytes to map at VMEMCACHE_MAP_OFF_POOL
 * @table_size: out: bytes to map at VMEMCACHE_MAP_OFF_TABLE
 * @state_size: out: bytes to map at VMEMCACHE_MAP_OFF_STATE
 * @nr_slots: out: slots in the table, a power of two
 * @slot_size: out: sizeof(struct vmemcache_map_slot)
 * @seed: out: the seed of the cache's vmemcache_map_hash()
 * @reserved: out: zero
 *
 * Since VMEMCACHE_FEAT_MAPPED_GET; fails with ENODEV on a cache created
 * without VMEMCACHE_CREATE_MAPPED.
 */
struct vmemcache_map_info {
	__u64 pool_size;
	__u64 table_size;
	__u64 state_size;
	__u32 nr_slots;
	__u32 slot_size;
	__u64 seed;
	__u64 reserved[4];
};

/*
 * The hash that places a key in the table: 64-bit FNV-1a, its offset
 * basis mixed with the cache's seed, then a finalizer that spreads every
 * bit into the low ones the table uses (on keys that differ in their
 * last digits, FNV-1a alone left up to 2x the keys ideal spreading does
 * without a slot).
 */
static inline __u64 vmemcache_map_hash(__u64 seed, const void *key,
				       __u32 len)
{
	const unsigned char *p = (const unsigned char *)key;
	__u64 h = 0xcbf29ce484222325ULL ^ seed;
	__u32 i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#define VMEMCACHE_IOC_MAGIC	0xBA

#define VMEMCACHE_IOC_VERSION	_IOR(VMEMCACHE_IOC_MAGIC, 0x00, struct vmemcache_version)
#define VMEMCACHE_IOC_PUT	_IOW(VMEMCACHE_IOC_MAGIC, 0x01, struct vmemcache_put)
#define VMEMCACHE_IOC_GET	_IOWR(VMEMCACHE_IOC_MAGIC, 0x02, struct vmemcache_get)
#define VMEMCACHE_IOC_EXISTS	_IOWR(VMEMCACHE_IOC_MAGIC, 0x03, struct vmemcache_exists)
#define VMEMCACHE_IOC_EVICT	_IOW(VMEMCACHE_IOC_MAGIC, 0x04, struct vmemcache_evict)
#define VMEMCACHE_IOC_STATS	_IOR(VMEMCACHE_IOC_MAGIC, 0x05, struct vmemcache_stats)
#define VMEMCACHE_IOC_CREATE	_IOW(VMEMCACHE_IOC_MAGIC, 0x06, struct vmemcache_create)
#define VMEMCACHE_IOC_LIST	_IOWR(VMEMCACHE_IOC_MAGIC, 0x07, struct vmemcache_list)
#define VMEMCACHE_IOC_BATCH	_IOWR(VMEMCACHE_IOC_MAGIC, 0x08, struct vmemcache_batch)
#define VMEMCACHE_IOC_TOUCH	_IOW(VMEMCACHE_IOC_MAGIC, 0x09, struct vmemcache_touch)
#define VMEMCACHE_IOC_TIER_STATS _IOR(VMEMCACHE_IOC_MAGIC, 0x0A, struct vmemcache_tier_stats)
#define VMEMCACHE_IOC_MAP_INFO	_IOR(VMEMCACHE_IOC_MAGIC, 0x0B, struct vmemcache_map_info)

#endif /* _UAPI_LINUX_VMEMCACHE_H */
