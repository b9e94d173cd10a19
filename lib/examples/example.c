// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * example.c -- the README example: attach to the shared cache
 * /dev/vmemcache, put "foo" -> "bar", get it back and print it.
 * Built by `make -C lib examples` (statically linked); not installed.
 */
#include <errno.h>
#include <libvmemcache.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	VMEMcache *cache = vmemcache_new();
	const char *key = "foo";
	char buf[128];
	ssize_t len;

	if (!cache || vmemcache_add(cache, "/dev/vmemcache")) {
		fprintf(stderr, "%s\n", vmemcache_errormsg());
		vmemcache_delete(cache);
		return 1;
	}
	/* On a second run the key exists: replace it (an extension). */
	if (vmemcache_put(cache, key, strlen(key), "bar", sizeof("bar")) &&
	    (errno != EEXIST || vmemcache_put_flags(cache, key, strlen(key), "bar", sizeof("bar"),
				VMEMCACHE_PUT_REPLACE))) {
		fprintf(stderr, "%s\n", vmemcache_errormsg());
		vmemcache_delete(cache);
		return 1;
	}
	len = vmemcache_get(cache, key, strlen(key), buf, sizeof(buf), 0,
			    NULL);
	if (len < 0) {
		fprintf(stderr, "%s\n", vmemcache_errormsg());
		vmemcache_delete(cache);
		return 1;
	}
	printf("%.*s\n", (int)len, buf);
	vmemcache_delete(cache);
	return 0;
}
