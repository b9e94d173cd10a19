/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakedev.h -- a fake vmemcache device for host tests: an ioctl()
 * interposer that answers the vmemcache ioctls (magic 0xBA) on an fd of
 * /dev/null from a small in-memory cache, so that the library and vmemcachectl can be
 * tested without the kernel module.  Linked into a test, or preloaded
 * (LD_PRELOAD=libfakedev.so) with the cache kept in the file named by
 * $VMC_FAKEDEV_STATE so that it outlives each process.
 */
#ifndef VMC_FAKEDEV_H
#define VMC_FAKEDEV_H

#include <stddef.h>

#include <linux/vmemcache.h>

#define FAKEDEV_ENTRIES		8
#define FAKEDEV_KEY_MAX		64
#define FAKEDEV_VALUE_MAX	((size_t)256 * 1024)

struct fakedev_entry {
	int used;
	unsigned int key_len;
	size_t value_len;
	unsigned long last_use;
	char key[FAKEDEV_KEY_MAX];
	char value[FAKEDEV_VALUE_MAX];
};

struct fakedev_state {
	struct vmemcache_stats st;
	unsigned long clock;
	struct fakedev_entry e[FAKEDEV_ENTRIES];
};

/* The knobs and observations of a test; not part of the saved state. */
struct fakedev_ctl {
	int on;			/* answer the vmemcache ioctls */
	int calls;		/* vmemcache ioctls answered */
	int bad_reserved;	/* a struct came with reserved bits or flags set */
	int fail_errno;		/* if set, the next ioctl fails with it */
	__u32 api_version;	/* what VERSION reports */
	int v2;			/* v2 features: private caches, evicted log,
				 * prefix evict, list, batch; a full put
				 * evicts the least recently used entry */
	__u64 last_evicted_size; /* evicted_size of the last put */
	int creates;		/* VMEMCACHE_IOC_CREATE answered */
	struct vmemcache_create last_create;
};

extern struct fakedev_ctl fakedev;
extern struct fakedev_state *fakedev_state;

/* Empties the fake cache and zeroes its counters. */
void fakedev_reset(void);

#endif /* VMC_FAKEDEV_H */
