/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h -- the storage behind vmemcached: a key-value store whose
 * entries carry memcached's item metadata (client flags, absolute expiry,
 * 64-bit CAS).  The protocol layer (proto.c) decides what the commands
 * mean; a backend only stores, fetches and removes whole entries, each
 * call atomic on its own.  Read-modify-write commands (cas, add, replace,
 * append, prepend, incr, decr, touch) are made atomic by the protocol
 * layer's striped locks, i.e. per server process; a backend whose store
 * does the comparison itself (kernel-side CAS) will make them atomic across
 * processes sharing one cache.
 */
#ifndef VMCD_BACKEND_H
#define VMCD_BACKEND_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct vmcd_meta - metadata stored with every value
 * @flags: the client's opaque 32-bit flags
 * @exptime: absolute expiry in Unix seconds, 0 for never
 * @cas: the entry's CAS unique, never 0
 */
struct vmcd_meta {
	uint32_t flags;
	int64_t exptime;
	uint64_t cas;
};

/**
 * struct vmcd_bstats - counters a backend reports for "stats"
 * @items: entries now
 * @bytes: bytes the values (and their headers) take now
 * @limit: capacity in bytes
 * @evictions: entries evicted to make room
 */
struct vmcd_bstats {
	uint64_t items, bytes, limit, evictions;
};

struct vmcd_backend;

/**
 * struct vmcd_backend_ops - what a backend implements
 * @get: copy the value of @key into @buf (@cap bytes: the value fits when
 *	vlen + hdr_room <= @cap; it starts at @buf) and its
 *	metadata into *@m; *@vlen is the value's size.  Returns 0, -ENOENT
 *	on a miss, -ENOSPC (with *@vlen set) when @cap is too small, or
 *	another negative errno.  Expiry is the caller's business.
 * @store: store @key with @m and the @vlen bytes at @v, replacing any
 *	previous value atomically.  Returns 0, -ENOSPC/-E2BIG when it cannot
 *	fit, or another negative errno.
 * @del: remove @key: 0, -ENOENT, or a negative errno.
 * @touch: set the expiry of @key to @exptime (keeping value, flags and
 *	CAS): 0, -ENOENT or a negative errno.  @buf/@cap: scratch space of
 *	the caller (the largest entry fits).
 * @stats: fill *@st (fields it cannot tell stay 0).
 * @destroy: free the backend.
 */
struct vmcd_backend_ops {
	int (*get)(struct vmcd_backend *b, const char *key, size_t klen,
		   struct vmcd_meta *m, void *buf, size_t cap, size_t *vlen);
	int (*store)(struct vmcd_backend *b, const char *key, size_t klen,
		     const struct vmcd_meta *m, const void *v, size_t vlen);
	int (*del)(struct vmcd_backend *b, const char *key, size_t klen);
	int (*touch)(struct vmcd_backend *b, const char *key, size_t klen,
		     int64_t exptime, void *buf, size_t cap);
	void (*stats)(struct vmcd_backend *b, struct vmcd_bstats *st);
	void (*destroy)(struct vmcd_backend *b);
};

/**
 * struct vmcd_backend - a backend instance
 * @ops: its operations
 * @hdr_room: bytes of scratch space @get and @touch need besides the value
 */
struct vmcd_backend {
	const struct vmcd_backend_ops *ops;
	size_t hdr_room;
};

/**
 * vmcd_backend_mem() - an in-memory backend (a chained hash table on the
 * heap), for tests and for hosts without the module.
 * @limit: capacity in bytes (0: unlimited); a store beyond it fails.
 * Return: the backend, or NULL (errno set).
 */
struct vmcd_backend *vmcd_backend_mem(size_t limit);

/**
 * vmcd_backend_kdev() - a backend on libvmemcache-kdev.
 * @path: "/dev/vmemcache" (the shared cache) or a directory (a private
 *	DRAM cache of @size bytes), as vmemcache_add() takes.
 * @size: private cache size in bytes (ignored for the shared cache)
 * @max_value: largest value the server accepts (for buffer sizing)
 * Return: the backend, or NULL with errno set and a message in @err.
 */
struct vmcd_backend *vmcd_backend_kdev(const char *path, size_t size,
				       size_t max_value, char *err,
				       size_t errlen);

#endif /* VMCD_BACKEND_H */
