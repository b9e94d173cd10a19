// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * smoke.c -- host test of libvmemcache-kdev's error paths against the real
 * kernel (no /dev/vmemcache needed): configuration checks, vmemcache_add()
 * on paths that are not a vmemcache device, calls on an unattached handle,
 * the per-thread error message, and how the uapi's table hash spreads keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvmemcache.h>
#include <linux/vmemcache.h>

#include "tap.h"

/* The 4-argument form goes through the setters and add. */
static void test_new4(void)
{
	VMEMcache *c;

	c = vmemcache_new("/nonexistent", VMEMCACHE_MIN_POOL,
			  VMEMCACHE_MIN_EXTENT, VMEMCACHE_REPLACEMENT_LRU);
	tap_ok(c == NULL && errno == ENOENT, "4-argument new on a missing path");
	c = vmemcache_new("/tmp", VMEMCACHE_MIN_POOL - 1,
			  VMEMCACHE_MIN_EXTENT, VMEMCACHE_REPLACEMENT_LRU);
	tap_ok(c == NULL && errno == EINVAL &&
	       !strcmp(vmemcache_errormsg(), "size 1048575 smaller than 1048576"),
	       "4-argument new with a small size: %s", vmemcache_errormsg());
	c = vmemcache_new("/tmp", VMEMCACHE_MIN_POOL, 1,
			  VMEMCACHE_REPLACEMENT_LRU);
	tap_ok(c == NULL && errno == EINVAL, "4-argument new with a small extent");
	c = vmemcache_new("/tmp", VMEMCACHE_MIN_POOL, VMEMCACHE_MIN_EXTENT,
			  VMEMCACHE_REPLACEMENT_NUM);
	tap_ok(c == NULL && errno == EINVAL, "4-argument new with a bad policy");
	c = (vmemcache_new)();
	tap_ok(c != NULL, "(vmemcache_new)() is the 0-argument function");
	vmemcache_delete(c);
}

static void test_setters(void)
{
	VMEMcache *c = vmemcache_new();

	tap_ok(c != NULL, "vmemcache_new");
	IS_ERR_MSG(vmemcache_set_size(c, VMEMCACHE_MIN_POOL - 1), EINVAL,
		   "size 1048575 smaller than 1048576",
		   "set_size below VMEMCACHE_MIN_POOL");
	tap_ok(vmemcache_set_size(c, VMEMCACHE_MIN_POOL + 1) == 0,
	       "set_size(MIN_POOL + 1) (rounded up to a page)");
	IS_ERR_MSG(vmemcache_set_size(c, SIZE_MAX), EINVAL,
		   "implausibly large size 18446744073709551615",
		   "set_size(SIZE_MAX)");
	IS_ERR_MSG(vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT - 1),
		   EINVAL, "extent size 255 smaller than 256 bytes",
		   "set_extent_size below minimum");
	tap_ok(vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT) == 0,
	       "set_extent_size(VMEMCACHE_MIN_EXTENT)");
	IS_ERR(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NUM),
	       EINVAL, "vmemcache_set_eviction_policy",
	       "set_eviction_policy(NUM)");
	tap_ok(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NONE) == 0,
	       "set_eviction_policy(NONE)");
	IS_ERR(vmemcache_set_size(NULL, VMEMCACHE_MIN_POOL), EINVAL,
	       "vmemcache_set_size", "set_size on a NULL cache");
	vmemcache_delete(c);
	vmemcache_delete(NULL);
	tap_ok(1, "vmemcache_delete(NULL) is a no-op");
}

