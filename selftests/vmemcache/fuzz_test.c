// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input: a seeded, reproducible ioctl fuzzer.
 *
 * Commands around the vmemcache magic (the right numbers with wrong sizes
 * and directions, unknown numbers, neighbouring magics) carry random and
 * mutated structs: lengths of 0, 1, the key limit and past it, near 2^32
 * and near U64_MAX; pointers that are NULL, unmapped, read-only (for
 * output buffers), kernel addresses, non-canonical, straddling into an
 * unmapped or a PROT_NONE page, or the same buffer as the key; flags and
 * reserved fields set; structs larger than the kernel's with zero and
 * non-zero tails.
 * Then threads fuzz one descriptor number while another thread closes
 * it and dup2()s fresh descriptors onto it, and another flips the
 * protection of memory the ioctls use.
 * mixed.descriptors fuzzes a changing set of descriptors: the shared
 * cache's, O_RDONLY ones (where writes must fail with EBADF and change
 * nothing) and private DRAM and DAX caches, while (in the pmem pass) a
 * thread unbinds and rebinds the pmem namespace under them.
 *
 * Every call must succeed or fail with an errno that
 * Documentation/userspace-api/vmemcache.rst gives for that command (exactly
 * ENOTTY and EINVAL where the rules fix it); the guest runner fails the
 * run on any kernel splat.  The module's consistency check runs every
 * few thousand calls and at the end, values put before the fuzzing must
 * read back intact unless they were evicted (never, with policy none), and
 * a known-good put/get round trip must still work.
 *
 * The seed is printed; VMC_FUZZ_SEED=S VMC_FUZZ_ITERS=N replays the
 * single-threaded phase exactly (the default runs FUZZ_SECS seconds, or
 * $VMC_FUZZ_SECS, and the racing phase RACE_SECS, or as many times longer
 * as $VMC_FUZZ_SECS makes the first; `make check-debug` fuzzes longer).
 * compat_fuzz_test is the same program built 32-bit, for the compat ioctl
 * path, with shorter phases.
 */
#include "vmc_test.h"

#include <pthread.h>
#include <time.h>
#include <sys/uio.h>

#define FUZZ_CAP	(16ULL << 20)
#define FUZZ_EXT	256U
#define FUZZ_ARENA	(256U * 1024)	/* read-write bytes keys and values use */
#define FUZZ_ARG	16384U		/* > the largest _IOC_SIZE, 16383 */
#define FUZZ_FLAKY	(16 * VMC_PAGE)	/* memory whose protection flips */
#ifndef FUZZ_SECS			/* compat_fuzz_test runs shorter */
#define FUZZ_SECS	5		/* single-threaded phase, per variant */
#define RACE_SECS	2
#endif
#define NRACERS		3
#define NSENTINELS	32
#define SENTINEL_LEN	3000U
#define CHECK_EVERY	4096		/* calls between consistency checks */
#define SENTINEL_EVERY	512		/* calls between sentinel reads */
#define NR_KNOWN	12		/* VERSION .. MAP_INFO */
/*
 * Below: too few calls to expect a hit.  A get hits about once in 5,000
 * calls natively and once in 20,000 through the 32-bit ABI (measured,
 * compat_fuzz_test): a run slowed by a loaded host can make 60,000 calls
 * and see none.
 */
#define MIN_ITERS	400000

/* Seconds of the single-threaded phase: $VMC_FUZZ_SECS or FUZZ_SECS. */
static double fuzz_secs(void)
{
	const char *env = getenv("VMC_FUZZ_SECS");

	return env && *env ? strtod(env, NULL) : FUZZ_SECS;
}

/* $VMC_FUZZ_ONLY=NAME (a test's name) skips the others: longer campaigns. */
static bool fuzz_not_chosen(const char *name)
{
	const char *only = getenv("VMC_FUZZ_ONLY");

	return only && *only && strcmp(only, name);
}

VMC_FIXTURE(fuzz)

FIXTURE_VARIANT(fuzz) {
	const char *policy;
};

FIXTURE_VARIANT_ADD(fuzz, lru) {
	.policy = "lru",
};

FIXTURE_VARIANT_ADD(fuzz, lru_locked) {
	.policy = "lru_locked",
};

FIXTURE_VARIANT_ADD(fuzz, none) {
	.policy = "none",
};

/*
 * Memory the fuzzed pointers point to, shared by all threads.  A get may
 * write up to a whole value from any of these addresses on, so each is
 * followed by a PROT_NONE page: the copy stops there with EFAULT instead
 * of running into the test's own memory.
 */
struct fuzz_mem {
	uint8_t *arena;		/* FUZZ_ARENA random bytes, read-write */
	uint8_t *ro;		/* 2 pages, read-only */
	uint8_t *edge;		/* a page before an unmapped one */
	uint8_t *flaky;		/* FUZZ_FLAKY bytes, protection flipping */
	void *unmapped;		/* a hole between two PROT_NONE pages */
};

/* One fuzzing thread: its random state, struct buffers and findings. */
struct fuzzer {
	const struct fuzz_mem *mem;
	uint64_t rng;
	uint8_t *arg;		/* FUZZ_ARG bytes for the struct */
	uint8_t *arg_edge;	/* FUZZ_ARG bytes before a PROT_NONE page */
	uint64_t last_ptr;	/* for overlapping key and value buffers */
	bool racing;		/* the descriptor may be closed: EBADF too */
	bool read_only;		/* an O_RDONLY descriptor: writes are EBADF */
	bool private_cache;	/* a private cache's: CREATE is ENOTTY */
	bool dax;		/* on a DAX device that may go: ENXIO too */
	uint64_t calls, ok[NR_KNOWN], bad, enxio;
	char error[256];	/* the first unexpected result */
};

static const unsigned long known_cmd[NR_KNOWN] = {
	VMEMCACHE_IOC_VERSION, VMEMCACHE_IOC_PUT, VMEMCACHE_IOC_GET,
	VMEMCACHE_IOC_EXISTS, VMEMCACHE_IOC_EVICT, VMEMCACHE_IOC_STATS,
	VMEMCACHE_IOC_CREATE, VMEMCACHE_IOC_LIST, VMEMCACHE_IOC_BATCH,
	VMEMCACHE_IOC_TOUCH, VMEMCACHE_IOC_TIER_STATS, VMEMCACHE_IOC_MAP_INFO,
};

static const char *const known_name[NR_KNOWN] = {
	"VERSION", "PUT", "GET", "EXISTS", "EVICT", "STATS",
	"CREATE", "LIST", "BATCH", "TOUCH", "TIER_STATS", "MAP_INFO",
};

