// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_info.c -- vmemcachectl's read-only reports: stat (the counters, as
 * text or JSON), top (the rates, refreshed) and version (the module's API
 * version and features).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

/* "12345 (12.1 KiB)"-style text of a byte count, into @buf. */
static const char *human_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRIu64, bytes);
	else
		snprintf(buf, size, "%" PRIu64 " (%.1f %s)", bytes, v,
			 units[u]);
	return buf;
}

/* @part / @whole in percent, or a negative number when @whole is 0. */
static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : -1.0;
}

/* Rates per second over the sample a stat without --now takes. */
struct stat_rates {
	bool measured;
	double evictions, gets, puts;
};

static void print_stats_text(const struct vmemcache_stats *s,
			     const struct stat_rates *r)
{
	double hit = percent(s->hits, s->gets);
	double util = percent(s->pool_used, s->pool_size);
	char b[64];

#define ROW(name, fmt, ...) printf("%-18s " fmt "\n", name, __VA_ARGS__)
	/* What a person wants first: how well it works, how full it is. */
	if (hit < 0)
		ROW("hit ratio", "%s", "- (no gets yet)");
	else
		ROW("hit ratio", "%.2f %%", hit);
	if (util < 0)
		ROW("pool utilization", "%s", "- (no pool)");
	else
		ROW("pool utilization", "%.2f %%", util);
	ROW("entries", "%llu", (unsigned long long)s->entries);
	if (r->measured)
		ROW("evictions/s", "%.1f", r->evictions);
	ROW("evictions", "%llu", (unsigned long long)s->evictions);
	if (r->measured) {
		ROW("gets/s", "%.1f", r->gets);
		ROW("puts/s", "%.1f", r->puts);
	}
	ROW("puts", "%llu", (unsigned long long)s->puts);
	ROW("gets", "%llu", (unsigned long long)s->gets);
	ROW("hits", "%llu", (unsigned long long)s->hits);
	ROW("misses", "%llu", (unsigned long long)s->misses);
	ROW("pool_used", "%s", human_bytes(b, sizeof(b), s->pool_used));
	ROW("pool_size", "%s", human_bytes(b, sizeof(b), s->pool_size));
	ROW("dram_used", "%s", human_bytes(b, sizeof(b), s->dram_used));
	ROW("free_extents", "%llu", (unsigned long long)s->free_extents);
	ROW("extent_size", "%s", human_bytes(b, sizeof(b), s->extent_size));
	ROW("lru lock", "%llu acquired, %llu contended",
	    (unsigned long long)s->lru_lock_acquired,
	    (unsigned long long)s->lru_lock_contended);
	ROW("alloc lock", "%llu acquired, %llu contended",
	    (unsigned long long)s->alloc_lock_acquired,
	    (unsigned long long)s->alloc_lock_contended);
#undef ROW
}

/* A percentage as a JSON number with two decimals, or null. */
static void print_json_percent(const char *name, double pct)
{
	if (pct < 0)
		printf(",\"%s\":null", name);
	else
		printf(",\"%s\":%.2f", name, pct);
}

