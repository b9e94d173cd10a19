// SPDX-License-Identifier: BSD-3-Clause
/* Copyright 2019, Intel Corporation */
/*
 * The example of libvmemcache's README (before 0.8), which makes its cache
 * with the earlier four-argument vmemcache_new().  Its statements are
 * kept as they were; only the includes and main() around them are ours,
 * and main() tells whether the get found the value.
 */
#include <libvmemcache.h>
#include <string.h>

int main(void)
{
	VMEMcache *cache = vmemcache_new("/tmp", VMEMCACHE_MIN_POOL, VMEMCACHE_MIN_EXTENT, VMEMCACHE_REPLACEMENT_LRU);

	const char *key = "foo";
	vmemcache_put(cache, key, strlen(key), "bar", sizeof("bar"));

	char buf[128];
	ssize_t len = vmemcache_get(cache, key, strlen(key), buf, sizeof(buf), 0, NULL);
	vmemcache_delete(cache);

	return len == sizeof("bar") && !strcmp(buf, "bar") ? 0 : 1;
}