static uint64_t rnd(struct fuzzer *z, uint64_t n)
{
	return vmc_rand(&z->rng) % n;
}

/* A length: mostly plausible, often at or past an edge. */
static uint64_t fuzz_len(struct fuzzer *z, uint64_t typical)
{
	switch (rnd(z, 16)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return VMEMCACHE_MAX_KEY_SIZE;
	case 3: return VMEMCACHE_MAX_KEY_SIZE + 1;
	case 4: return UINT64_MAX - rnd(z, 4096);
	case 5: return (1ULL << 32) + rnd(z, 16);
	case 6: return UINT32_MAX - rnd(z, 16);
	case 7: return FUZZ_CAP + rnd(z, 2) * FUZZ_EXT;
	case 8: return vmc_rand(&z->rng);
	case 9: return FUZZ_ARENA - rnd(z, 64);
	default: return 1 + rnd(z, typical);
	}
}

/* A user pointer for len bytes: mostly good, often hostile. */
static uint64_t fuzz_ptr(struct fuzzer *z, uint64_t len)
{
	const struct fuzz_mem *m = z->mem;
	uint64_t p;

	switch (rnd(z, 20)) {
	case 0: p = 0; break;
	case 1: p = vmc_ptr(m->unmapped) + rnd(z, VMC_PAGE); break;
	case 2: p = vmc_ptr(m->ro) + rnd(z, 2 * VMC_PAGE); break;
	case 3: p = 0xffff888000000000ULL + (rnd(z, 1 << 20) << 12); break;
	case 4: p = 0xffffffff81000000ULL + rnd(z, 4096); break;
	case 5: p = 0x8000000000000000ULL; break;	/* non-canonical */
	case 6: p = vmc_ptr(m->edge) + VMC_PAGE - 1 - rnd(z, 64); break;
	case 7: p = vmc_rand(&z->rng); break;
	case 8: p = 0x7ffffffff000ULL + rnd(z, 4096); break; /* >= TASK_SIZE */
	case 9: p = z->last_ptr; break;		/* overlaps the last one */
	case 10: p = vmc_ptr(m->flaky) + rnd(z, FUZZ_FLAKY); break;
	case 11: case 12: case 13:		/* a few hot keys: hits */
		p = vmc_ptr(m->arena) + rnd(z, 8);
		break;
	default:
		p = vmc_ptr(m->arena) +
		    (len < FUZZ_ARENA ? rnd(z, FUZZ_ARENA - len + 1) :
					rnd(z, FUZZ_ARENA));
		break;
	}
	z->last_ptr = p;
	return p;
}

/* A key length that hits the hot keys of fuzz_ptr() often. */
static uint32_t fuzz_key_len(struct fuzzer *z)
{
	return rnd(z, 2) ? 1 + rnd(z, 8) : (uint32_t)fuzz_len(z, 64);
}

/* Flags and reserved words: mostly zero, sometimes anything. */
static uint32_t fuzz_flags(struct fuzzer *z, uint32_t valid)
{
	switch (rnd(z, 8)) {
	case 0: return (uint32_t)vmc_rand(&z->rng);
	case 1: return 1U << rnd(z, 32);
	default: return valid ? (uint32_t)rnd(z, valid + 1) & valid : 0;
	}
}

static void fuzz_reserved(struct fuzzer *z, __u64 *r, size_t n)
{
	if (!rnd(z, 8))
		r[rnd(z, n)] = vmc_rand(&z->rng) | 1;
}

/* An expiry: mostly none, else past, near or far, or anything. */
static uint32_t fuzz_expiry(struct fuzzer *z)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	switch (rnd(z, 8)) {
	case 0: return (uint32_t)ts.tv_sec + (uint32_t)rnd(z, 3);
	case 1: return (uint32_t)ts.tv_sec - (uint32_t)rnd(z, 3);
	case 2: return (uint32_t)vmc_rand(&z->rng);
	default: return 0;
	}
}

/* Fill arg with a struct for command number nr (any number). */
static void fuzz_struct(struct fuzzer *z, unsigned int nr, uint8_t *arg)
{
	memset(arg, 0, FUZZ_ARG);
	switch (nr) {
	case 1: {
		struct vmemcache_put *p = (void *)arg;

		p->key_len = fuzz_key_len(z);
		p->key = fuzz_ptr(z, p->key_len);
		p->value_len = fuzz_len(z, 4096);
		p->value = fuzz_ptr(z, p->value_len);
		p->flags = fuzz_flags(z, VMEMCACHE_PUT_FLAGS);
		/* a version to match, or to be refused without the flag */
		if (!rnd(z, 4))
			p->cas = rnd(z, 2) ? rnd(z, 64) : vmc_rand(&z->rng);
		p->client_flags = (uint32_t)vmc_rand(&z->rng);
		p->expiry = fuzz_expiry(z);
		break;
	}
	case 2: {
		struct vmemcache_get *g = (void *)arg;

		g->key_len = fuzz_key_len(z);
		g->key = fuzz_ptr(z, g->key_len);
		g->buf_len = fuzz_len(z, 8192);
		g->buf = fuzz_ptr(z, g->buf_len);
		g->offset = rnd(z, 4) ? rnd(z, 64) : fuzz_len(z, 8192);
		g->flags = fuzz_flags(z, VMEMCACHE_GET_FLAGS);
		g->copied = vmc_rand(&z->rng);		/* out: ignored */
		g->value_size = vmc_rand(&z->rng);
		/* out with VMEMCACHE_GET_META, else reserved */
		fuzz_reserved(z, &g->cas, 4);
		break;
	}
	case 3: {
		struct vmemcache_exists *x = (void *)arg;

		x->key_len = fuzz_key_len(z);
		x->key = fuzz_ptr(z, x->key_len);
		x->flags = fuzz_flags(z, VMEMCACHE_GET_FLAGS);
		x->value_size = vmc_rand(&z->rng);
		fuzz_reserved(z, &x->cas, 4);
		break;
	}
	case 4: {
		struct vmemcache_evict *ev = (void *)arg;

		ev->key_len = rnd(z, 8) ? fuzz_key_len(z) : 0;
		ev->key = rnd(z, 8) ? fuzz_ptr(z, ev->key_len) : 0;
		ev->flags = fuzz_flags(z, 0);
		fuzz_reserved(z, ev->reserved, 4);
		break;
	}
	case 9: {
		struct vmemcache_touch *t = (void *)arg;

		t->key_len = fuzz_key_len(z);
		t->key = fuzz_ptr(z, t->key_len);
		t->flags = fuzz_flags(z, VMEMCACHE_TOUCH_FLAGS);
		t->expiry = fuzz_expiry(z);
		if (!rnd(z, 16))
			t->pad = 1;
		fuzz_reserved(z, t->reserved, 3);
		break;
	}
	case 0:
	case 5:
		if (rnd(z, 2))	/* out-only: garbage must not matter */
			vmc_fill(arg, 128, vmc_rand(&z->rng));
		break;
	default:
		vmc_fill(arg, 128, vmc_rand(&z->rng));
		break;
	}
	/* A few flipped bytes of what the kernel reads. */
	if (!rnd(z, 8))
		arg[rnd(z, 88)] ^= (uint8_t)(1 + rnd(z, 255));
}