static void test_unattached(void)
{
	VMEMcache *c = vmemcache_new();
	struct vmemcache_stats st;
	struct vmemcache_version ver;
	char buf[8];
	size_t v;

	IS_ERR(vmemcache_put(c, "k", 1, "v", 1), EINVAL, "vmemcache_put",
	       "put before add");
	IS_ERR(vmemcache_put_flags(c, "k", 1, "v", 1, VMEMCACHE_PUT_REPLACE),
	       EINVAL, "vmemcache_put_flags", "put_flags before add");
	IS_ERR(vmemcache_get(c, "k", 1, buf, sizeof(buf), 0, &v), EINVAL,
	       "vmemcache_get", "get before add");
	IS_ERR(vmemcache_exists(c, "k", 1, &v), EINVAL, "vmemcache_exists",
	       "exists before add");
	IS_ERR(vmemcache_evict(c, "k", 1), EINVAL, "vmemcache_evict",
	       "evict before add");
	IS_ERR(vmemcache_evict(c, NULL, 0), EINVAL, "vmemcache_evict",
	       "evict(NULL) before add");
	IS_ERR(vmemcache_get_stat(c, VMEMCACHE_STAT_PUT, &v, sizeof(v)),
	       EINVAL, "vmemcache_get_stat", "get_stat before add");
	IS_ERR(vmemcache_get_stats(c, &st), EINVAL, "vmemcache_get_stats",
	       "get_stats before add");
	IS_ERR(vmemcache_get_version(c, &ver), EINVAL,
	       "vmemcache_get_version", "get_version before add");
	IS_ERR(vmemcache_fd(c), EINVAL, "vmemcache_fd", "fd before add");
	IS_ERR(vmemcache_evict_prefix(c, "k", 1, 0), EINVAL,
	       "vmemcache_evict_prefix", "evict_prefix before add");
	IS_ERR(vmemcache_evict_flags(c, "k", 1, 0), EINVAL,
	       "vmemcache_evict_flags", "evict_flags before add");
	IS_ERR(vmemcache_get_exact(c, "k", 1, buf, sizeof(buf), &v), EINVAL,
	       "vmemcache_get_exact", "get_exact before add");
	IS_ERR(vmemcache_put(NULL, "k", 1, "v", 1), EINVAL, "vmemcache_put",
	       "put on a NULL cache");
	vmemcache_delete(c);
}

