// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fakedev.c -- the fake vmemcache device of the host tests (see fakedev.h):
 * ioctl() interposer and a tiny LRU cache emulating the ioctl ABI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fakedev.h"

static struct fakedev_state fakedev_static;

struct fakedev_ctl fakedev = { .api_version = VMEMCACHE_API_VERSION };
struct fakedev_state *fakedev_state = &fakedev_static;

/* With $VMC_FAKEDEV_STATE set: keep the cache in that file, answer ioctls. */
__attribute__((constructor)) static void fakedev_init(void)
{
	const char *path = getenv("VMC_FAKEDEV_STATE");
	void *p;
	int fd;

	if (!path || !*path)
		return;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, sizeof(struct fakedev_state)))
		abort();
	p = mmap(NULL, sizeof(struct fakedev_state), PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		abort();
	close(fd);
	fakedev_state = p;
	fakedev.on = 1;
}

void fakedev_reset(void)
{
	memset(fakedev_state, 0, sizeof(*fakedev_state));
	fakedev_state->st.pool_size = FAKEDEV_ENTRIES * FAKEDEV_VALUE_MAX;
	fakedev_state->st.extent_size = 256;
}

static int nonzero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return 1;
	return 0;
}

static void *uptr(__u64 v)
{
	return (void *)(uintptr_t)v;
}

static struct fakedev_entry *find(__u64 key, __u32 key_len)
{
	struct fakedev_state *s = fakedev_state;

	if (key_len > FAKEDEV_KEY_MAX)
		return NULL;
	for (int i = 0; i < FAKEDEV_ENTRIES; i++)
		if (s->e[i].used && s->e[i].key_len == key_len &&
		    !memcmp(s->e[i].key, uptr(key), key_len))
			return &s->e[i];
	return NULL;
}

static __u64 extents(size_t len)
{
	return (len + 255) / 256 * 256;
}

static void drop(struct fakedev_entry *e)
{
	struct fakedev_state *s = fakedev_state;

	s->st.pool_used -= extents(e->value_len);
	s->st.dram_used -= 64 + e->key_len;
	s->st.entries--;
	s->st.evictions++;
	e->used = 0;
}

static int do_put(struct vmemcache_put *p)
{
	struct fakedev_state *s = fakedev_state;
	struct fakedev_entry *e, *old;

	fakedev.bad_reserved |= nonzero(p->reserved, sizeof(p->reserved));
	if (!p->key_len || p->key_len > VMEMCACHE_MAX_KEY_SIZE ||
	    !p->value_len || p->flags & ~VMEMCACHE_PUT_FLAGS)
		return -EINVAL;
	if (!p->key || !p->value)
		return -EFAULT;
	if (p->key_len > FAKEDEV_KEY_MAX || p->value_len > FAKEDEV_VALUE_MAX)
		return -ENOSPC;
	old = find(p->key, p->key_len);
	if (old && !(p->flags & VMEMCACHE_PUT_REPLACE))
		return -EEXIST;
	e = old;
	for (int i = 0; !e && i < FAKEDEV_ENTRIES; i++)
		if (!s->e[i].used)
			e = &s->e[i];
	if (!e)
		return -ENOSPC;
	if (old) {
		s->st.pool_used -= extents(old->value_len);
	} else {
		s->st.entries++;
		s->st.dram_used += 64 + p->key_len;
	}
	memcpy(e->key, uptr(p->key), p->key_len);
	e->key_len = p->key_len;
	memcpy(e->value, uptr(p->value), p->value_len);
	e->value_len = p->value_len;
	e->last_use = ++s->clock;
	e->used = 1;
	s->st.pool_used += extents(p->value_len);
	s->st.puts++;
	return 0;
}