/* The command: mostly a known one, with its size or direction bent. */
static unsigned long fuzz_cmd(struct fuzzer *z, unsigned int *nr)
{
	unsigned int type = VMEMCACHE_IOC_MAGIC, dir, size;

	*nr = rnd(z, 8) ? (unsigned int)rnd(z, NR_KNOWN) :
			  (unsigned int)rnd(z, 256);
	if (*nr < NR_KNOWN) {
		dir = _IOC_DIR(known_cmd[*nr]);
		size = _IOC_SIZE(known_cmd[*nr]);
	} else {
		dir = (unsigned int)rnd(z, 4);
		size = (unsigned int)rnd(z, 256);
	}
	if (!rnd(z, 8))
		dir = (unsigned int)rnd(z, 4);
	switch (rnd(z, 12)) {
	case 0: size = (unsigned int)rnd(z, size + 1); break;
	case 1: size += 8 * (unsigned int)rnd(z, 9); break;
	case 2: size = (unsigned int)rnd(z, FUZZ_ARG); break;
	}
	if (!rnd(z, 32))	/* neighbouring magics are not ours either */
		type = rnd(z, 2) ? VMEMCACHE_IOC_MAGIC - 1 :
				   VMEMCACHE_IOC_MAGIC + 1;
	return _IOC(dir, type, *nr, size);
}

static bool in_set(int err, const int *set)
{
	for (; *set; set++)
		if (err == -*set)
			return true;
	return false;
}

/*
 * Is err (0 or -errno) what the documentation allows for cmd?  Unknown
 * commands and directions give exactly ENOTTY, a struct smaller than
 * the kernel's exactly EINVAL.
 */
static bool fuzz_result_ok(unsigned long cmd, int err)
{
	static const int version[] = { EINVAL, EFAULT, 0 };
	static const int put[] = { EINVAL, E2BIG, EFAULT, EEXIST, ENOSPC,
				   ENOMEM, ENOENT, 0 };
	static const int get[] = { EINVAL, E2BIG, EFAULT, ENOENT, EIO, 0 };
	static const int exists[] = { EINVAL, E2BIG, EFAULT, ENOENT, 0 };
	static const int evict[] = { EINVAL, E2BIG, EFAULT, ENOENT, ESRCH, 0 };
	static const int stats[] = { EINVAL, EFAULT, 0 };
	static const int create[] = { EINVAL, E2BIG, EFAULT, EDQUOT, ENOMEM,
				      EBADF, ENOTBLK, EOPNOTSUPP, EBUSY,
				      ENOSPC, EMFILE, ENFILE, EROFS, ETXTBSY,
				      EPERM, 0 };
	static const int list[] = { EINVAL, E2BIG, EFAULT, ENOMEM, EOVERFLOW,
				    0 };
	static const int batch[] = { EINVAL, E2BIG, EFAULT, ENOMEM, 0 };
	static const int touch[] = { EINVAL, E2BIG, EFAULT, ENOENT, EALREADY,
				     0 };
	static const int map_info[] = { EINVAL, EFAULT, ENODEV, 0 };
	static const int *const allowed[NR_KNOWN] = {
		version, put, get, exists, evict, stats, create, list, batch,
		touch, stats, map_info,
	};
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != VMEMCACHE_IOC_MAGIC || nr >= NR_KNOWN ||
	    _IOC_DIR(cmd) != _IOC_DIR(known_cmd[nr]))
		return err == -ENOTTY;
	if (_IOC_SIZE(cmd) < _IOC_SIZE(known_cmd[nr]))
		return err == -EINVAL;
	return !err || in_set(err, allowed[nr]);
}

/* After a campaign: a known-good round trip, and a consistent cache. */
#define ASSERT_STILL_WORKS(fd)						\
	do {								\
		char _buf[16];						\
		uint64_t _copied, _size;				\
									\
		ASSERT_EQ(0, vmc_put(fd, "fuzz-after", 10, "still works", \
				     11, VMEMCACHE_PUT_REPLACE));	\
		ASSERT_EQ(0, vmc_get(fd, "fuzz-after", 10, _buf,	\
				     sizeof(_buf), 0, &_copied, &_size)); \
		ASSERT_EQ(11u, _copied);				\
		ASSERT_EQ(11u, _size);					\
		ASSERT_EQ(0, memcmp(_buf, "still works", 11));		\
		VMC_ASSERT_CONSISTENT();				\
	} while (0)

/* One fuzzed call on fd; false (with z->error set) if its result is wrong. */
/*
 * Successful prefix evicts whose prefix starts a sentinel's key: the one
 * way fuzzed calls can take sentinels out of a cache that evicts nothing
 * (a 1-byte prefix of arena bytes is "s" now and then).  Racers count
 * here too.
 */
static uint64_t sentinel_prefix_evicts;

/*
 * Read our own memory without faulting: the flipper may have made it
 * PROT_NONE since the kernel read it.
 */
static bool peek(void *dst, uint64_t src, size_t len)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)src,
				.iov_len = len };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
	       (ssize_t)len;
}

/*
 * After a successful EVICT: count it if it may have been a prefix evict
 * of the sentinels' keys (unreadable now: assume it was).
 */
static void note_prefix_evict(uint64_t argp)
{
	static const char pfx[] = "sentinel-";
	struct vmemcache_evict ev;
	char key[sizeof(pfx) - 1];
	size_t n;

	if (peek(&ev, argp, sizeof(ev))) {
		if (!(ev.flags & VMEMCACHE_EVICT_PREFIX))
			return;
		n = ev.key_len < sizeof(key) ? ev.key_len : sizeof(key);
		if (peek(key, ev.key, n) && memcmp(key, pfx, n))
			return;
	}
	__atomic_fetch_add(&sentinel_prefix_evicts, 1, __ATOMIC_RELAXED);
}