static void print_stats_json(const struct vmemcache_stats *s,
			     const struct stat_rates *r)
{
	printf("{\"puts\":%llu,\"gets\":%llu,\"hits\":%llu,\"misses\":%llu,"
	       "\"evictions\":%llu,\"entries\":%llu,\"pool_used\":%llu,"
	       "\"dram_used\":%llu,\"free_extents\":%llu,\"pool_size\":%llu,"
	       "\"extent_size\":%llu",
	       (unsigned long long)s->puts, (unsigned long long)s->gets,
	       (unsigned long long)s->hits, (unsigned long long)s->misses,
	       (unsigned long long)s->evictions,
	       (unsigned long long)s->entries,
	       (unsigned long long)s->pool_used,
	       (unsigned long long)s->dram_used,
	       (unsigned long long)s->free_extents,
	       (unsigned long long)s->pool_size,
	       (unsigned long long)s->extent_size);
	print_json_percent("hit_ratio_pct", percent(s->hits, s->gets));
	print_json_percent("pool_utilization_pct",
			   percent(s->pool_used, s->pool_size));
	if (r->measured)
		printf(",\"evictions_per_s\":%.1f,\"gets_per_s\":%.1f,\"puts_per_s\":%.1f",
		       r->evictions, r->gets, r->puts);
	printf("}\n");
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A counter's rate per second between two samples. */
static double rate(uint64_t now, uint64_t before, double secs)
{
	return secs > 0 ? (double)(now - before) / secs : 0;
}

/*
 * stat: the counters, and the rates of evictions, gets and puts over one
 * second, which it waits for (--now: one sample, no rates, no wait).
 */
int cmd_stat(struct ctl_call *c)
{
	struct vmemcache_stats s0, s;
	struct stat_rates r = { 0 };
	unsigned int set = c->set;
	double t0 = 0;

	if (!(set & 2)) {
		t0 = now_seconds();
		if (vmemcache_get_stats(c->cache, &s0))
			return ctl_fail("stat");
		usleep(1000000);
	}
	if (vmemcache_get_stats(c->cache, &s))
		return ctl_fail("stat");
	if (!(set & 2)) {
		double secs = now_seconds() - t0;

		r.measured = true;
		r.evictions = rate(s.evictions, s0.evictions, secs);
		r.gets = rate(s.gets, s0.gets, secs);
		r.puts = rate(s.puts, s0.puts, secs);
	}
	if (set & 1)
		print_stats_json(&s, &r);
	else
		print_stats_text(&s, &r);
	return CTL_OK;
}


/*
 * top: a line every interval, like vmstat: entries and pool utilization
 * now; the hit ratio of the gets since the line before ("-" if there were
 * none) and the rates of gets, puts and evictions over the same interval.
 * -n COUNT stops after COUNT lines (default: until killed).
 */
int cmd_top(struct ctl_call *c)
{
	int argc = c->argc;
	char **argv = c->argv;
	struct vmemcache_stats prev, cur;
	double interval = 1, t0, t1;
	long count = -1, line;
	char hit[16];
	VMEMcache *cache;
	char *end;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-i") && i + 1 < argc) {
			interval = strtod(argv[++i], &end);
			if (*end || interval <= 0 || interval > 86400)
				return ctl_usage_error("top", "bad interval '%s'",
						       argv[i]);
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			count = strtol(argv[++i], &end, 10);
			if (*end || count <= 0)
				return ctl_usage_error("top", "bad count '%s'",
						       argv[i]);
		} else {
			return ctl_usage_error("top", "unexpected argument '%s'",
					       argv[i]);
		}
	}
	ret = ctl_open("top", c->dev, &cache);
	if (ret != CTL_OK)
		return ret;
	if (vmemcache_get_stats(cache, &prev)) {
		ret = ctl_fail("top");
		goto out;
	}
	t0 = now_seconds();
	printf("%10s %8s %8s %10s %10s %10s\n", "entries", "hit%", "util%",
	       "gets/s", "puts/s", "evict/s");
	for (line = 0; count < 0 || line < count; line++) {
		usleep((useconds_t)(interval * 1e6));
		if (vmemcache_get_stats(cache, &cur)) {
			ret = ctl_fail("top");
			break;
		}
		t1 = now_seconds();
		if (cur.gets > prev.gets)
			snprintf(hit, sizeof(hit), "%.2f",
				 percent(cur.hits - prev.hits,
					 cur.gets - prev.gets));
		else
			snprintf(hit, sizeof(hit), "-");
		printf("%10llu %8s %8.2f %10.0f %10.0f %10.0f\n",
		       (unsigned long long)cur.entries, hit,
		       percent(cur.pool_used, cur.pool_size) < 0 ? 0 :
		       percent(cur.pool_used, cur.pool_size),
		       rate(cur.gets, prev.gets, t1 - t0),
		       rate(cur.puts, prev.puts, t1 - t0),
		       rate(cur.evictions, prev.evictions, t1 - t0));
		fflush(stdout);
		prev = cur;
		t0 = t1;
	}
out:
	vmemcache_delete(cache);
	return ret;
}

int cmd_version(struct ctl_call *c)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} feats[] = {
		{ VMEMCACHE_FEAT_PUT_REPLACE, "put_replace" },
		{ VMEMCACHE_FEAT_EVICT_LRU, "evict_lru" },
		{ VMEMCACHE_FEAT_LOCK_STATS, "lock_stats" },
		{ VMEMCACHE_FEAT_PRIVATE, "private" },
		{ VMEMCACHE_FEAT_EVICTED_LOG, "evicted_log" },
		{ VMEMCACHE_FEAT_EVICT_PREFIX, "evict_prefix" },
		{ VMEMCACHE_FEAT_LIST, "list" },
		{ VMEMCACHE_FEAT_BATCH, "batch" },
		{ VMEMCACHE_FEAT_EVICTED_VALUES, "evicted_values" },
		{ VMEMCACHE_FEAT_CREATE_FILE, "create_file" },
		{ VMEMCACHE_FEAT_ITEM_META, "item_meta" },
		{ VMEMCACHE_FEAT_NUMA_NODE, "numa_node" },
		{ VMEMCACHE_FEAT_TIERS, "tiers" },
		{ VMEMCACHE_FEAT_ITEM_STATE, "item_state" },
		{ VMEMCACHE_FEAT_MAPPED_GET, "mapped_get" },
	};
	struct vmemcache_version v;
	uint64_t rest;
	int ret = CTL_OK;

	if (vmemcache_get_version(c->cache, &v)) {
		ret = ctl_fail("version");
	} else {
		printf("%-18s %u\n", "api_version", v.api_version);
		printf("%-18s 0x%llx", "features",
		       (unsigned long long)v.features);
		rest = v.features;
		for (size_t f = 0; f < sizeof(feats) / sizeof(feats[0]); f++) {
			if (rest & feats[f].bit)
				printf(" %s", feats[f].name);
			rest &= ~feats[f].bit;
		}
		if (rest)
			printf(" unknown:0x%llx", (unsigned long long)rest);
		printf("\n%-18s %llu\n", "max_key_size",
		       (unsigned long long)v.max_key_size);
		printf("%-18s %d\n", "tool_api_version",
		       VMEMCACHE_API_VERSION);
	}
	return ret;
}
