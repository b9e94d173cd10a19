/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proto.h -- memcached's text and meta protocols over a vmcd_backend,
 * independent of sockets: a connection is an input buffer the caller fills
 * and an output buffer the caller drains.  The server loop (server.c), the
 * host tests and the fuzzer drive it the same way.
 */
#ifndef VMCD_PROTO_H
#define VMCD_PROTO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

#define VMCD_KEY_MAX 250		/* memcached's key length limit */
#define VMCD_LINE_MAX 65536		/* longest command line accepted */
#define VMCD_IN_DEFAULT 16384		/* input buffer kept between requests */
#define VMCD_OUT_DEFAULT 16384		/* output buffer kept between replies */
#define VMCD_OUT_HIGH 65536		/* stop parsing above this much pending */
#define VMCD_VERSION "1.6.0-vmemcached-0.1"

/* Counters of "stats"; updated with relaxed atomics. */
struct vmcd_counters {
	uint64_t cmd_get, cmd_set, cmd_flush, cmd_touch, cmd_meta;
	uint64_t get_hits, get_misses, get_expired, get_flushed;
	uint64_t delete_hits, delete_misses, incr_hits, incr_misses;
	uint64_t decr_hits, decr_misses, cas_hits, cas_misses, cas_badval;
	uint64_t touch_hits, touch_misses, total_items;
	uint64_t bytes_read, bytes_written;
	uint64_t curr_conns, total_conns, rejected_conns;
};

/**
 * struct vmcd_server - state shared by every connection of one server
 * @be: the storage
 * @max_item: largest value accepted (-I)
 * @max_conns: -c, reported by stats
 * @threads: -t, reported by stats
 * @now: the clock in Unix seconds (tests replace it)
 * @started: @now at start
 * @flush_cas: entries whose CAS is at most this are flushed (0: none)
 * @flush_at: a delayed flush_all takes effect at this time (0: none)
 * @flush_lock: guards @flush_at
 * @c: counters
 */
struct vmcd_server {
	struct vmcd_backend *be;
	size_t max_item;
	unsigned int max_conns, threads;
	int64_t (*now)(void);
	int64_t started;
	uint64_t flush_cas;
	int64_t flush_at;
	pthread_mutex_t flush_lock;
	struct vmcd_counters c;
};

struct vmcd_buf {
	char *p;
	size_t off, len, cap;	/* data is p[off..len) */
};

enum vmcd_state { VMCD_CMD, VMCD_DATA, VMCD_SWALLOW };

/**
 * struct vmcd_conn - one client's protocol state
 * @srv: its server
 * @in: bytes received and not consumed yet
 * @out: bytes to send
 * @scratch: a buffer of @scratch_cap (max_item + 1) bytes
 *	the caller provides (one per thread)
 * @closing: set when the connection is to be closed once @out is sent
 * Other fields: the command being processed.
 */
struct vmcd_conn {
	struct vmcd_server *srv;
	struct vmcd_buf in, out;
	char *scratch;
	size_t scratch_cap;
	bool closing;

	enum vmcd_state state;
	size_t need;		/* DATA: value bytes + 2; SWALLOW: bytes */
	size_t resume;		/* multi-get: offset of the next key in the line */
	/* the storage command waiting for its data */
	int mode;
	bool noreply, meta, ret_cas, ret_key, quiet;
	uint32_t flags;
	int64_t exptime;
	uint64_t cas_in;
	char key[VMCD_KEY_MAX + 1];
	size_t klen;
	bool key_b64;			/* meta b: return @ekey, then b */
	char ekey[VMCD_KEY_MAX + 1];
	size_t eklen;
	char opaque[40];
	char ret_order[4];		/* ms: its return flags c, k, O in order */
};

int vmcd_server_init(struct vmcd_server *s, struct vmcd_backend *be,
		     size_t max_item);
void vmcd_server_destroy(struct vmcd_server *s);

/* vmcd_conn_init() - a connection with empty buffers; 0 or -ENOMEM. */
int vmcd_conn_init(struct vmcd_conn *c, struct vmcd_server *s,
		   char *scratch, size_t scratch_cap);
void vmcd_conn_free(struct vmcd_conn *c);

/**
 * vmcd_in_space() - make room to read into @c->in
 * Return: bytes free at @c->in.p + @c->in.len (0 when the connection is
 * closing or its buffer cannot grow: memory failure closes it).
 */
size_t vmcd_in_space(struct vmcd_conn *c);

/**
 * vmcd_process() - run every complete command in @c->in, appending
 * replies to @c->out; stops early while more than VMCD_OUT_HIGH bytes
 * wait to be sent (call again after sending).
 */
void vmcd_process(struct vmcd_conn *c);

/* vmcd_out_sent() - @n bytes of @c->out went out. */
void vmcd_out_sent(struct vmcd_conn *c, size_t n);

/* vmcd_want_input() - whether reading more input makes sense now. */
bool vmcd_want_input(const struct vmcd_conn *c);

#endif /* VMCD_PROTO_H */
