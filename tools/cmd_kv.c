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

#include "ctl.h"

/* First buffer of get; a larger value costs one more get. */
#define GET_BUF_SIZE ((size_t)64 * 1024)

int cmd_put(const char *dev, int argc, char **argv)
{
	static const char *const opts[] = { "--replace", NULL };
	const char *key, *value;
	char *input = NULL;
	VMEMcache *cache;
	unsigned int set;
	size_t len;
	int i, ret;

	i = ctl_options("put", argc, argv, opts, &set, &ret);
	if (i < 0)
		return ret;
	if (argc - i < 1 || argc - i > 2)
		return ctl_usage_error("put", "expected KEY [VALUE]");
	key = argv[i];
	if (argc - i == 2) {
		value = argv[i + 1];
		len = strlen(value);
	} else {
		if (ctl_read_all(STDIN_FILENO, &input, &len))
			return ctl_error("put", "reading the value from stdin: %s",
					 strerror(errno));
		value = input;
	}
	if (!len) {
		free(input);
		return ctl_error("put", "empty value (values are 1 byte or more)");
	}
	ret = ctl_open("put", dev, &cache);
	if (ret == CTL_OK) {
		if (set & 1)
			ret = vmemcache_put_flags(cache, key, strlen(key),
						  value, len,
						  VMEMCACHE_PUT_REPLACE);
		else
			ret = vmemcache_put(cache, key, strlen(key), value,
					    len);
		ret = ret ? ctl_fail("put") : CTL_OK;
		vmemcache_delete(cache);
	}
	free(input);
	return ret;
}

/*
 * Reads the whole value of @key into a malloc()ed buffer in one get, so that
 * it is never a mix of an old and a new value: grows the buffer to the size
 * the last get reported until a get copies the whole value.
 */
static int get_value(VMEMcache *cache, const char *key, char **out,
		     size_t *out_len)
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
		n = vmemcache_get(cache, key, strlen(key), buf, cap, 0, &vsize);
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

int cmd_get(const char *dev, int argc, char **argv)
{
	VMEMcache *cache;
	unsigned int set;
	char *value = NULL;
	size_t len = 0;
	int i, ret;

	i = ctl_options("get", argc, argv, NULL, &set, &ret);
	if (i < 0)
		return ret;
	if (argc - i != 1)
		return ctl_usage_error("get", "expected KEY");
	ret = ctl_open("get", dev, &cache);
	if (ret != CTL_OK)
		return ret;
	ret = get_value(cache, argv[i], &value, &len);
	vmemcache_delete(cache);
	if (ret != CTL_OK)
		return ret;
	if (ctl_write_all(STDOUT_FILENO, value, len))
		ret = ctl_error("get", "writing the value: %s",
				strerror(errno));
	free(value);
	return ret;
}

int cmd_exists(const char *dev, int argc, char **argv)
{
	VMEMcache *cache;
	unsigned int set;
	size_t vsize;
	int i, ret;

	i = ctl_options("exists", argc, argv, NULL, &set, &ret);
	if (i < 0)
		return ret;
	if (argc - i != 1)
		return ctl_usage_error("exists", "expected KEY");
	ret = ctl_open("exists", dev, &cache);
	if (ret != CTL_OK)
		return ret;
	switch (vmemcache_exists(cache, argv[i], strlen(argv[i]), &vsize)) {
	case 1:
		printf("%zu\n", vsize);
		break;
	case 0:
		ret = CTL_NOTFOUND;
		break;
	default:
		ret = ctl_fail("exists");
		break;
	}
	vmemcache_delete(cache);
	return ret;
}

int cmd_evict(const char *dev, int argc, char **argv)
{
	static const char *const names[] = { "--prefix", NULL };
	VMEMcache *cache;
	unsigned int set;
	const char *key;
	ssize_t n;
	int i, ret;

	i = ctl_options("evict", argc, argv, names, &set, &ret);
	if (i < 0)
		return ret;
	if (argc - i > 1)
		return ctl_usage_error("evict", "expected at most one KEY");
	key = argc - i == 1 ? argv[i] : NULL;
	if ((set & 1) && (!key || !*key))
		return ctl_usage_error("evict", "--prefix needs a non-empty PREFIX");
	ret = ctl_open("evict", dev, &cache);
	if (ret != CTL_OK)
		return ret;
	if (set & 1) {
		/* Every key that starts with PREFIX; prints how many. */
		n = vmemcache_evict_prefix(cache, key, strlen(key), 0);
		if (n < 0)
			ret = ctl_fail("evict");
		else
			printf("%zd\n", n);
	} else if (vmemcache_evict(cache, key, key ? strlen(key) : 0)) {
		ret = ctl_fail("evict");
	}
	vmemcache_delete(cache);
	return ret;
}

struct keys_out {
	int sizes;
};

/* One key a line, bytes outside printable ASCII (and \\) as \\xNN. */
static int print_key(VMEMcache *cache, const void *key, size_t ksize,
		     size_t vsize, void *arg)
{
	const unsigned char *k = key;
	struct keys_out *o = arg;
	size_t i;

	(void)cache;
	for (i = 0; i < ksize; i++) {
		if (k[i] >= 0x20 && k[i] < 0x7f && k[i] != '\\')
			putchar(k[i]);
		else
			printf("\\x%02x", k[i]);
	}
	if (o->sizes)
		printf("\t%zu", vsize);
	putchar('\n');
	return ferror(stdout) ? 1 : 0;	/* 1 stops the listing */
}

int cmd_keys(const char *dev, int argc, char **argv)
{
	static const char *const names[] = { "--sizes", NULL };
	struct keys_out o = { 0 };
	const char *prefix;
	VMEMcache *cache;
	unsigned int set;
	int i, ret;

	i = ctl_options("keys", argc, argv, names, &set, &ret);
	if (i < 0)
		return ret;
	if (argc - i > 1)
		return ctl_usage_error("keys", "expected at most one PREFIX");
	prefix = argc - i == 1 ? argv[i] : "";
	o.sizes = set & 1;
	ret = ctl_open("keys", dev, &cache);
	if (ret != CTL_OK)
		return ret;
	i = vmemcache_list(cache, prefix, strlen(prefix), print_key, &o);
	if (i == 1 || (!i && fflush(stdout)))
		ret = ctl_error("keys", "cannot write the keys");
	else if (i)
		ret = ctl_fail("keys");
	vmemcache_delete(cache);
	return ret;
}