static void test_add(void)
{
	char dir[] = "/tmp/vmc-smoke-XXXXXX";
	char file[64], fifo[64];
	VMEMcache *c = vmemcache_new();
	int fd;

	if (!tap_ok(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	tap_ok(fd >= 0 && write(fd, "x", 1) == 1, "create a regular file");
	if (fd >= 0)
		close(fd);
	tap_ok(mkfifo(fifo, 0600) == 0, "create a fifo");

	IS_ERR_MSG(vmemcache_add(c, NULL), EINVAL, "invalid (NULL) path",
		   "add(NULL path)");
	IS_ERR(vmemcache_add(NULL, "/dev/null"), EINVAL, "vmemcache_add",
	       "add on a NULL cache");
	IS_ERR_MSG(vmemcache_add(c, "/nonexistent/vmemcache"), ENOENT,
		   "open: No such file or directory", "add on a missing path");
	/* A directory: a private cache, made through a device the host lacks. */
	setenv("VMEMCACHE_DEV", "/nonexistent/vmemcache", 1);
	IS_ERR(vmemcache_add(c, dir), ENOENT, "vmemcache_add",
	       "add on a directory without the device");
	tap_ok(strstr(vmemcache_errormsg(), "private cache") != NULL &&
	       strstr(vmemcache_errormsg(), "/nonexistent/vmemcache") != NULL,
	       "... and the message names the device: %s", vmemcache_errormsg());
	unsetenv("VMEMCACHE_DEV");
	/* libvmemcache's O_TMPFILE fails with ENOTDIR on anything else. */
	IS_ERR_MSG(vmemcache_add(c, file), ENOTDIR, "open: Not a directory",
		   "add on a regular file");
	IS_ERR_MSG(vmemcache_add(c, fifo), ENOTDIR, "open: Not a directory",
		   "add on a fifo");
	/* A character device other than vmemcache: "not a Device DAX". */
	fd = open("/dev/null", O_RDONLY);
	close(fd);
	IS_ERR(vmemcache_add(c, "/dev/null"), EINVAL, "vmemcache_add",
	       "add on /dev/null (VERSION ioctl)");
	tap_ok(open("/dev/null", O_RDONLY) == fd && close(fd) == 0,
	       "... and closes /dev/null again");
	tap_ok(strstr(vmemcache_errormsg(), "/dev/null") &&
	       strstr(vmemcache_errormsg(), strerror(EINVAL)),
	       "... and the message names the path and the error: %s",
	       vmemcache_errormsg());
	/* An extent larger than the set size. */
	tap_ok(vmemcache_set_size(c, VMEMCACHE_MIN_POOL) == 0 &&
	       vmemcache_set_extent_size(c, 2 * VMEMCACHE_MIN_POOL) == 0,
	       "extent size above the size is accepted by the setters");
	IS_ERR_MSG(vmemcache_add(c, dir), EINVAL,
		   "extent size 2097152 larger than cache size: 1048576 bytes",
		   "... and refused by add");

	/* A failed add leaves the handle configurable and unattached. */
	tap_ok(vmemcache_set_size(c, 2 * VMEMCACHE_MIN_POOL) == 0,
	       "set_size after a failed add");
	tap_ok(vmemcache_set_extent_size(c, 4096) == 0,
	       "set_extent_size after a failed add");
	tap_ok(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_LRU) == 0,
	       "set_eviction_policy after a failed add");
	IS_ERR(vmemcache_fd(c), EINVAL, "vmemcache_fd",
	       "fd after a failed add");
	vmemcache_delete(c);

	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

static void *thread_errormsg(void *arg)
{
	const char **msg = arg;

	*msg = strdup(vmemcache_errormsg());
	vmemcache_set_size(NULL, 0);
	return NULL;
}

static void test_errormsg_per_thread(void)
{
	const char *other = NULL;
	char mine[512];
	pthread_t t;

	vmemcache_set_extent_size(NULL, 0);
	snprintf(mine, sizeof(mine), "%s", vmemcache_errormsg());
	tap_ok(pthread_create(&t, NULL, thread_errormsg, &other) == 0 &&
	       pthread_join(t, NULL) == 0, "run a thread");
	tap_ok(other && !strcmp(other, ""),
	       "a new thread starts with an empty message");
	tap_ok(!strcmp(mine, vmemcache_errormsg()),
	       "another thread's error leaves this thread's message alone");
	tap_ok(strstr(mine, "vmemcache_set_extent_size: ") == mine &&
	       strstr(mine, strerror(EINVAL)),
	       "message format \"function: text: strerror\": %s", mine);
	free((void *)other);
}

/*
 * vmemcache_map_hash() places keys in pairs of slots: keys that differ in
 * their last digits, at a quarter of the slots, must leave about as few
 * without a slot as ideal spreading does (3.3%); FNV-1a without its
 * finalizer left 4.0%-5.1% with these seeds.
 */
static void test_map_hash_spreads(void)
{
	const unsigned int slots = 1U << 18, keys = slots / 4;
	unsigned char *pairs = malloc(slots / 2);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned int round, i, lost;
	char key[16];

	for (round = 0; pairs && round < 3; round++) {
		memset(pairs, 0, slots / 2);
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		for (i = lost = 0; i < keys; i++) {
			uint64_t h;

			snprintf(key, sizeof(key), "k%012u", 229376 + i);
			h = vmemcache_map_hash(seed, key, 13) & (slots - 1);
			if (pairs[h / 2] == 2)
				lost++;
			else
				pairs[h / 2]++;
		}
		tap_ok(lost * 100 < keys * 4,
		       "map hash, seed %u: %u of %u keys without a slot",
		       round, lost, keys);
	}
	free(pairs);
}

int main(void)
{
	test_map_hash_spreads();
	test_setters();
	test_new4();
	test_unattached();
	test_add();
	test_errormsg_per_thread();
	return tap_done();
}