static bool fuzz_one(struct fuzzer *z, int fd)
{
	unsigned int nr, ksize;
	unsigned long cmd = fuzz_cmd(z, &nr);
	unsigned int usize = _IOC_SIZE(cmd);
	uint8_t *arg = z->arg;
	uint64_t argp;
	int ret;

	fuzz_struct(z, nr, arg);
	/* A larger struct's tail: zero (accepted) or not (E2BIG). */
	ksize = nr < NR_KNOWN ? _IOC_SIZE(known_cmd[nr]) : 0;
	if (usize > ksize && !rnd(z, 4))
		arg[ksize + rnd(z, usize - ksize)] = (uint8_t)(1 + rnd(z, 255));

	switch (rnd(z, 16)) {
	case 0:		/* the struct runs into a PROT_NONE page */
		argp = vmc_ptr(z->arg_edge) + FUZZ_ARG - 1 - rnd(z, 128);
		memcpy((void *)(uintptr_t)argp, arg,
		       vmc_ptr(z->arg_edge) + FUZZ_ARG - argp);
		break;
	case 1:
		argp = fuzz_ptr(z, usize);
		break;
	default:
		argp = vmc_ptr(arg);
		break;
	}

	ret = ioctl(fd, cmd, (void *)(uintptr_t)argp);
	if (ret > 0 && _IOC_NR(cmd) == 6) {
		close(ret);	/* a private cache was created: free it */
		ret = 0;
	}
	ret = ret ? -errno : 0;
	z->calls++;
	if (z->read_only && _IOC_TYPE(cmd) == VMEMCACHE_IOC_MAGIC &&
	    (nr == 1 || nr == 4 || nr == 6 || nr == 9)) {
		/* a mutating command, before it looks at its argument */
		if (ret == -EBADF)
			return true;
		if (!z->bad++)
			snprintf(z->error, sizeof(z->error),
				 "read-only call %llu: cmd %#lx (%s): %s, not EBADF",
				 (unsigned long long)z->calls, cmd,
				 known_name[nr],
				 ret ? strerror(-ret) : "success");
		return false;
	}
	if (fuzz_result_ok(cmd, ret) || (z->racing && ret == -EBADF) ||
	    (z->read_only && nr == 8 && ret == -EBADF) ||
	    /*
	     * CREATE on a private cache's descriptor; racing, the number of
	     * a descriptor closed under the call may meanwhile be a private
	     * cache another racer just created.
	     */
	    ((z->private_cache || z->racing) && nr == 6 && ret == -ENOTTY &&
	     _IOC_TYPE(cmd) == VMEMCACHE_IOC_MAGIC) ||
	    (z->dax && (nr == 1 || nr == 2) && ret == -ENXIO &&
	     _IOC_TYPE(cmd) == VMEMCACHE_IOC_MAGIC &&
	     _IOC_DIR(cmd) == _IOC_DIR(known_cmd[nr]) &&
	     _IOC_SIZE(cmd) >= _IOC_SIZE(known_cmd[nr]))) {
		if (ret == -ENXIO)
			z->enxio++;
		if (!ret && nr < NR_KNOWN)
			z->ok[nr]++;
		if (!ret && nr == 4 && _IOC_TYPE(cmd) == VMEMCACHE_IOC_MAGIC)
			note_prefix_evict(argp);
		if (!ret && nr == 2 && argp == vmc_ptr(arg)) {
			const struct vmemcache_get *g = (const void *)arg;

			/* copied = min(buf_len, size - offset), or 0 */
			if (g->copied > g->buf_len ||
			    g->copied > g->value_size ||
			    (g->offset < g->value_size &&
			     g->copied != (g->buf_len < g->value_size - g->offset ?
					   g->buf_len : g->value_size - g->offset))) {
				snprintf(z->error, sizeof(z->error),
					 "GET: copied %llu of %llu from offset %llu into %llu",
					 (unsigned long long)g->copied,
					 (unsigned long long)g->value_size,
					 (unsigned long long)g->offset,
					 (unsigned long long)g->buf_len);
				z->bad++;
				return false;
			}
		}
		return true;
	}
	if (!z->bad++)
		snprintf(z->error, sizeof(z->error),
			 "call %llu: cmd %#lx (%s, dir %u, size %u) arg %#llx: %s",
			 (unsigned long long)z->calls, cmd,
			 nr < NR_KNOWN ? known_name[nr] : "unknown",
			 (unsigned int)_IOC_DIR(cmd), usize, (unsigned long long)argp,
			 ret ? strerror(-ret) : "success");
	return false;
}

static int fuzzer_init(struct fuzzer *z, const struct fuzz_mem *mem,
		       uint64_t seed)
{
	memset(z, 0, sizeof(*z));
	z->mem = mem;
	z->rng = seed ? seed : 1;
	z->arg = vmc_map(FUZZ_ARG / VMC_PAGE, PROT_READ | PROT_WRITE);
	z->arg_edge = vmc_map_edge(FUZZ_ARG);
	return z->arg && z->arg_edge ? 0 : -ENOMEM;
}

static void fuzzer_fini(struct fuzzer *z)
{
	if (z->arg)
		munmap(z->arg, FUZZ_ARG);
	if (z->arg_edge)
		munmap(z->arg_edge, FUZZ_ARG + VMC_PAGE);
}

/*
 * An unmapped page that later mappings (thread stacks, buffers) will not
 * take: a one-page hole between PROT_NONE pages.
 */
static void *fuzz_hole(void)
{
	uint8_t *p = vmc_map(3, PROT_NONE);

	if (!p || munmap(p + VMC_PAGE, VMC_PAGE))
		return NULL;
	return p + VMC_PAGE;
}

/* A read-write page followed by an unmapped one (and a PROT_NONE one). */
static uint8_t *fuzz_edge(void)
{
	uint8_t *p = vmc_map(3, PROT_NONE);

	if (!p || mprotect(p, VMC_PAGE, PROT_READ | PROT_WRITE) ||
	    munmap(p + VMC_PAGE, VMC_PAGE))
		return NULL;
	return p;
}

