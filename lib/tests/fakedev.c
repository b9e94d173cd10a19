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
	/* $VMC_FAKEDEV_V2: the v2 features (list, prefix evict, ...). */
	path = getenv("VMC_FAKEDEV_V2");
	fakedev.v2 = path && *path == '1';
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

/* The evicted log of the current put or evict (v2), or NULL. */
static struct vmemcache_evicted_log *cur_log;
static size_t cur_log_size;

static int log_begin(__u64 buf, __u64 size)
{
	cur_log = NULL;
	if (!buf && !size)
		return 0;
	if (!fakedev.v2)
		return 0;	/* bad_reserved records it */
	if (!buf || size < sizeof(*cur_log))
		return -EINVAL;
	cur_log = uptr(buf);
	cur_log_size = size;
	memset(cur_log, 0, sizeof(*cur_log));
	cur_log->used = sizeof(*cur_log);
	return 0;
}

static void log_rec(const struct fakedev_entry *e)
{
	struct vmemcache_evicted_rec rec = { 0 };
	__u64 need = VMEMCACHE_EVICTED_REC_SIZE(e->key_len);
	char *p;

	if (!cur_log)
		return;
	if (need > cur_log_size - cur_log->used) {
		cur_log->dropped++;
		cur_log->flags |= VMEMCACHE_EVICTED_TRUNCATED;
		return;
	}
	p = (char *)cur_log + cur_log->used;
	rec.value_size = e->value_len;
	rec.key_len = e->key_len;
	memcpy(p, &rec, sizeof(rec));
	memcpy(p + sizeof(rec), e->key, e->key_len);
	memset(p + sizeof(rec) + e->key_len, 0,
	       need - sizeof(rec) - e->key_len);
	cur_log->used += need;
	cur_log->count++;
}

static void drop(struct fakedev_entry *e)
{
	struct fakedev_state *s = fakedev_state;

	log_rec(e);
	s->st.pool_used -= extents(e->value_len);
	s->st.dram_used -= 64 + e->key_len;
	s->st.entries--;
	s->st.evictions++;
	e->used = 0;
}

static struct fakedev_entry *lru_victim(void)
{
	struct fakedev_state *s = fakedev_state;
	struct fakedev_entry *e = NULL;

	for (int i = 0; i < FAKEDEV_ENTRIES; i++)
		if (s->e[i].used && (!e || s->e[i].last_use < e->last_use))
			e = &s->e[i];
	return e;
}

static int do_put(struct vmemcache_put *p)
{
	struct fakedev_state *s = fakedev_state;
	struct fakedev_entry *e, *old;
	int ret;

	fakedev.bad_reserved |= nonzero(&p->cas, 16) ||
		(!fakedev.v2 && (p->evicted || p->evicted_size));
	fakedev.last_evicted_size = p->evicted_size;
	ret = log_begin(p->evicted, p->evicted_size);
	if (ret)
		return ret;
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
	if (!e && fakedev.v2) {
		e = lru_victim();
		drop(e);
	}
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
	int ret, n = 0;

	fakedev.bad_reserved |= nonzero(v->reserved, sizeof(v->reserved)) ||
		(!fakedev.v2 && (v->flags || v->evicted || v->evicted_size));
	ret = log_begin(v->evicted, v->evicted_size);
	if (ret)
		return ret;
	if (v->flags & VMEMCACHE_EVICT_PREFIX) {
		if (!v->key_len)
			return -EINVAL;
		for (int i = 0; i < FAKEDEV_ENTRIES; i++)
			if (s->e[i].used && s->e[i].key_len >= v->key_len &&
			    !memcmp(s->e[i].key, uptr(v->key), v->key_len)) {
				drop(&s->e[i]);
				n++;
			}
		return n ? 0 : -ENOENT;
	}
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

static int do_list(struct vmemcache_list *l)
{
	struct fakedev_state *s = fakedev_state;
	char *p = uptr(l->buf);
	__u64 seen = 0;

	l->count = 0;
	l->used = 0;
	for (int i = 0; i < FAKEDEV_ENTRIES; i++) {
		struct fakedev_entry *e = &s->e[i];
		struct vmemcache_evicted_rec rec = { 0 };
		__u64 need = VMEMCACHE_EVICTED_REC_SIZE(e->key_len);

		if (!e->used || e->key_len < l->prefix_len ||
		    memcmp(e->key, uptr(l->prefix), l->prefix_len))
			continue;
		if (seen++ < l->cursor)
			continue;
		/* One key a call, to exercise the cursor. */
		if (l->count || need > l->buf_size) {
			if (!l->count)
				return -EOVERFLOW;
			l->cursor += l->count;
			return 0;
		}
		rec.value_size = e->value_len;
		rec.key_len = e->key_len;
		memcpy(p, &rec, sizeof(rec));
		memcpy(p + sizeof(rec), e->key, e->key_len);
		l->used = need;
		l->count = 1;
	}
	l->cursor = 0;
	return 0;
}

static int do_batch(struct vmemcache_batch *b)
{
	struct vmemcache_batch_item *it = uptr(b->items);
	int ret;

	ret = log_begin(b->evicted, b->evicted_size);
	if (ret)
		return ret;
	if (!b->count || b->count > VMEMCACHE_BATCH_MAX)
		return -EINVAL;
	for (__u32 i = 0; i < b->count; i++, it++) {
		struct vmemcache_put p = { .key = it->key, .key_len = it->key_len,
			.value = it->buf, .value_len = it->len,
			.flags = it->flags };
		struct vmemcache_get g = { .key = it->key, .key_len = it->key_len,
			.buf = it->buf, .buf_len = it->len };
		struct vmemcache_exists x = { .key = it->key,
			.key_len = it->key_len };
		struct vmemcache_evict v = { .key = it->key,
			.key_len = it->key_len };
		struct vmemcache_evicted_log *log = cur_log;

		it->value_size = it->copied = 0;
		switch (it->op) {
		case VMEMCACHE_BATCH_PUT:
			it->result = do_put(&p);
			break;
		case VMEMCACHE_BATCH_GET:
			it->result = do_get(&g);
			it->value_size = g.value_size;
			it->copied = g.copied;
			break;
		case VMEMCACHE_BATCH_EXISTS:
			it->result = do_exists(&x);
			it->value_size = x.value_size;
			break;
		case VMEMCACHE_BATCH_EVICT:
			it->result = do_evict(&v);
			break;
		default:
			it->result = -EINVAL;
		}
		cur_log = log;	/* the items' own puts and evicts pass none */
	}
	b->done = b->count;
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
		if (fakedev.v2)
			v->features |= VMEMCACHE_FEAT_PRIVATE |
				       VMEMCACHE_FEAT_EVICTED_LOG |
				       VMEMCACHE_FEAT_EVICT_PREFIX |
				       VMEMCACHE_FEAT_LIST |
				       VMEMCACHE_FEAT_BATCH |
				       VMEMCACHE_FEAT_NUMA_NODE;
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
	if (!fakedev.v2)
		return -ENOTTY;
	switch (req) {
	case VMEMCACHE_IOC_LIST:
		return do_list(arg);
	case VMEMCACHE_IOC_BATCH:
		return do_batch(arg);
	case VMEMCACHE_IOC_CREATE: {
		int fd;

		/* A private cache: another /dev/null, the same fake cache. */
		memcpy(&fakedev.last_create, arg, sizeof(fakedev.last_create));
		fakedev.creates++;
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
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
	return ret;	/* CREATE returns a descriptor */
}
