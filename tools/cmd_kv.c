// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_kv.c -- vmemcachectl's key-value commands: put, get, exists, evict.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "ctl.h"

/* First buffer of get; a larger value costs one more get. */
#define GET_BUF_SIZE ((size_t)64 * 1024)

/* The value, from the command line or all of stdin, before the device. */
int cmd_put_check(struct ctl_call *c)
{
	if (c->argc == 2) {
		c->len = strlen(c->argv[1]);
	} else {
		if (ctl_read_all(STDIN_FILENO, &c->buf, &c->len))
			return ctl_error("put", "reading the value from stdin: %s",
					 strerror(errno));
	}
	if (!c->len)
		return ctl_error("put", "empty value (values are 1 byte or more)");
	return CTL_OK;
}

int cmd_put(struct ctl_call *c)
{
	const char *key = c->argv[0];
	const char *value = c->buf ? c->buf : c->argv[1];
	int ret;

	if (c->set & 1)
		ret = vmemcache_put_flags(c->cache, key, strlen(key), value,
					  c->len, VMEMCACHE_PUT_REPLACE);
	else
		ret = vmemcache_put(c->cache, key, strlen(key), value, c->len);
	return ret ? ctl_fail("put") : CTL_OK;
}

/*
 * Reads the whole value of @key into a malloc()ed buffer in one get, so that
 * it is never a mix of an old and a new value: grows the buffer to the size
 * the last get reported until a get copies the whole value.
 */
static int get_value(VMEMcache *cache, const char *key, char **out,
		     size_t *out_len, struct vmemcache_meta *meta)
{
	size_t cap = GET_BUF_SIZE, vsize;
	char *buf = NULL, *nb;
	ssize_t n;

	for (;;) {
		nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			return ctl_error("get", "cannot allocate %zu bytes: %s",
					 cap, strerror(ENOMEM));
		}
		buf = nb;
		n = meta ? vmemcache_get_ex(cache, key, strlen(key), buf, cap,
					    0, &vsize, meta) :
			   vmemcache_get(cache, key, strlen(key), buf, cap, 0,
					 &vsize);
		if (n < 0) {
			free(buf);
			return ctl_fail("get");
		}
		if ((size_t)n == vsize)
			break;
		cap = vsize;	/* the value is larger than the buffer */
	}
	*out = buf;
	*out_len = (size_t)n;
	return CTL_OK;
}

int cmd_get(struct ctl_call *c)
{
	struct vmemcache_meta meta;
	char *value = NULL;
	size_t len = 0;
	int ret;

	ret = get_value(c->cache, c->argv[0], &value, &len,
			(c->set & 1) ? &meta : NULL);
	if (ret != CTL_OK)
		return ret;
	/* stdout is the value's bytes alone */
	if (c->set & 1)
		fprintf(stderr, "flags %" PRIu32 " cas %" PRIu64 " expiry %" PRIu32 "\n",
			meta.client_flags, meta.cas, meta.expiry);
	if (ctl_write_all(STDOUT_FILENO, value, len))
		ret = ctl_error("get", "writing the value: %s",
				strerror(errno));
	free(value);
	return ret;
}

int cmd_exists(struct ctl_call *c)
{
	size_t vsize;

	switch (vmemcache_exists(c->cache, c->argv[0], strlen(c->argv[0]),
				 &vsize)) {
	case 1:
		printf("%zu\n", vsize);
		return CTL_OK;
	case 0:
		return CTL_NOTFOUND;
	default:
		return ctl_fail("exists");
	}
}

int cmd_evict_check(struct ctl_call *c)
{
	if ((c->set & 1) && (!c->argc || !*c->argv[0]))
		return ctl_usage_error("evict", "--prefix needs a non-empty PREFIX");
	return CTL_OK;
}

int cmd_evict(struct ctl_call *c)
{
	const char *key = c->argc ? c->argv[0] : NULL;
	ssize_t n;

	if (c->set & 1) {
		/* Every key that starts with PREFIX; prints how many. */
		n = vmemcache_evict_prefix(c->cache, key, strlen(key), 0);
		if (n < 0)
			return ctl_fail("evict");
		printf("%zd\n", n);
	} else if (vmemcache_evict(c->cache, key, key ? strlen(key) : 0)) {
		return ctl_fail("evict");
	}
	return CTL_OK;
}

struct keys_out {
	int sizes;
	int meta;
};

/*
 * "\tflags F\tcas C\texpiry E" of a key, from an EXISTS that changes
 * neither the LRU order nor the counters; nothing if it went meanwhile.
 */
static void print_meta(VMEMcache *cache, const void *key, size_t ksize)
{
	struct vmemcache_exists x = {
		.key = (uintptr_t)key, .key_len = (uint32_t)ksize,
		.flags = VMEMCACHE_GET_META,
	};

	if (ioctl(vmemcache_fd(cache), VMEMCACHE_IOC_EXISTS, &x))
		return;
	printf("\tflags %" PRIu32 "\tcas %llu\texpiry %" PRIu32,
	       (uint32_t)x.client_flags, (unsigned long long)x.cas,
	       (uint32_t)x.expiry);
}

/* One key a line, bytes outside printable ASCII (and \\) as \\xNN. */
static int print_key(VMEMcache *cache, const void *key, size_t ksize,
		     size_t vsize, void *arg)
{
	const unsigned char *k = key;
	struct keys_out *o = arg;
	size_t i;

	for (i = 0; i < ksize; i++) {
		if (k[i] >= 0x20 && k[i] < 0x7f && k[i] != '\\')
			putchar(k[i]);
		else
			printf("\\x%02x", k[i]);
	}
	if (o->sizes)
		printf("\t%zu", vsize);
	if (o->meta)
		print_meta(cache, key, ksize);
	putchar('\n');
	return ferror(stdout) ? 1 : 0;	/* 1 stops the listing */
}

int cmd_keys(struct ctl_call *c)
{
	struct keys_out o = { .sizes = c->set & 1, .meta = c->set & 2 };
	const char *prefix = c->argc ? c->argv[0] : "";
	struct vmemcache_version v;
	int i;

	if (o.meta && (vmemcache_get_version(c->cache, &v) ||
		       !(v.features & VMEMCACHE_FEAT_ITEM_META)))
		return ctl_error("keys", "--meta needs a module with VMEMCACHE_FEAT_ITEM_META");

	i = vmemcache_list(c->cache, prefix, strlen(prefix), print_key, &o);
	if (i == 1 || (!i && fflush(stdout)))
		return ctl_error("keys", "cannot write the keys");
	if (i)
		return ctl_fail("keys");
	return CTL_OK;
}