static int fuzz_mem_init(struct fuzz_mem *m, uint64_t seed)
{
	m->arena = vmc_map_edge(FUZZ_ARENA);
	m->ro = vmc_map_edge(2 * VMC_PAGE);
	m->edge = fuzz_edge();
	m->flaky = vmc_map_edge(FUZZ_FLAKY);
	m->unmapped = fuzz_hole();
	if (!m->arena || !m->ro || !m->edge || !m->flaky || !m->unmapped)
		return -ENOMEM;
	vmc_fill(m->arena, FUZZ_ARENA, seed);
	vmc_fill(m->ro, 2 * VMC_PAGE, seed + 1);
	vmc_fill(m->edge, VMC_PAGE, seed + 2);
	vmc_fill(m->flaky, FUZZ_FLAKY, seed + 3);
	return mprotect(m->ro, 2 * VMC_PAGE, PROT_READ) ? -errno : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t sentinel_key(char *buf, size_t size, unsigned int i)
{
	return vmc_key(buf, size, "sentinel-", i);
}

/* Every sentinel reads back intact or is gone: how many are present. */
static int check_sentinels(int fd, bool *present)
{
	unsigned int i, n = 0;
	char key[32];
	int ret;

	for (i = 0; i < NSENTINELS; i++) {
		uint32_t klen = sentinel_key(key, sizeof(key), i);

		if (!present[i])
			continue;
		ret = vmc_get_check(fd, key, klen, SENTINEL_LEN,
				    vmc_seed(i, 77));
		if (ret == -ENOENT) {
			present[i] = false;
			continue;
		}
		if (ret) {
			fprintf(stderr, "# sentinel %u: %s\n", i, strerror(-ret));
			return ret;
		}
		n++;
	}
	return (int)n;
}

/* ---------------------------------------------------------------- racing */

struct race {
	struct fuzzer z[NRACERS];
	const struct fuzz_mem *mem;
	int fd;			/* the descriptor number everyone uses */
	volatile int stop;
	uint64_t swaps, closes;
	int error;
};

struct racer_arg {
	struct race *race;
	struct fuzzer *z;
};

static void *racer_main(void *p)
{
	struct racer_arg *a = p;

	while (!a->race->stop)
		fuzz_one(a->z, a->race->fd);
	return NULL;
}

/* Replace the shared descriptor under the racers, sometimes via a gap. */
static void *closer_main(void *p)
{
	struct race *r = p;
	uint64_t rng = 12345;

	while (!r->stop) {
		int nfd = vmc_open(), ret;

		if (nfd < 0) {
			r->error = nfd;
			break;
		}
		/*
		 * A racer's CREATE can be handed the shared number in a gap,
		 * and its close(ret) then frees it: the open just refilled
		 * the shared number, so closing it now would close nfd.
		 */
		if (nfd == r->fd) {
			r->swaps++;
			continue;
		}
		if (vmc_rand(&rng) % 2) {
			close(r->fd);	/* racers see EBADF until the dup2 */
			r->closes++;
			sched_yield();
		}
		/*
		 * EBUSY: in the gap, a racer's CREATE has been given the
		 * shared number and not yet installed its file there; once it
		 * has, dup2() replaces it, as it replaces any file.
		 */
		while ((ret = dup2(nfd, r->fd)) < 0 && errno == EBUSY)
			sched_yield();
		if (ret < 0) {
			r->error = -errno;
			close(nfd);
			break;
		}
		close(nfd);
		r->swaps++;
		usleep(vmc_rand(&rng) % 200);
	}
	return NULL;
}

/* Flip the protection of the flaky memory under the ioctls using it. */
static void *flipper_main(void *p)
{
	static const int prot[] = { PROT_NONE, PROT_READ,
				    PROT_READ | PROT_WRITE };
	struct race *r = p;
	unsigned int i = 0;

	while (!r->stop) {
		if (mprotect(r->mem->flaky, FUZZ_FLAKY, prot[i++ % 3])) {
			r->error = -errno;
			break;
		}
		usleep(100);
	}
	mprotect(r->mem->flaky, FUZZ_FLAKY, PROT_READ | PROT_WRITE);
	return NULL;
}

static void run_race(struct __test_metadata *_metadata,
		     const struct fuzz_mem *mem, uint64_t seed)
{
	struct race *r = calloc(1, sizeof(*r));
	struct racer_arg a[NRACERS];
	pthread_t tid[NRACERS], closer, flipper;
	uint64_t calls = 0;
	unsigned int i;
	double end;

	ASSERT_TRUE(r != NULL);
	r->mem = mem;
	r->fd = vmc_open();
	ASSERT_LE(0, r->fd);
	for (i = 0; i < NRACERS; i++) {
		ASSERT_EQ(0, fuzzer_init(&r->z[i], mem, vmc_mix64(seed + i)));
		r->z[i].racing = true;
		a[i] = (struct racer_arg){ .race = r, .z = &r->z[i] };
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, racer_main, &a[i]));
	}
	ASSERT_EQ(0, pthread_create(&closer, NULL, closer_main, r));
	ASSERT_EQ(0, pthread_create(&flipper, NULL, flipper_main, r));
	for (end = now() + RACE_SECS * fuzz_secs() / FUZZ_SECS;
	     now() < end && !r->error;)
		usleep(20000);
	r->stop = 1;
	for (i = 0; i < NRACERS; i++)
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
	ASSERT_EQ(0, pthread_join(closer, NULL));
	ASSERT_EQ(0, pthread_join(flipper, NULL));
	close(r->fd);
	ASSERT_EQ(0, r->error) TH_LOG("closer or flipper: %s",
				      strerror(-r->error));
	for (i = 0; i < NRACERS; i++) {
		EXPECT_EQ(0u, r->z[i].bad)
			TH_LOG("racer %u: %llu wrong results, first: %s", i,
			       (unsigned long long)r->z[i].bad,
			       r->z[i].error);
		calls += r->z[i].calls;
		fuzzer_fini(&r->z[i]);
	}
	fprintf(stderr, "# race: %llu calls, %llu descriptor swaps (%llu through a close)\n",
		(unsigned long long)calls, (unsigned long long)r->swaps,
		(unsigned long long)r->closes);
	EXPECT_LT(0u, r->swaps);
	free(r);
}

/* ---------------------------------------------------------------- test */

