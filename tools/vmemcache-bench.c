// SPDX-License-Identifier: GPL-2.0
/*
 * vmemcache-bench -- drives the cache through libvmemcache-kdev with many
 * threads and prints throughput, latency percentiles, hit ratio, pool
 * utilization, DRAM per entry and LRU lock traffic.  --compare runs the
 * same workload in alternating rounds against the buffered LRU, the
 * locked LRU and the floor, and prints the ratios.  Figures, not
 * pass/fail.
 *
 * The floor is what a get cannot avoid: one ioctl that copies the value
 * size from kernel memory into the caller's buffer with copy_to_user(),
 * and nothing else (the module's debugfs file vmemcache/floor, as root).
 * Without that file the floor is an ioctl that only returns (ENOTTY) plus
 * a memcpy() in user memory, which under QEMU's TCG is not the same copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <libvmemcache.h>

#define NBUCKETS	(64 * 16)	/* log-linear: 2^k ns, 16 steps each */
#define ROUNDS		5
#define SYSFS_DEFAULT	"/sys/class/misc/vmemcache"

#define FLOOR_FILE	"/sys/kernel/debug/vmemcache/floor"

/* The ioctl of FLOOR_FILE (module/debugfs.c). */
struct floor_arg {
	uint64_t buf;
	uint64_t len;
};

#define FLOOR_IOC	_IOW(0xBA, 0x80, struct floor_arg)

static int floor_fd = -1;

enum variant { V_LRU, V_LRU_LOCKED, V_FLOOR, V_NUM };
static const char *const variant_name[V_NUM] = { "lru", "lru_locked", "floor" };

struct opts {
	unsigned int threads;
	uint64_t ops;
	double duration;
	unsigned int get_pct;
	uint64_t keys;
	double zipf;		/* 0: uniform */
	uint64_t vmin, vmax;
	int skewed;
	uint64_t cache_size;
	const char *policy;
	const char *device;
	const char *sysfs;
	const char *backing;
	int json, compare, prefill, dax_write_compare, matrix, tier;
	uint64_t slow_size;	/* --tier: the slow tier's size */
	const char *slow_path;	/* --tier: its medium; NULL for DRAM */
};

struct hist {
	uint64_t n[NBUCKETS];
	uint64_t count;
};

struct result {
	double secs;
	uint64_t ops, gets, hits, puts;
	struct hist get_lat, put_lat;
	struct vmemcache_stats before, after;
};

struct worker {
	const struct opts *o;
	VMEMcache *cache;
	int fd;
	enum variant v;
	unsigned int id;
	uint64_t ops;
	double deadline;
	volatile int *stop;
	const double *cdf;
	struct result r;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unit(uint64_t *s)
{
	return (double)(splitmix(s) >> 11) / 9007199254740992.0;
}

static unsigned int bucket(uint64_t ns)
{
	unsigned int k, sub;

	if (ns < 16)
		return (unsigned int)ns;
	k = 63 - (unsigned int)__builtin_clzll(ns);
	sub = (unsigned int)((ns >> (k - 4)) & 15);
	return k * 16 + sub < NBUCKETS ? k * 16 + sub : NBUCKETS - 1;
}

static double bucket_ns(unsigned int b)
{
	unsigned int k = b / 16, sub = b % 16;

	if (b < 16)
		return b;
	return ldexp(16 + sub + 0.5, (int)k - 4);
}

static void hist_add(struct hist *h, uint64_t ns)
{
	h->n[bucket(ns)]++;
	h->count++;
}

static void hist_merge(struct hist *to, const struct hist *from)
{
	unsigned int i;

	for (i = 0; i < NBUCKETS; i++)
		to->n[i] += from->n[i];
	to->count += from->count;
}

/* The @q quantile in microseconds. */
static double hist_quantile(const struct hist *h, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)h->count), seen = 0;
	unsigned int i;

	if (!h->count)
		return 0;
	for (i = 0; i < NBUCKETS; i++) {
		seen += h->n[i];
		if (seen >= want)
			return bucket_ns(i) / 1000.0;
	}
	return bucket_ns(NBUCKETS - 1) / 1000.0;
}

/* Zipf CDF over the key space (Gray et al. would avoid the table). */
static double *zipf_cdf(uint64_t n, double theta)
{
	double *cdf = malloc(n * sizeof(*cdf)), sum = 0;
	uint64_t i;

	if (!cdf)
		return NULL;
	for (i = 0; i < n; i++)
		sum += 1.0 / pow((double)(i + 1), theta);
	cdf[0] = 1.0 / sum;
	for (i = 1; i < n; i++)
		cdf[i] = cdf[i - 1] + 1.0 / pow((double)(i + 1), theta) / sum;
	return cdf;
}

