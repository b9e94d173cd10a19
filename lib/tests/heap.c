// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * heap.c -- the heap use a program that wraps malloc/realloc/free (and not
 * calloc), as libvmemcache's heap-usage test does, sees of the library: what
 * it allocates through them it frees through free, and nothing through
 * calloc, so the balance is back to zero after vmemcache_delete().  Runs
 * against the fake device, without valgrind (which would take the
 * wrappers' place).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvmemcache.h>

#include "fakedev.h"
#include "tap.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void __libc_free(void *ptr);

static long heap_live;		/* bytes from malloc/realloc not freed */
static int heap_counting, calloc_calls;

void *malloc(size_t size)
{
	void *p = __libc_malloc(size);

	if (p && heap_counting)
		heap_live += (long)malloc_usable_size(p);
	return p;
}

void *realloc(void *ptr, size_t size)
{
	long old = ptr ? (long)malloc_usable_size(ptr) : 0;
	void *p = __libc_realloc(ptr, size);

	if (heap_counting && (p || !size))
		heap_live += (p ? (long)malloc_usable_size(p) : 0) - old;
	return p;
}

void *calloc(size_t nmemb, size_t size)
{
	if (heap_counting)
		calloc_calls++;
	return __libc_calloc(nmemb, size);
}

void free(void *ptr)
{
	if (ptr && heap_counting)
		heap_live -= (long)malloc_usable_size(ptr);
	__libc_free(ptr);
}

static int list_cb(VMEMcache *cache, const void *key, size_t key_size,
		   size_t value_size, void *arg)
{
	(void)cache;
	(void)key;
	(void)key_size;
	(void)value_size;
	(*(int *)arg)++;
	return 0;
}

static void on_evict(VMEMcache *cache, const void *key, size_t key_size,
		     void *arg)
{
	(void)cache;
	(void)key;
	(void)key_size;
	(*(int *)arg)++;
}

static void on_miss(VMEMcache *cache, const void *key, size_t key_size,
		    void *arg)
{
	(void)arg;
	vmemcache_put(cache, key, key_size, "miss", 4);
}

int main(void)
{
	char dir[] = "/tmp/vmc-heap-XXXXXX", key[16], buf[64];
	int evicted = 0, listed = 0, i;
	VMEMcache *c;

	fakedev_reset();
	fakedev.on = 1;
	fakedev.v2 = 1;
	fakedev.api_version = VMEMCACHE_API_VERSION;
	if (!tap_ok(mkdtemp(dir) != NULL, "mkdtemp"))
		return tap_done();
	setenv("VMEMCACHE_DEV", "/dev/null", 1);
	/* The first message formats strerror's text: not the library's. */
	errno = 0;
	vmemcache_errormsg();

	heap_counting = 1;
	c = vmemcache_new();
	tap_ok(c != NULL && heap_live > 0,
	       "vmemcache_new allocates the handle through malloc (%ld bytes)",
	       heap_live);
	tap_ok(vmemcache_add(c, dir) == 0, "add a private cache: %s",
	       vmemcache_errormsg());
	vmemcache_callback_on_evict(c, on_evict, &evicted);
	vmemcache_callback_on_miss(c, on_miss, NULL);
	for (i = 0; i < FAKEDEV_ENTRIES + 4; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		vmemcache_put(c, key, strlen(key), "value", 5);
	}
	vmemcache_get(c, "key9", 4, buf, sizeof(buf), 0, NULL);
	vmemcache_get(c, "nope", 4, buf, sizeof(buf), 0, NULL);
	vmemcache_list(c, NULL, 0, list_cb, &listed);
	vmemcache_evict(c, NULL, 0);
	vmemcache_evict_prefix(c, "key", 3, 0);
	tap_ok(evicted > 0 && listed > 0, "puts evicted (%d), list listed (%d)",
	       evicted, listed);
	vmemcache_delete(c);
	tap_ok(heap_live == 0, "the heap is back to zero after delete (%ld)",
	       heap_live);
	tap_ok(calloc_calls == 0, "nothing allocated through calloc (%d)",
	       calloc_calls);
	heap_counting = 0;
	unsetenv("VMEMCACHE_DEV");
	rmdir(dir);
	return tap_done();
}