/* Long runs (VMC_FUZZ_SECS) are bounded by the guest's per-binary timeout. */
TEST_F_TIMEOUT(fuzz, hostile_ioctls, 7200)
{
	const char *iters_env = getenv("VMC_FUZZ_ITERS");
	const char *seed_env = getenv("VMC_FUZZ_SEED");
	uint64_t iters = iters_env ? strtoull(iters_env, NULL, 0) : 0;
	bool none = !strcmp(variant->policy, "none");
	bool present[NSENTINELS];
	struct fuzz_mem mem = { 0 };
	struct fuzzer z;
	uint64_t seed, n;
	unsigned int i;
	char key[32];
	double end;
	int ret;

	if (fuzz_not_chosen("hostile_ioctls"))
		SKIP(return, "VMC_FUZZ_ONLY=%s", getenv("VMC_FUZZ_ONLY"));
	if (seed_env && *seed_env)
		seed = strtoull(seed_env, NULL, 0);
	else
		seed = (uint64_t)time(NULL) * 1000003ULL ^ (uint64_t)getpid();
	fprintf(stderr, "# fuzz (%s): seed %llu (rerun with VMC_FUZZ_SEED=%llu)\n",
		variant->policy, (unsigned long long)seed,
		(unsigned long long)seed);

	VMC_CONFIG(FUZZ_CAP, FUZZ_EXT, variant->policy);
	ASSERT_EQ(0, fuzz_mem_init(&mem, seed));
	ASSERT_EQ(0, fuzzer_init(&z, &mem, seed));

	for (i = 0; i < NSENTINELS; i++) {
		uint32_t klen = sentinel_key(key, sizeof(key), i);

		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, SENTINEL_LEN,
					     vmc_seed(i, 77), 0));
		present[i] = true;
	}

	end = now() + fuzz_secs();
	for (n = 0; iters ? n < iters : now() < end; n++) {
		if (!fuzz_one(&z, self->fd))
			break;
		if (n % SENTINEL_EVERY == SENTINEL_EVERY - 1)
			ASSERT_LE(0, check_sentinels(self->fd, present));
		if (n % CHECK_EVERY == CHECK_EVERY - 1)
			VMC_ASSERT_CONSISTENT();
	}
	fprintf(stderr, "# fuzz (%s): %llu calls (VMC_FUZZ_SEED=%llu VMC_FUZZ_ITERS=%llu replays them); successes:",
		variant->policy, (unsigned long long)z.calls,
		(unsigned long long)seed, (unsigned long long)z.calls);
	for (i = 0; i < NR_KNOWN; i++)
		fprintf(stderr, " %s %llu", known_name[i],
			(unsigned long long)z.ok[i]);
	fprintf(stderr, "\n");
	ASSERT_EQ(0u, z.bad) TH_LOG("%s", z.error);
	if (z.calls >= MIN_ITERS) {
		/* the fuzzer got past the argument checks */
		EXPECT_LT(0u, z.ok[1]);
		EXPECT_LT(0u, z.ok[2]);
	}

	run_race(_metadata, &mem, seed);

	VMC_ASSERT_CONSISTENT();
	ret = check_sentinels(self->fd, present);
	ASSERT_LE(0, ret);
	fprintf(stderr, "# %d of %u sentinels present, all intact\n", ret,
		NSENTINELS);
	/*
	 * Policy none evicts nothing, and nothing fuzzed has their keys,
	 * unless a fuzzed prefix happened to start them.
	 */
	if (none && __atomic_load_n(&sentinel_prefix_evicts, __ATOMIC_RELAXED)) {
		fprintf(stderr, "# a fuzzed prefix evict matched the sentinels' keys\n");
	} else if (none) {
		ASSERT_EQ(NSENTINELS, ret);
	}

	/* a known-good round trip, with room made where nothing is evicted */
	if (none) {
		uint32_t klen = sentinel_key(key, sizeof(key), 0);

		ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
	}
	ASSERT_STILL_WORKS(self->fd);
	fuzzer_fini(&z);
}

/*
 * The consistency check can fail: damage done through the module's inject
 * file (a pool unit lost, nr_entries off by one, a reference nobody owns)
 * must be reported, and once repaired the check must pass again.
 */
TEST_F(fuzz, check_detects_damage)
{
	static const char *const expect[] = {
		"FAILED problems=",
		"neither free nor owned",
		"nr_entries",
		"references, expected 1",
	};
	char key[32], report[8192];
	unsigned int i, missing = 0;
	ssize_t n;
	int ret;

	if (fuzz_not_chosen("check_detects_damage"))
		SKIP(return, "VMC_FUZZ_ONLY=%s", getenv("VMC_FUZZ_ONLY"));
	VMC_NEED_DEBUG("the inject file");
	VMC_CONFIG(FUZZ_CAP, FUZZ_EXT, variant->policy);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key,
					     vmc_key(key, sizeof(key), "d-", i),
					     1000, i, 0));
	VMC_ASSERT_CONSISTENT();
	ASSERT_EQ(0, vmc_debugfs_write("inject", "1"));
	n = vmc_check_read(report, sizeof(report));
	ret = vmc_debugfs_write("inject", "0");	/* repair before asserting */
	ASSERT_EQ(0, ret);
	ASSERT_LT(0, n) TH_LOG("read: %s", strerror((int)-n));
	fprintf(stderr, "# the damaged cache's report:\n%s", report);
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		if (!strstr(report, expect[i])) {
			fprintf(stderr, "# not reported: %s\n", expect[i]);
			missing++;
		}
	}
	EXPECT_EQ(0u, missing);
	VMC_ASSERT_CONSISTENT();
	for (i = 0; i < 16; i++)
		VMC_ASSERT_VALUE(self->fd, key,
				 vmc_key(key, sizeof(key), "d-", i), 1000, i);
}

/* ------------------------------------------------------------ mixed */

#define MIX_RO		3		/* O_RDONLY descriptors at a time */
#define MIX_PRIV	4		/* private caches at a time */
#define MIX_PRIV_SIZE	(4ULL << 20)
#define PMEM		"/dev/pmem0"

static bool on_pmem(void)
{
	return !strcmp(vmc_backing(), PMEM);
}

/* Unbinds and rebinds the pmem namespace at random moments. */
struct unbinder {
	char ns[256];
	volatile int stop;
	uint64_t rng, cycles;
	int error;
};

static void *unbinder_main(void *p)
{
	struct unbinder *u = p;
	int ret;

	while (!u->stop) {
		usleep(10000 + vmc_rand(&u->rng) % 200000);
		ret = vmc_write_file(VMC_ND_PMEM "unbind", u->ns);
		if (ret) {
			u->error = ret;
			break;
		}
		usleep(vmc_rand(&u->rng) % 100000);
		ret = vmc_pmem_rebind(u->ns);
		if (ret) {
			u->error = ret;
			break;
		}
		u->cycles++;
	}
	return NULL;
}

struct mix_priv {
	int fd;
	bool dax;
};

struct mix_counts {
	uint64_t ro_opens, ro_calls, priv_calls, dax_calls;
	uint64_t roundtrips, rt_enxio;
	uint64_t dram_made, dax_made, dax_no_dev, closes;
	uint64_t create_err[4];	/* EBUSY, EOPNOTSUPP, EDQUOT, other */
};

/* Which documented CREATE errnos a refusal of ours may give. */
static bool mix_create_ok(int err, bool dax, struct mix_counts *c)
{
	switch (err) {
	case -EBUSY:		/* another private DAX cache claims it */
		c->create_err[0]++;
		return dax;
	case -EOPNOTSUPP:	/* the device lost its DAX under us */
		c->create_err[1]++;
		return dax;
	case -EDQUOT:
		c->create_err[2]++;
		return true;
	case -ENOMEM: case -EMFILE: case -ENFILE:
		c->create_err[3]++;
		return true;
	case -ENXIO:		/* the disk died between open and create */
	case -ENOTBLK:		/* the inode went with the device */
	case -ENOSPC:
		c->create_err[3]++;
		return dax;
	}
	return false;
}