static uint64_t pick_key(const struct worker *w, uint64_t *rng)
{
	double u;
	uint64_t lo = 0, hi = w->o->keys - 1;

	if (!w->cdf)
		return splitmix(rng) % w->o->keys;
	u = unit(rng);
	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (w->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t pick_size(const struct opts *o, uint64_t *rng)
{
	if (o->vmin == o->vmax)
		return o->vmin;
	if (o->skewed)	/* log-uniform: many small values, few large */
		return (uint64_t)exp(log((double)o->vmin) +
				     unit(rng) * (log((double)o->vmax) -
						  log((double)o->vmin)));
	return o->vmin + splitmix(rng) % (o->vmax - o->vmin + 1);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	uint64_t rng = 0x1234567ULL * (w->id + 1), i, t0, k, size, vsize;
	unsigned long cmd = _IOC(_IOC_NONE, 0xBA, 0x1f, 0);
	char key[32], *val, *buf;
	int klen, is_get;
	ssize_t n;

	val = malloc(o->vmax);
	buf = malloc(o->vmax);
	if (!val || !buf)
		goto out;
	memset(val, 0x5a, o->vmax);
	for (i = 0; i < w->ops && !*w->stop; i++) {
		if (!(i & 63) && w->deadline && now() >= w->deadline)
			break;
		k = pick_key(w, &rng);
		klen = snprintf(key, sizeof(key), "bench-%" PRIu64, k);
		is_get = splitmix(&rng) % 100 < o->get_pct;
		size = pick_size(o, &rng);
		t0 = now_ns();
		if (w->v == V_FLOOR) {
			/* The least a get can cost: a syscall and a copy. */
			struct floor_arg a = { (uintptr_t)buf, size };

			if (floor_fd >= 0) {
				if (ioctl(floor_fd, FLOOR_IOC, &a))
					abort();
			} else {
				if (ioctl(w->fd, cmd, NULL) != -1 ||
				    errno != ENOTTY)
					abort();
				memcpy(buf, val, size);
			}
			hist_add(is_get ? &w->r.get_lat : &w->r.put_lat,
				 now_ns() - t0);
			w->r.gets += is_get;
			w->r.hits += is_get;
			w->r.puts += !is_get;
			continue;
		}
		if (is_get) {
			n = vmemcache_get(w->cache, key, (size_t)klen, buf,
					  o->vmax, 0, &vsize);
			hist_add(&w->r.get_lat, now_ns() - t0);
			w->r.gets++;
			w->r.hits += n >= 0;
		} else {
			vmemcache_put_flags(w->cache, key, (size_t)klen, val,
					    size, VMEMCACHE_PUT_REPLACE);
			hist_add(&w->r.put_lat, now_ns() - t0);
			w->r.puts++;
		}
	}
	w->r.ops = i;
out:
	free(val);
	free(buf);
	return NULL;
}

static int sysfs_write(const struct opts *o, const char *attr, const char *v)
{
	char path[512];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", o->sysfs, attr);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "vmemcache-bench: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	ret = fprintf(f, "%s\n", v) < 0;
	ret |= fclose(f) != 0;
	if (ret)
		fprintf(stderr, "vmemcache-bench: write %s=%s: %s\n", attr, v,
			strerror(errno));
	return ret ? -1 : 0;
}

/* Empty the cache, apply policy and size, and put every key once. */
static int prepare(const struct opts *o, VMEMcache *cache, const char *policy)
{
	char num[32], key[32], *val;
	uint64_t k, rng = 42;
	int klen;

	if (sysfs_write(o, "reset", "1") ||
	    (o->backing && sysfs_write(o, "backing_dev", o->backing)) ||
	    sysfs_write(o, "policy", policy))
		return -1;
	if (o->cache_size) {
		snprintf(num, sizeof(num), "%" PRIu64, o->cache_size);
		if (sysfs_write(o, "capacity", num))
			return -1;
	}
	if (!o->prefill)
		return 0;
	val = calloc(1, o->vmax);
	if (!val)
		return -1;
	for (k = 0; k < o->keys; k++) {
		klen = snprintf(key, sizeof(key), "bench-%" PRIu64, k);
		vmemcache_put_flags(cache, key, (size_t)klen, val,
				    pick_size(o, &rng), VMEMCACHE_PUT_REPLACE);
	}
	free(val);
	return 0;
}

static int run(const struct opts *o, VMEMcache *cache, enum variant v,
	       uint64_t ops, double duration, const double *cdf,
	       struct result *res)
{
	struct worker *w = calloc(o->threads, sizeof(*w));
	pthread_t *tid = calloc(o->threads, sizeof(*tid));
	volatile int stop = 0;
	double t0, deadline = 0, last = 0;
	unsigned int i;

	if (!w || !tid)
		return -1;
	memset(res, 0, sizeof(*res));
	vmemcache_get_stats(cache, &res->before);
	t0 = now();
	if (duration)
		deadline = t0 + duration;
	for (i = 0; i < o->threads; i++) {
		w[i] = (struct worker){
			.o = o, .cache = cache, .fd = vmemcache_fd(cache),
			.v = v, .id = i, .cdf = cdf, .stop = &stop,
			.ops = duration ? UINT64_MAX : ops / o->threads +
			       (i < ops % o->threads),
			.deadline = deadline,
		};
		if (pthread_create(&tid[i], NULL, worker_main, &w[i]))
			return -1;
	}
	/* A progress line on long runs. */
	while (duration > 3 && now() < deadline) {
		usleep(200000);
		if (now() - last >= 1) {
			last = now();
			fprintf(stderr, "\r%s: %.0f s of %.0f", variant_name[v],
				last - t0, duration);
		}
	}
	for (i = 0; i < o->threads; i++) {
		pthread_join(tid[i], NULL);
		res->ops += w[i].r.ops;
		res->gets += w[i].r.gets;
		res->hits += w[i].r.hits;
		res->puts += w[i].r.puts;
		hist_merge(&res->get_lat, &w[i].r.get_lat);
		hist_merge(&res->put_lat, &w[i].r.put_lat);
	}
	if (duration > 3)
		fprintf(stderr, "\r%40s\r", "");
	res->secs = now() - t0;
	vmemcache_get_stats(cache, &res->after);
	free(w);
	free(tid);
	return 0;
}

static double per_kop(uint64_t a, uint64_t b, uint64_t ops)
{
	return ops ? 1000.0 * (double)(a - b) / (double)ops : 0;
}

static void print_result(const struct opts *o, const char *name,
			 const struct result *r)
{
	const struct vmemcache_stats *s = &r->after;
	double ops_s = (double)r->ops / r->secs;
	double util = s->pool_size ? (double)s->pool_used / (double)s->pool_size : 0;
	double dram = s->entries ? (double)s->dram_used / (double)s->entries : 0;

	if (o->json) {
		printf("{\"variant\":\"%s\",\"threads\":%u,\"ops\":%" PRIu64
		       ",\"secs\":%.3f,\"ops_per_s\":%.0f,\"hit_ratio\":%.4f,"
		       "\"get_p50_us\":%.2f,\"get_p99_us\":%.2f,\"get_p999_us\":%.2f,"
		       "\"put_p50_us\":%.2f,\"put_p99_us\":%.2f,\"put_p999_us\":%.2f,"
		       "\"pool_utilization\":%.4f,\"dram_bytes_per_entry\":%.1f,"
		       "\"lru_lock_per_kop\":%.2f,\"lru_lock_contended_per_kop\":%.2f,"
		       "\"alloc_lock_per_kop\":%.2f,\"alloc_lock_contended_per_kop\":%.2f}\n",
		       name, o->threads, r->ops, r->secs, ops_s,
		       r->gets ? (double)r->hits / (double)r->gets : 0,
		       hist_quantile(&r->get_lat, .5), hist_quantile(&r->get_lat, .99),
		       hist_quantile(&r->get_lat, .999), hist_quantile(&r->put_lat, .5),
		       hist_quantile(&r->put_lat, .99), hist_quantile(&r->put_lat, .999),
		       util, dram,
		       per_kop(s->lru_lock_acquired, r->before.lru_lock_acquired, r->ops),
		       per_kop(s->lru_lock_contended, r->before.lru_lock_contended, r->ops),
		       per_kop(s->alloc_lock_acquired, r->before.alloc_lock_acquired, r->ops),
		       per_kop(s->alloc_lock_contended, r->before.alloc_lock_contended, r->ops));
		return;
	}
	printf("%-10s %8u thr %10.0f ops/s  hit %5.1f%%  get p50/p99/p99.9 %7.2f/%7.2f/%7.2f us  put p50/p99/p99.9 %7.2f/%7.2f/%7.2f us\n",
	       name, o->threads, ops_s,
	       r->gets ? 100.0 * (double)r->hits / (double)r->gets : 0,
	       hist_quantile(&r->get_lat, .5), hist_quantile(&r->get_lat, .99),
	       hist_quantile(&r->get_lat, .999), hist_quantile(&r->put_lat, .5),
	       hist_quantile(&r->put_lat, .99), hist_quantile(&r->put_lat, .999));
	if (strcmp(name, "floor"))
		printf("%-10s pool utilization %.1f%%, %.0f DRAM bytes/entry, per 1000 ops: lru lock %.1f (%.1f contended), alloc lock %.1f (%.1f contended)\n",
		       "", 100 * util, dram,
		       per_kop(s->lru_lock_acquired, r->before.lru_lock_acquired, r->ops),
		       per_kop(s->lru_lock_contended, r->before.lru_lock_contended, r->ops),
		       per_kop(s->alloc_lock_acquired, r->before.alloc_lock_acquired, r->ops),
		       per_kop(s->alloc_lock_contended, r->before.alloc_lock_contended, r->ops));
	if (o->vmin == o->vmax)
		printf("%-10s value bandwidth %.1f MiB/s\n", "",
		       ops_s * (double)o->vmin / 1048576.0);
}

/* Set the module's dax_flushcache knob (a module parameter). */
static int set_dax_flushcache(int on)
{
	const char *path = "/sys/module/vmemcache/parameters/dax_flushcache";
	FILE *f = fopen(path, "w");
	int ret;

	if (!f) {
		fprintf(stderr, "vmemcache-bench: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	ret = fprintf(f, "%c\n", on ? 'Y' : 'N') < 0;
	ret |= fclose(f) != 0;
	return ret ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Alternate short rounds of each variant; medians and ratios. */
static int compare(const struct opts *o, VMEMcache *cache, const double *cdf)
{
	double tput[V_NUM][ROUNDS], p50[V_NUM][ROUNDS], lock[V_NUM][ROUNDS];
	double mt[V_NUM], mp[V_NUM];
	struct result r;
	int round, v;

	floor_fd = open(FLOOR_FILE, O_RDONLY | O_CLOEXEC);
	if (!o->json)
		printf("floor: %s\n", floor_fd >= 0 ?
		       "one ioctl copying the value size from the kernel (" FLOOR_FILE ")" :
		       "an ENOTTY ioctl plus a user-space memcpy() (" FLOOR_FILE " not available)");
	for (round = 0; round < ROUNDS; round++) {
		for (v = 0; v < V_NUM; v++) {
			if (v != V_FLOOR &&
			    prepare(o, cache, variant_name[v]))
				return -1;
			if (run(o, cache, (enum variant)v, o->ops / ROUNDS,
				o->duration / ROUNDS, cdf, &r))
				return -1;
			tput[v][round] = (double)r.ops / r.secs;
			p50[v][round] = hist_quantile(&r.get_lat, .5);
			lock[v][round] = per_kop(r.after.lru_lock_acquired,
						 r.before.lru_lock_acquired,
						 r.ops);
			if (!o->json)
				print_result(o, variant_name[v], &r);
		}
	}
	for (v = 0; v < V_NUM; v++) {
		double lo = tput[v][0], hi = tput[v][0];
		int i;

		for (i = 1; i < ROUNDS; i++) {
			lo = fmin(lo, tput[v][i]);
			hi = fmax(hi, tput[v][i]);
		}
		mt[v] = median(tput[v], ROUNDS);
		mp[v] = median(p50[v], ROUNDS);
		if (!o->json)
			printf("median %-10s %10.0f ops/s (%.0f..%.0f)  get p50 %.2f us  lru lock/1000 ops %.1f\n",
			       variant_name[v], mt[v], lo, hi, mp[v],
			       median(lock[v], ROUNDS));
	}
	if (o->json)
		printf("{\"compare\":{\"floor\":\"%s\",\"lru_ops_per_s\":%.0f,\"lru_locked_ops_per_s\":%.0f,\"floor_ops_per_s\":%.0f,\"throughput_lru_over_locked\":%.3f,\"get_p50_lru_over_floor\":%.3f}}\n",
		       floor_fd >= 0 ? "kernel_copy" : "ioctl_memcpy",
		       mt[V_LRU], mt[V_LRU_LOCKED], mt[V_FLOOR],
		       mt[V_LRU] / mt[V_LRU_LOCKED], mp[V_LRU] / mp[V_FLOOR]);
	else
		printf("ratio: throughput lru/lru_locked %.2fx; get p50 lru/floor %.2fx\n",
		       mt[V_LRU] / mt[V_LRU_LOCKED], mp[V_LRU] / mp[V_FLOOR]);
	if (floor_fd >= 0)
		close(floor_fd);
	floor_fd = -1;
	return 0;
}

/*
 * Alternate short rounds of the workload with values copied into pmem by
 * copy_from_user() and by non-temporal stores; medians and their ratio.
 */
static int dax_write_compare(const struct opts *o, VMEMcache *cache,
			     const double *cdf)
{
	static const char *const name[2] = { "copy", "flushcache" };
	double tput[2][ROUNDS], mt[2];
	struct result r;
	int round, nt;

	for (round = 0; round < ROUNDS; round++) {
		for (nt = 0; nt < 2; nt++) {
			if (set_dax_flushcache(nt) ||
			    prepare(o, cache, o->policy) ||
			    run(o, cache, V_LRU, o->ops / ROUNDS,
				o->duration / ROUNDS, cdf, &r))
				return -1;
			tput[nt][round] = (double)r.ops / r.secs;
			print_result(o, name[nt], &r);
		}
	}
	for (nt = 0; nt < 2; nt++) {
		mt[nt] = median(tput[nt], ROUNDS);
		printf("median %-10s %10.0f ops/s  %.1f MiB/s of %" PRIu64 "..%" PRIu64 "-byte values\n",
		       name[nt], mt[nt],
		       mt[nt] * (double)(o->vmin + o->vmax) / 2 / 1048576.0,
		       o->vmin, o->vmax);
	}
	printf("ratio: throughput flushcache/copy %.2fx\n", mt[1] / mt[0]);
	return set_dax_flushcache(1);	/* the default */
}

/*
 * --matrix: the per-operation cost of puts into a full cache (each one
 * evicts) and of hits, one at a time and MATRIX_BATCH per
 * vmemcache_batch(), at each of matrix_sizes[], in a private DRAM cache of
 * --cache-size (default 64 MiB, 256-byte extents), one thread.  Each row
 * is printed in ns per operation beside the floor: an ioctl the kernel
 * rejects (ENOTTY) plus a memcpy() of the value size in user memory, and
 * the kernel's copy (FLOOR_FILE) when it exists.  The rows of a size run
 * in turn, ROUNDS times over, so that they share the machine's state;
 * the medians are printed.
 */
#define MATRIX_BATCH	32
#define MATRIX_GETKEYS	1024
#define MATRIX_KEYLEN	14	/* see matrix_key() */

static uint64_t matrix_sizes[8] = { 256, 1024, 4096, 16384 };
static size_t matrix_nsizes = 4;

enum mrow { M_IOCTL, M_MEMCPY, M_KFLOOR, M_PUT, M_PUTB, M_GET, M_GETB,
	    M_NUM };
static const char *const mrow_name[M_NUM] = {
	"ioctl(ENOTTY)", "memcpy", "kernel floor", "put (evicts)",
	"put, batch of 32", "get (hit)", "get, batch of 32",
};

struct matrix {
	VMEMcache *cache;
	uint64_t size, next_key, getkeys;
	char *val, *buf;
	struct vmemcache_batch_item items[MATRIX_BATCH];
	char keys[MATRIX_BATCH][MATRIX_KEYLEN];
};

/*
 * Key @k of the kind @pfx ('p' or 'g') into @key: MATRIX_KEYLEN bytes,
 * @k in fixed-width hex.  Not snprintf(), which under TCG costs a good
 * part of a small get and would count in every row but the floor's.
 */
static size_t matrix_key(char *key, char pfx, uint64_t k)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	key[0] = pfx;
	key[1] = '-';
	for (i = MATRIX_KEYLEN - 1; i >= 2; i--, k >>= 4)
		key[i] = hex[k & 15];
	return MATRIX_KEYLEN;
}

/*
 * A put of key @pfx@k, with @flags: the timed puts store new keys with
 * none, as a program written for libvmemcache puts (its vmemcache_put()
 * fails for a key present, so the kernel looks for it first).
 */
static int matrix_put_key(struct matrix *m, char pfx, uint64_t k,
			  unsigned int flags)
{
	char key[MATRIX_KEYLEN];
	size_t klen = matrix_key(key, pfx, k);

	return vmemcache_put_flags(m->cache, key, klen, m->val, m->size,
				   flags);
}

/* A row's operation failed: say which and how, then stop. */
static void matrix_fail(enum mrow row, const char *what, long long v)
{
	fprintf(stderr, "vmemcache-bench: %s: %s %lld (%s; %s)\n",
		mrow_name[row], what, v, strerror(errno),
		vmemcache_errormsg());
	abort();
}

/* One operation (or one batch) of @row; returns how many it made. */
static int matrix_op(struct matrix *m, enum mrow row, uint64_t i)
{
	unsigned long cmd = _IOC(_IOC_NONE, 0xBA, 0x1f, 0);
	struct floor_arg a = { (uintptr_t)m->buf, m->size };
	char key[MATRIX_KEYLEN];
	size_t vsize, klen;
	ssize_t got;
	int j;

	switch (row) {
	case M_IOCTL:
		if (ioctl(vmemcache_fd(m->cache), cmd, NULL) != -1 ||
		    errno != ENOTTY)
			matrix_fail(row, "ioctl returned", 0);
		return 1;
	case M_MEMCPY:
		memcpy(m->buf, m->val, m->size);
		/* Keep the copy from being elided. */
		__asm__ volatile("" : : "r"(m->buf) : "memory");
		return 1;
	case M_KFLOOR:
		if (ioctl(floor_fd, FLOOR_IOC, &a))
			matrix_fail(row, "ioctl returned", -1);
		return 1;
	case M_PUT:
		if (matrix_put_key(m, 'p', m->next_key++, 0))
			matrix_fail(row, "put of key", (long long)m->next_key);
		return 1;
	case M_GET:
		klen = matrix_key(key, 'g', i % m->getkeys);
		got = vmemcache_get(m->cache, key, klen, m->buf, m->size, 0,
				    &vsize);
		if (got != (ssize_t)m->size)
			matrix_fail(row, "get returned", (long long)got);
		return 1;
	default:
		break;
	}
	for (j = 0; j < MATRIX_BATCH; j++) {
		struct vmemcache_batch_item *it = &m->items[j];

		memset(it, 0, sizeof(*it));
		if (row == M_PUTB) {
			klen = matrix_key(m->keys[j], 'p', m->next_key++);
			it->op = VMEMCACHE_BATCH_PUT;
			it->buf = (uintptr_t)m->val;
		} else {
			klen = matrix_key(m->keys[j], 'g',
					  (i * MATRIX_BATCH + j) %
					  m->getkeys);
			it->op = VMEMCACHE_BATCH_GET;
			/* Each its own buffer: a batch is 32 values out. */
			it->buf = (uintptr_t)(m->buf + (uint64_t)j * m->size);
		}
		it->key = (uintptr_t)m->keys[j];
		it->key_len = (uint32_t)klen;
		it->len = m->size;
	}
	if (vmemcache_batch(m->cache, m->items, MATRIX_BATCH))
		matrix_fail(row, "vmemcache_batch() returned", -1);
	for (j = 0; j < MATRIX_BATCH; j++)
		if (m->items[j].result)
			matrix_fail(row, "an item's result was",
				    m->items[j].result);
	return MATRIX_BATCH;
}

/* ns per operation of @row over a window of @secs. */
static double matrix_window(struct matrix *m, enum mrow row, double secs)
{
	uint64_t ops = 0, i, t0 = now_ns(), t1;
	uint64_t budget = (uint64_t)(secs * 1e9);

	for (i = 0;; i++) {
		ops += (uint64_t)matrix_op(m, row, i);
		if (!(i & 15) && (t1 = now_ns()) - t0 >= budget)
			break;
	}
	return (double)(t1 - t0) / (double)ops;
}

static int matrix_size(const struct opts *o, uint64_t size, double win)
{
	double ns[M_NUM][ROUNDS], med[M_NUM], best[M_NUM], floor_ns;
	struct matrix m = { .size = size };
	uint64_t k, fill;
	int round, row, ret = -1;

	m.cache = vmemcache_new();
	m.val = malloc(size);
	m.buf = malloc(size * MATRIX_BATCH);
	if (!m.cache || !m.val || !m.buf ||
	    vmemcache_set_size(m.cache, o->cache_size) ||
	    vmemcache_set_extent_size(m.cache, 256) ||
	    vmemcache_add(m.cache, o->device)) {
		fprintf(stderr, "vmemcache-bench: %s\n", vmemcache_errormsg());
		goto out;
	}
	memset(m.val, 0x5a, size);
	memset(m.buf, 0, size * MATRIX_BATCH);
	/*
	 * The keys the gets read: at most half the cache, as a put that
	 * replaces one of them needs room beside its old value, and in a
	 * cache they filled it would evict another of them.
	 */
	m.getkeys = o->cache_size / ((size + 255) / 256 * 256) / 2;
	m.getkeys = m.getkeys < 1 ? 1 :
		    m.getkeys > MATRIX_GETKEYS ? MATRIX_GETKEYS : m.getkeys;
	/* Fill the pool, so that every timed put evicts. */
	fill = o->cache_size / size + o->cache_size / size / 8;
	for (k = 0; k < fill; k++)
		if (matrix_put_key(&m, 'p', m.next_key++, 0))
			goto out;
	for (round = 0; round < ROUNDS; round++) {
		for (row = 0; row < M_NUM; row++) {
			if (row == M_KFLOOR && floor_fd < 0) {
				ns[row][round] = 0;
				continue;
			}
			/* The keys of the gets, evicted by the puts since. */
			if (row == M_GET || row == M_GETB)
				for (k = 0; k < m.getkeys; k++)
					if (matrix_put_key(&m, 'g', k,
							   VMEMCACHE_PUT_REPLACE))
						goto out;
			ns[row][round] = matrix_window(&m, (enum mrow)row,
						       win);
		}
	}
	for (row = 0; row < M_NUM; row++) {
		best[row] = ns[row][0];
		for (round = 1; round < ROUNDS; round++)
			best[row] = fmin(best[row], ns[row][round]);
		med[row] = median(ns[row], ROUNDS);
	}
	floor_ns = med[M_IOCTL] + med[M_MEMCPY];
	printf("%6" PRIu64 " B  floor %.0f ns (ioctl %.0f + memcpy %.0f)",
	       size, floor_ns, med[M_IOCTL], med[M_MEMCPY]);
	if (floor_fd >= 0)
		printf(", kernel floor %.0f ns", med[M_KFLOOR]);
	printf("\n");
	for (row = M_PUT; row < M_NUM; row++) {
		printf("%6" PRIu64 " B  %-18s %8.0f ns/op  %5.2fx floor",
		       size, mrow_name[row], med[row], med[row] / floor_ns);
		if (floor_fd >= 0)
			printf("  %5.2fx kernel floor", med[row] / med[M_KFLOOR]);
		/* On a busy host the best round is the steadier figure. */
		printf("  best %.0f ns/op, %.2fx best floor\n", best[row],
		       best[row] / (best[M_IOCTL] + best[M_MEMCPY]));
	}
	fflush(stdout);
	ret = 0;
out:
	if (m.cache)
		vmemcache_delete(m.cache);
	free(m.val);
	free(m.buf);
	return ret;
}

static int matrix(struct opts *o)
{
	double win = o->duration ? o->duration : 0.5;
	size_t i;
	int ret = 0;

	if (!o->cache_size)
		o->cache_size = 64 << 20;
	if (!strcmp(o->device, "/dev/vmemcache"))
		o->device = "/tmp";	/* a private cache, sized by the handle */
	floor_fd = open(FLOOR_FILE, O_RDONLY | O_CLOEXEC);
	printf("matrix: one thread, a private %" PRIu64 " MiB cache on %s, "
	       "256 B extents, windows of %.2f s, medians of %d rounds\n",
	       o->cache_size >> 20, o->device, win, ROUNDS);
	for (i = 0; i < matrix_nsizes && !ret; i++)
		ret = matrix_size(o, matrix_sizes[i], win);
	if (floor_fd >= 0)
		close(floor_fd);
	floor_fd = -1;
	return ret;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end) {
		fprintf(stderr, "vmemcache-bench: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

/*
 * --tier: a cache-aside zipfian workload (get; on a miss, put) over a key
 * space larger than the fast tier, on a private cache of two tiers (fast:
 * DRAM of --cache-size; slow: --slow-size on --slow-path) and on one-tier
 * private caches of each tier's size.  Prints the hit ratio and the get
 * latency percentiles, split by the tier that served the hit (told by the
 * tier counters around each get, which are not timed).
 */
struct tier_run {
	struct hist lat[3];	/* fast hits, slow hits, misses */
	uint64_t gets, hits[2];
	struct vmemcache_tier_stats ts;
};

static VMEMcache *tier_cache(uint64_t size, uint64_t extent, const char *path,
			     uint64_t slow_size, const char *slow_path)
{
	VMEMcache *c = vmemcache_new();

	if (!c)
		return NULL;
	if (vmemcache_set_size(c, (size_t)size) ||
	    vmemcache_set_extent_size(c, (size_t)extent) ||
	    (slow_size && vmemcache_add_tier(c, slow_path, (size_t)slow_size)) ||
	    vmemcache_add(c, path)) {
		fprintf(stderr, "vmemcache-bench: %s\n", vmemcache_errormsg());
		vmemcache_delete(c);
		return NULL;
	}
	return c;
}

static int tier_workload(const struct opts *o, VMEMcache *c, const double *cdf,
			 struct tier_run *t)
{
	struct worker w = { .o = o, .cdf = cdf };
	struct vmemcache_tier_stats a, b;
	uint64_t rng = 0x7157ULL, i, k, t0, vsize, size, warm;
	char key[32], *val, *buf;
	int klen, tier;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	val = malloc(o->vmax);
	buf = malloc(o->vmax);
	if (!val || !buf) {
		free(val);
		free(buf);
		return -1;
	}
	memset(val, 0x5a, o->vmax);
	/* Warm up with as many operations as are measured. */
	warm = o->ops;
	for (i = 0; i < warm + o->ops; i++) {
		k = pick_key(&w, &rng);
		klen = snprintf(key, sizeof(key), "bench-%" PRIu64, k);
		size = pick_size(o, &rng);
		if (vmemcache_get_tier_stats(c, &a))
			goto fail;
		t0 = now_ns();
		n = vmemcache_get(c, key, (size_t)klen, buf, o->vmax, 0, &vsize);
		t0 = now_ns() - t0;
		if (vmemcache_get_tier_stats(c, &b))
			goto fail;
		tier = n < 0 ? 2 : b.tier[1].hits != a.tier[1].hits;
		if (i >= warm) {
			hist_add(&t->lat[tier], t0);
			t->gets++;
			if (tier < 2)
				t->hits[tier]++;
		}
		if (n < 0)
			vmemcache_put_flags(c, key, (size_t)klen, val, size,
					    VMEMCACHE_PUT_REPLACE);
	}
	if (vmemcache_get_tier_stats(c, &t->ts))
		goto fail;
	free(val);
	free(buf);
	return 0;
fail:
	fprintf(stderr, "vmemcache-bench: %s\n", vmemcache_errormsg());
	free(val);
	free(buf);
	return -1;
}

static void tier_print(const char *name, const struct tier_run *t)
{
	struct hist all = t->lat[0];
	static const char *const what[3] = { "fast hits", "slow hits", "misses" };
	unsigned int i;
	const char *name0 = t->ts.nr_tiers == 2 ? what[0] : "hits";

	hist_merge(&all, &t->lat[1]);
	hist_merge(&all, &t->lat[2]);
	printf("%-33s hit ratio %5.1f%%  get p50 %6.2f us  p99 %6.2f us\n",
	       name, 100.0 * (double)(t->hits[0] + t->hits[1]) / (double)t->gets,
	       hist_quantile(&all, 0.5), hist_quantile(&all, 0.99));
	for (i = 0; i < 3; i++)
		if (t->lat[i].count)
			printf("    %-10s %9" PRIu64 " gets  p50 %7.2f us  p99 %7.2f us\n",
			       i ? what[i] : name0, t->lat[i].count,
			       hist_quantile(&t->lat[i], 0.5),
			       hist_quantile(&t->lat[i], 0.99));
	if (t->ts.nr_tiers == 2)
		printf("    demotions %" PRIu64 ", promotions %" PRIu64 ", entries fast %" PRIu64 " slow %" PRIu64 "\n",
		       (uint64_t)t->ts.demotions, (uint64_t)t->ts.promotions,
		       (uint64_t)t->ts.tier[0].entries,
		       (uint64_t)t->ts.tier[1].entries);
}

static int tier_bench(const struct opts *o, const double *cdf)
{
	const char *slow = o->slow_path ? o->slow_path : "";
	/* Private caches: a directory off DAX is DRAM. */
	const char *dir = strcmp(o->device, "/dev/vmemcache") ? o->device :
			  "/tmp";
	/* A one-tier cache of the slow size: on the slow medium. */
	const char *slow_one = *slow ? slow : dir;
	uint64_t fast = o->cache_size ? o->cache_size : 16 << 20;
	uint64_t extent = o->vmax <= 4096 ? o->vmax : 4096;
	struct tier_run t;
	char name[64];
	VMEMcache *c;
	int ret;

	printf("==== tiers: %" PRIu64 " keys of %" PRIu64 " bytes (%" PRIu64 " MiB), zipf %.2f, %" PRIu64 " gets measured after as many warm-up\n",
	       o->keys, o->vmax, o->keys * o->vmax >> 20, o->zipf, o->ops);
	printf("     fast tier %" PRIu64 " MiB DRAM, slow tier %" PRIu64 " MiB on %s\n",
	       fast >> 20, o->slow_size >> 20, *slow ? slow : "DRAM");
	c = tier_cache(fast, extent, dir, o->slow_size, slow);
	if (!c)
		return -1;
	ret = tier_workload(o, c, cdf, &t);
	vmemcache_delete(c);
	if (ret)
		return ret;
	tier_print("two tiers", &t);

	c = tier_cache(fast, extent, dir, 0, NULL);
	if (!c)
		return -1;
	ret = tier_workload(o, c, cdf, &t);
	vmemcache_delete(c);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "one tier, fast size (DRAM)");
	tier_print(name, &t);

	c = tier_cache(o->slow_size, extent, slow_one, 0, NULL);
	if (!c)
		return -1;
	ret = tier_workload(o, c, cdf, &t);
	vmemcache_delete(c);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "one tier, slow size (%s)",
		 *slow ? "slow medium" : "DRAM");
	tier_print(name, &t);
	return 0;
}

static void usage(int rc)
{
	printf("Usage: vmemcache-bench [options]\n"
	       "  -t, --threads N        threads (default 1)\n"
	       "  -n, --ops N            operations in all (default 100000)\n"
	       "  -d, --duration SEC     run for SEC seconds instead\n"
	       "      --get-ratio P      percent gets, the rest puts (default 90)\n"
	       "      --keys N           key space (default 10000)\n"
	       "      --dist uniform|zipf[:THETA]  key popularity (zipf: 0.99)\n"
	       "      --value-size N|MIN..MAX      value size (default 1024)\n"
	       "      --value-dist uniform|skewed  sizes between MIN and MAX\n"
	       "      --cache-size SIZE  reset and set the capacity first\n"
	       "      --policy P         lru or lru_locked (default lru)\n"
	       "      --no-prefill       do not put every key before measuring\n"
	       "      --compare          lru vs lru_locked vs floor, %d rounds\n"
	       "      --backing DEV      claim DEV (a pmem device) after each reset\n"
	       "      --compare-dax-write  copy_from_user vs non-temporal copies\n"
	       "                         into pmem (dax_flushcache), alternating\n"
	       "      --matrix           puts (evicting) and gets of 256 B..16 KiB,\n"
	       "                         single and batched, against the floor, in\n"
	       "                         a private cache (--device DIR, -d: window)\n"
	       "      --sizes S1,S2,...  the value sizes of --matrix\n"
	       "      --tier             cache-aside zipf gets on two tiers (fast:\n"
	       "                         --cache-size DRAM, slow: --slow-size on\n"
	       "                         --slow-path) vs one tier of each size,\n"
	       "                         in private caches (--device DIR)\n"
	       "      --slow-size SIZE   the slow tier (default 64M)\n"
	       "      --slow-path PATH   its medium: a DAX directory or device\n"
	       "                         (default DRAM)\n"
	       "      --json             JSON output\n"
	       "      --device PATH      (default /dev/vmemcache)\n"
	       "      --sysfs DIR        (default " SYSFS_DEFAULT ")\n", ROUNDS);
	exit(rc);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.threads = 1, .ops = 100000, .get_pct = 90, .keys = 10000,
		.vmin = 1024, .vmax = 1024, .policy = "lru",
		.device = "/dev/vmemcache", .sysfs = SYSFS_DEFAULT,
		.prefill = 1,
	};
	double *cdf = NULL;
	VMEMcache *cache;
	struct result r;
	int i, ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

#define ARG(s, l) ((!strcmp(a, s) || !strcmp(a, l)) && v && ++i)
		if (ARG("-t", "--threads"))
			o.threads = (unsigned int)strtoul(v, NULL, 0);
		else if (ARG("-n", "--ops"))
			o.ops = parse_size(v);
		else if (ARG("-d", "--duration"))
			o.duration = atof(v);
		else if (ARG("", "--get-ratio"))
			o.get_pct = (unsigned int)strtoul(v, NULL, 0);
		else if (ARG("", "--keys"))
			o.keys = parse_size(v);
		else if (ARG("", "--dist"))
			o.zipf = !strncmp(v, "zipf", 4) ?
				 (v[4] == ':' ? atof(v + 5) : 0.99) : 0;
		else if (ARG("", "--value-size")) {
			const char *dots = strstr(v, "..");
			char lo[32];

			if (dots && dots - v < (long)sizeof(lo)) {
				memcpy(lo, v, (size_t)(dots - v));
				lo[dots - v] = '\0';
				o.vmin = parse_size(lo);
				o.vmax = parse_size(dots + 2);
			} else {
				o.vmin = o.vmax = parse_size(v);
			}
		} else if (ARG("", "--value-dist"))
			o.skewed = !strcmp(v, "skewed");
		else if (ARG("", "--cache-size"))
			o.cache_size = parse_size(v);
		else if (ARG("", "--policy"))
			o.policy = v;
		else if (ARG("", "--device"))
			o.device = v;
		else if (ARG("", "--sysfs"))
			o.sysfs = v;
		else if (!strcmp(a, "--no-prefill"))
			o.prefill = 0;
		else if (ARG("", "--backing"))
			o.backing = v;
		else if (!strcmp(a, "--compare"))
			o.compare = 1;
		else if (!strcmp(a, "--matrix"))
			o.matrix = 1;
		else if (ARG("", "--sizes")) {
			char *list = strdup(v), *tok, *save = NULL;

			matrix_nsizes = 0;
			for (tok = strtok_r(list, ",", &save); tok &&
			     matrix_nsizes < 8; tok = strtok_r(NULL, ",", &save))
				matrix_sizes[matrix_nsizes++] = parse_size(tok);
			free(list);
		}
		else if (!strcmp(a, "--compare-dax-write"))
			o.dax_write_compare = 1;
		else if (!strcmp(a, "--json"))
			o.json = 1;
		else if (!strcmp(a, "--tier"))
			o.tier = 1;
		else if (ARG("", "--slow-size"))
			o.slow_size = parse_size(v);
		else if (ARG("", "--slow-path"))
			o.slow_path = v;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			usage(0);
		else
			usage(2);
#undef ARG
	}
	if (!o.threads || o.threads > 1024 || !o.keys || !o.vmin ||
	    !matrix_nsizes || !matrix_sizes[0] ||
	    o.vmin > o.vmax || o.get_pct > 100) {
		fprintf(stderr, "vmemcache-bench: bad option values\n");
		return 2;
	}
	if (o.zipf > 0 && !(cdf = zipf_cdf(o.keys, o.zipf)))
		return 1;
	if (o.matrix) {
		free(cdf);
		return matrix(&o) ? 1 : 0;
	}
	if (o.tier) {
		if (!o.slow_size)
			o.slow_size = 64 << 20;
		ret = tier_bench(&o, cdf);
		free(cdf);
		return ret ? 1 : 0;
	}
	cache = vmemcache_new();
	if (!cache || vmemcache_add(cache, o.device)) {
		fprintf(stderr, "vmemcache-bench: %s\n", vmemcache_errormsg());
		return 1;
	}
	if (o.compare) {
		ret = compare(&o, cache, cdf);
	} else if (o.dax_write_compare) {
		ret = dax_write_compare(&o, cache, cdf);
	} else {
		ret = prepare(&o, cache, o.policy);
		if (!ret)
			ret = run(&o, cache, V_LRU, o.ops, o.duration, cdf, &r);
		if (!ret)
			print_result(&o, o.policy, &r);
	}
	vmemcache_delete(cache);
	free(cdf);
	return ret ? 1 : 0;
}
