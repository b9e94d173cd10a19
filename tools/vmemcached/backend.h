/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h -- the storage behind vmemcached: a key-value store whose
 * entries carry memcached's item metadata (client flags, absolute expiry,
 * 64-bit CAS) as the store's own fields.  The store gives every stored
 * entry a new CAS and decides conditional stores (add, replace, cas) and
 * conditional deletes atomically itself, so read-modify-write commands
 * (append, incr, ...) are CAS loops that stay atomic against every process
 * sharing the store, not only against this server's threads.
 */
#ifndef VMCD_BACKEND_H
#define VMCD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct vmcd_meta - metadata stored with every value
 * @flags: the client's opaque 32-bit flags
 * @exptime: absolute expiry in Unix seconds, 0 for never
 * @cas: the entry's CAS unique (the store's version of it), never 0
 * @fetched: out of @get (struct vmcd_backend @item_state): a get had
 *	read the entry before this one
 * @atime: out of @get (@item_state): the Unix second of the entry's last
 *	access before this get (its store or the last get), 0 when unknown
 * @stale: out of @get (@item_state): marked stale (@mark)
 * @won: out of @get (@item_state): its win token was taken (@mark)
 */
struct vmcd_meta {
	uint32_t flags;
	int64_t exptime;
	uint64_t cas;
	bool fetched;
	int64_t atime;
	bool stale;
	bool won;
};

/* How struct vmcd_backend_ops @mark changes an entry (@how bits). */
#define VMCD_MARK_STALE		1	/* stale, its win token given back */
#define VMCD_MARK_WIN		2	/* take the win token */
#define VMCD_MARK_KEEP_TTL	4	/* leave the expiry (else @exptime) */

/**
 * struct vmcd_bstats - counters a backend reports for "stats"
 * @items: entries now
 * @bytes: bytes the values take now
 * @limit: capacity in bytes
 * @evictions: entries evicted to make room
 */
struct vmcd_bstats {
	uint64_t items, bytes, limit, evictions;
};

struct vmcd_backend;

/* How a store decides (struct vmcd_backend_ops @store's @mode). */
enum vmcd_store_mode {
	VMCD_ST_SET,		/* always (over any entry) */
	VMCD_ST_ADD,		/* only if absent: -EEXIST otherwise */
	VMCD_ST_PRESENT,	/* only over an entry: -ENOENT otherwise */
	VMCD_ST_CAS,		/* only over the entry of CAS @m->cas: -ENOENT
				 * when there is none, -EEXIST when it differs */
};

/**
 * struct vmcd_backend_ops - what a backend implements
 * @get: copy the value of @key into @buf (@cap bytes) and its metadata
 *	into *@m; *@vlen is the value's size.  Returns 0, -ENOENT on a
 *	miss, -ENOSPC (with *@vlen and *@m set) when @cap is too small, or
 *	another negative errno.
 * @store: store @key with @m's flags and exptime and the @vlen bytes at
 *	@v as @mode says, atomically; the new entry's CAS in *@cas when
 *	@cas is not NULL.  Returns 0, -EEXIST/-ENOENT (see the modes),
 *	-ENOSPC/-E2BIG when it cannot fit, or another negative errno.
 * @del: remove @key: 0, -ENOENT, or a negative errno.
 * @del_cas: remove @key only if its CAS is still @cas: 0, -ENOENT,
 *	-EEXIST (it changed) or a negative errno.
 * @touch: set the expiry of @key to @exptime (keeping value, flags and
 *	CAS): 0, -ENOENT or a negative errno.
 * @mark: (@item_state backends) change the state of @key as @how says,
 *	atomically: 0, -ENOENT, -EALREADY (VMCD_MARK_WIN and the token was
 *	taken: nothing changes) or a negative errno.
 * @version: into *@v a CAS at least that of every entry stored before
 *	the call and below that of every entry stored after it (flush_all's
 *	watermark): 0 or a negative errno.
 * @stats: fill *@st (fields it cannot tell stay 0).
 * @destroy: free the backend.
 */
struct vmcd_backend_ops {
	int (*get)(struct vmcd_backend *b, const char *key, size_t klen,
		   struct vmcd_meta *m, void *buf, size_t cap, size_t *vlen);
	int (*store)(struct vmcd_backend *b, const char *key, size_t klen,
		     enum vmcd_store_mode mode, const struct vmcd_meta *m,
		     const void *v, size_t vlen, uint64_t *cas);
	int (*del)(struct vmcd_backend *b, const char *key, size_t klen);
	int (*del_cas)(struct vmcd_backend *b, const char *key, size_t klen,
		       uint64_t cas);
	int (*touch)(struct vmcd_backend *b, const char *key, size_t klen,
		     int64_t exptime);
	int (*mark)(struct vmcd_backend *b, const char *key, size_t klen,
		    unsigned int how, int64_t exptime);
	int (*version)(struct vmcd_backend *b, uint64_t *v);
	void (*stats)(struct vmcd_backend *b, struct vmcd_bstats *st);
	void (*destroy)(struct vmcd_backend *b);
};

/**
 * struct vmcd_backend - a backend instance
 * @ops: its operations
 * @expires: the store itself makes an entry a miss once its exptime has
 *	passed (the protocol layer need not check)
 * @item_state: @get reports struct vmcd_meta's @fetched and @atime, and
 *	every get marks the entry fetched and accessed now
 * @now: the clock of @atime for a backend that keeps it itself (the
 *	in-memory one), Unix seconds; NULL: time()
 */
struct vmcd_backend {
	const struct vmcd_backend_ops *ops;
	bool expires;
	bool item_state;
	int64_t (*now)(void);
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
 * @max_value: largest value the server accepts
 *
 * Needs a module with VMEMCACHE_FEAT_ITEM_META: the kernel stores the
 * flags, the expiry and the CAS of each entry and the value is the
 * client's bytes alone (except an all-NUL value, stored with one NUL
 * more: the kernel stores no empty value).
 * Return: the backend, or NULL with errno set and a message in @err
 * (ENOTSUP: the module lacks the feature).
 */
struct vmcd_backend *vmcd_backend_kdev(const char *path, size_t size,
				       size_t max_value, char *err,
				       size_t errlen);

#endif /* VMCD_BACKEND_H */