/* A private cache: DRAM, or DAX on pmem0 (which may be unbound now). */
static int mix_create(int fd, bool dax, struct mix_counts *c)
{
	struct vmemcache_create cr = {
		.size = MIX_PRIV_SIZE,
		.extent_size = dax ? VMC_PAGE : FUZZ_EXT,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC |
			 (dax ? VMEMCACHE_CREATE_DAX : 0),
	};
	int dev = -1, ret;

	if (dax) {
		dev = open(PMEM, O_RDWR | O_CLOEXEC);
		if (dev < 0) {		/* unbound right now */
			c->dax_no_dev++;
			return 0;
		}
		cr.backing_fd = dev;
	}
	ret = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);
	ret = ret < 0 ? -errno : ret;
	if (dev >= 0)
		close(dev);
	if (ret > 0) {
		if (dax)
			c->dax_made++;
		else
			c->dram_made++;
	}
	return ret;
}

/*
 * A well-formed put and get on a private cache: they work, or on a DAX
 * cache whose device went away fail with ENXIO (a get may also find
 * its entry evicted, or on failed media: EIO).  0 or the wrong -errno.
 */
static int mix_roundtrip(int fd, bool dax, unsigned int k, uint64_t *enxio)
{
	char key[32];
	uint32_t klen = vmc_key(key, sizeof(key), "mixed-private-", k);
	int ret;

	ret = vmc_put_pattern(fd, key, klen, SENTINEL_LEN, vmc_seed(k, 99),
			      VMEMCACHE_PUT_REPLACE);
	if (ret && !(dax && ret == -ENXIO))
		return ret;
	*enxio += ret == -ENXIO;
	klen = vmc_key(key, sizeof(key), "mixed-private-", k / 2);
	ret = vmc_get_check(fd, key, klen, SENTINEL_LEN, vmc_seed(k / 2, 99));
	*enxio += ret == -ENXIO;
	if (ret == -ENOENT || (dax && (ret == -ENXIO || ret == -EIO)))
		return 0;
	return ret;
}

/* The shared cache's counters a refused call must leave as they were. */
static bool same_counters(const struct vmemcache_stats *a,
			  const struct vmemcache_stats *b)
{
	return a->entries == b->entries && a->puts == b->puts &&
	       a->evictions == b->evictions && a->pool_used == b->pool_used;
}

/* A failure in the loop: noted, and the unbinder is stopped before asserting. */
#define MIX_REQUIRE(cond, ...) do {					\
	if (!(cond)) {							\
		snprintf(why, sizeof(why), __VA_ARGS__);		\
		goto stop;						\
	}								\
} while (0)

/*
 * The hostile ioctls of hostile_ioctls, on a changing set of descriptors:
 * the shared cache's read-write one, O_RDONLY ones (opened and closed at
 * random; PUT, EVICT and CREATE on them must fail with EBADF whatever the
 * argument, and no call on them may change the shared cache's entries,
 * puts, evictions or pool use), and private caches, DRAM and (in the
 * pmem pass) DAX on /dev/pmem0, created, fuzzed and closed at random.
 * In the pmem pass a thread unbinds and rebinds the pmem namespace at
 * random moments meanwhile: a DAX cache whose device went away fails
 * PUT and GET with ENXIO (its other commands as documented), its
 * creation races the unbind, and every descriptor still closes.  The
 * shared cache runs on DRAM here (backing_dev none): a private DAX cache
 * needs the device unclaimed, and the unbind under the shared cache is
 * media_test's.  Afterwards the namespace is bound, /dev/pmem0 is there
 * and the shared cache claims it again, and the consistency check passes.
 *
 * The seed is printed; VMC_FUZZ_SEED replays the choices (not the
 * unbinder's timing); VMC_FUZZ_SECS sets the duration.
 */
VMC_FIXTURE(mixed)