static int do_get(struct vmemcache_get *g)
{
	struct fakedev_state *s = fakedev_state;
	struct fakedev_entry *e;
	size_t n = 0;

	fakedev.bad_reserved |= nonzero(g->reserved, sizeof(g->reserved)) ||
				g->flags;
	if (!g->key_len || g->key_len > VMEMCACHE_MAX_KEY_SIZE)
		return -EINVAL;
	s->st.gets++;
	e = find(g->key, g->key_len);
	if (!e) {
		s->st.misses++;
		return -ENOENT;
	}
	s->st.hits++;
	e->last_use = ++s->clock;
	if (g->offset < e->value_len) {
		n = e->value_len - g->offset;
		if (n > g->buf_len)
			n = g->buf_len;
	}
	if (g->buf_len && !g->buf)
		return -EFAULT;
	memcpy(uptr(g->buf), e->value + g->offset, n);
	g->copied = n;
	g->value_size = e->value_len;
	return 0;
}

static int do_exists(struct vmemcache_exists *x)
{
	struct fakedev_entry *e;

	fakedev.bad_reserved |= nonzero(x->reserved, sizeof(x->reserved)) ||
				x->flags;
	if (!x->key_len || x->key_len > VMEMCACHE_MAX_KEY_SIZE)
		return -EINVAL;
	e = find(x->key, x->key_len);
	if (!e)
		return -ENOENT;
	x->value_size = e->value_len;
	return 0;
}

static int do_evict(struct vmemcache_evict *v)
{
	struct fakedev_state *s = fakedev_state;
	struct fakedev_entry *e = NULL;

	fakedev.bad_reserved |= nonzero(v->reserved, sizeof(v->reserved)) ||
				v->flags;
	if (v->key_len) {
		if (v->key_len > VMEMCACHE_MAX_KEY_SIZE)
			return -EINVAL;
		e = find(v->key, v->key_len);
		if (!e)
			return -ENOENT;
	} else {
		if (v->key)
			return -EINVAL;
		for (int i = 0; i < FAKEDEV_ENTRIES; i++)
			if (s->e[i].used &&
			    (!e || s->e[i].last_use < e->last_use))
				e = &s->e[i];
		if (!e)
			return -ESRCH;
	}
	drop(e);
	return 0;
}

static int do_ioctl(unsigned long req, void *arg)
{
	struct fakedev_state *s = fakedev_state;

	if (fakedev.fail_errno) {
		int err = fakedev.fail_errno;

		fakedev.fail_errno = 0;
		return -err;
	}
	if (!s->st.pool_size)
		fakedev_reset();
	switch (req) {
	case VMEMCACHE_IOC_VERSION: {
		struct vmemcache_version *v = arg;

		memset(v, 0, sizeof(*v));
		v->api_version = fakedev.api_version;
		v->features = VMEMCACHE_FEAT_PUT_REPLACE |
			      VMEMCACHE_FEAT_EVICT_LRU;
		v->max_key_size = VMEMCACHE_MAX_KEY_SIZE;
		return 0;
	}
	case VMEMCACHE_IOC_PUT:
		return do_put(arg);
	case VMEMCACHE_IOC_GET:
		return do_get(arg);
	case VMEMCACHE_IOC_EXISTS:
		return do_exists(arg);
	case VMEMCACHE_IOC_EVICT:
		return do_evict(arg);
	case VMEMCACHE_IOC_STATS:
		memcpy(arg, &s->st, sizeof(s->st));
		return 0;
	}
	return -ENOTTY;
}

/* The fake device lives behind /dev/null: other fds get the real ioctl. */
static int is_dev_null(int fd)
{
	struct stat st, null;

	return !fstat(fd, &st) && !stat("/dev/null", &null) &&
	       S_ISCHR(st.st_mode) && st.st_rdev == null.st_rdev;
}

/* Interposes on libc's ioctl(): vmemcache ioctls go to the fake device. */
__attribute__((visibility("default")))
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fakedev.on || _IOC_TYPE(req) != VMEMCACHE_IOC_MAGIC ||
	    !is_dev_null(fd))
		return (int)syscall(SYS_ioctl, fd, req, arg);
	fakedev.calls++;
	ret = do_ioctl(req, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}