TEST_F_TIMEOUT(mixed, descriptors, 7200)
{
	const char *seed_env = getenv("VMC_FUZZ_SEED");
	struct mix_priv priv[MIX_PRIV];
	struct vmemcache_stats before, after;
	struct mix_counts c = { 0 };
	struct unbinder *u = NULL;
	struct fuzz_mem mem = { 0 };
	bool present[NSENTINELS], pmem = on_pmem();
	int ro[MIX_RO], ret;
	pthread_t unb;
	struct fuzzer z;
	uint64_t seed, n;
	unsigned int i;
	char key[32], why[256] = "";
	double start, end;

	if (fuzz_not_chosen("descriptors"))
		SKIP(return, "VMC_FUZZ_ONLY=%s", getenv("VMC_FUZZ_ONLY"));
	if (seed_env && *seed_env)
		seed = strtoull(seed_env, NULL, 0);
	else
		seed = (uint64_t)time(NULL) * 1000003ULL ^ (uint64_t)getpid();
	fprintf(stderr, "# mixed (%s): seed %llu (rerun with VMC_FUZZ_SEED=%llu)\n",
		pmem ? "pmem" : "dram", (unsigned long long)seed,
		(unsigned long long)seed);

	VMC_CONFIG(FUZZ_CAP, FUZZ_EXT, "lru");
	if (pmem)	/* the private DAX caches need the device */
		ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	ASSERT_EQ(0, fuzz_mem_init(&mem, seed));
	ASSERT_EQ(0, fuzzer_init(&z, &mem, seed));
	for (i = 0; i < MIX_RO; i++)
		ro[i] = -1;
	for (i = 0; i < MIX_PRIV; i++)
		priv[i].fd = -1;
	for (i = 0; i < NSENTINELS; i++) {
		uint32_t klen = sentinel_key(key, sizeof(key), i);

		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, SENTINEL_LEN,
					     vmc_seed(i, 77), 0));
		present[i] = true;
	}

	if (pmem) {
		u = calloc(1, sizeof(*u));
		ASSERT_TRUE(u != NULL);
		ASSERT_EQ(0, vmc_pmem_namespace(u->ns, sizeof(u->ns)));
		u->rng = vmc_mix64(seed ^ 0xb1d);
		ASSERT_EQ(0, pthread_create(&unb, NULL, unbinder_main, u));
	}

	start = now();
	end = start + fuzz_secs();
	for (n = 0; now() < end && !z.bad; n++) {
		unsigned int a = (unsigned int)rnd(&z, 64);
		unsigned int s;

		if (a == 0) {			/* an O_RDONLY descriptor */
			s = (unsigned int)rnd(&z, MIX_RO);
			if (ro[s] >= 0) {
				ret = close(ro[s]);
				ro[s] = -1;
				MIX_REQUIRE(!ret, "close: %s", strerror(errno));
			} else {
				ro[s] = open(vmc_dev_path(), O_RDONLY | O_CLOEXEC);
				MIX_REQUIRE(ro[s] >= 0, "open O_RDONLY: %s",
					    strerror(errno));
				c.ro_opens++;
			}
		} else if (a <= 2) {		/* a private cache */
			s = (unsigned int)rnd(&z, MIX_PRIV);
			if (priv[s].fd >= 0) {
				ret = close(priv[s].fd);
				priv[s].fd = -1;
				c.closes++;
				MIX_REQUIRE(!ret, "close: %s", strerror(errno));
				continue;
			}
			priv[s].dax = pmem && rnd(&z, 2);
			ret = mix_create(self->fd, priv[s].dax, &c);
			priv[s].fd = ret > 0 ? ret : -1;
			MIX_REQUIRE(ret >= 0 ||
				    mix_create_ok(ret, priv[s].dax, &c),
				    "create (%s): %s",
				    priv[s].dax ? "dax" : "dram",
				    strerror(-ret));
		} else if (a < 16) {		/* on a read-only descriptor */
			s = (unsigned int)rnd(&z, MIX_RO);
			if (ro[s] < 0)
				continue;
			MIX_REQUIRE(!vmc_stats(self->fd, &before), "stats");
			z.read_only = true;
			fuzz_one(&z, ro[s]);
			z.read_only = false;
			MIX_REQUIRE(!vmc_stats(self->fd, &after), "stats");
			MIX_REQUIRE(same_counters(&before, &after),
				    "read-only call %llu changed the cache: entries %llu->%llu puts %llu->%llu",
				       (unsigned long long)z.calls,
				       (unsigned long long)before.entries,
				       (unsigned long long)after.entries,
				       (unsigned long long)before.puts,
				       (unsigned long long)after.puts);
			c.ro_calls++;
		} else if (a < 20) {		/* well-formed, private */
			s = (unsigned int)rnd(&z, MIX_PRIV);
			if (priv[s].fd < 0)
				continue;
			ret = mix_roundtrip(priv[s].fd, priv[s].dax,
					    (unsigned int)rnd(&z, 64),
					    &c.rt_enxio);
			MIX_REQUIRE(!ret, "%s private cache: %s",
				    priv[s].dax ? "DAX" : "DRAM",
				    strerror(-ret));
			c.roundtrips++;
		} else if (a < 40) {		/* on a private cache */
			s = (unsigned int)rnd(&z, MIX_PRIV);
			if (priv[s].fd < 0)
				continue;
			z.private_cache = true;
			z.dax = priv[s].dax;
			fuzz_one(&z, priv[s].fd);
			if (z.dax)
				c.dax_calls++;
			z.private_cache = z.dax = false;
			c.priv_calls++;
		} else {			/* on the shared cache */
			fuzz_one(&z, self->fd);
		}
		if (n % SENTINEL_EVERY == SENTINEL_EVERY - 1)
			MIX_REQUIRE(check_sentinels(self->fd, present) >= 0,
				    "sentinels");
		if (n % CHECK_EVERY == CHECK_EVERY - 1)
			MIX_REQUIRE(!vmc_check_consistency(), "consistency");
	}
stop:
	if (u) {
		u->stop = 1;
		ASSERT_EQ(0, pthread_join(unb, NULL));
		EXPECT_EQ(0, u->error) TH_LOG("unbind/bind: %s",
					      strerror(-u->error));
		if (access(PMEM, F_OK))		/* for the tests after */
			EXPECT_EQ(0, vmc_pmem_rebind(u->ns));
	}
	/* closing everything works, whatever happened to the devices */
	for (i = 0; i < MIX_RO; i++)
		if (ro[i] >= 0)
			EXPECT_EQ(0, close(ro[i]));
	for (i = 0; i < MIX_PRIV; i++)
		if (priv[i].fd >= 0) {
			EXPECT_EQ(0, close(priv[i].fd));
			c.closes++;
		}
	fprintf(stderr, "# mixed (%s): %llu calls in %.0f s; read-only: %llu calls, %llu opened\n",
		pmem ? "pmem" : "dram", (unsigned long long)z.calls,
		now() - start, (unsigned long long)c.ro_calls,
		(unsigned long long)c.ro_opens);
	fprintf(stderr, "# private: %llu fuzzed calls (%llu DAX, %llu ENXIO), %llu put+get (%llu ENXIO)\n",
		(unsigned long long)c.priv_calls,
		(unsigned long long)c.dax_calls, (unsigned long long)z.enxio,
		(unsigned long long)c.roundtrips,
		(unsigned long long)c.rt_enxio);
	fprintf(stderr, "# private: made %llu DRAM, %llu DAX, closed %llu; no device %llu times\n",
		(unsigned long long)c.dram_made, (unsigned long long)c.dax_made,
		(unsigned long long)c.closes, (unsigned long long)c.dax_no_dev);
	fprintf(stderr, "# create refused: EBUSY %llu EOPNOTSUPP %llu EDQUOT %llu other %llu; unbind/bind cycles %llu\n",
		(unsigned long long)c.create_err[0],
		(unsigned long long)c.create_err[1],
		(unsigned long long)c.create_err[2],
		(unsigned long long)c.create_err[3],
		u ? (unsigned long long)u->cycles : 0ULL);
	fprintf(stderr, "# mixed successes:");
	for (i = 0; i < NR_KNOWN; i++)
		fprintf(stderr, " %s %llu", known_name[i],
			(unsigned long long)z.ok[i]);
	fprintf(stderr, "\n");
	ASSERT_EQ(0u, z.bad) TH_LOG("%s", z.error);
	ASSERT_EQ(0, why[0]) TH_LOG("call %llu: %s",
				   (unsigned long long)z.calls, why);
	EXPECT_LT(0u, c.ro_calls);
	EXPECT_LT(0u, c.dram_made);

	VMC_ASSERT_CONSISTENT();
	ret = check_sentinels(self->fd, present);
	ASSERT_LE(0, ret);
	fprintf(stderr, "# %d of %u sentinels present, all intact\n", ret,
		NSENTINELS);

	if (u) {
		/* bound again, and the shared cache claims the device */
		ASSERT_EQ(0, access(PMEM, F_OK));
		free(u);
		ASSERT_EQ(0, vmc_reset());
		ASSERT_EQ(0, vmc_sysfs_write("backing_dev", PMEM));
	}
	ASSERT_STILL_WORKS(self->fd);
	fuzzer_fini(&z);
}

TEST_HARNESS_MAIN
