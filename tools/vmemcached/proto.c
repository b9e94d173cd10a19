// SPDX-License-Identifier: GPL-2.0
/*
 * proto.c -- memcached's text protocol and meta protocol (as memcached
 * 1.6 answers them) over a vmcd_backend.
 *
 * Expiry and flush_all are evaluated here: an entry whose exptime has
 * passed, or whose CAS is not above the last flush's, is a miss and is
 * deleted on the way (under the key's stripe lock, after checking that
 * the entry is still the one seen).  Read-modify-write commands hold the
 * key's stripe lock from their read to their write, so they are atomic
 * against every other command of this server process; other processes
 * sharing the cache do not take these locks.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

#define REALTIME_MAXDELTA (60 * 60 * 24 * 30)

enum { M_SET, M_ADD, M_REPLACE, M_APPEND, M_PREPEND, M_CAS };

#define CNT(c, f) __atomic_add_fetch(&(c)->srv->c.f, 1, __ATOMIC_RELAXED)

/* ---- buffers ---- */

static int buf_reserve(struct vmcd_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return 0;
	if (b->off) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->cap - b->len >= n)
			return 0;
	}
	cap = b->cap ? b->cap : 1024;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* Give back a buffer grown for one large request once it is empty. */
static void buf_shrink(struct vmcd_buf *b, size_t keep)
{
	char *p;

	if (b->off != b->len || b->cap <= keep)
		return;
	p = realloc(b->p, keep);
	if (p) {
		b->p = p;
		b->cap = keep;
	}
	b->off = b->len = 0;
}

static void out_add(struct vmcd_conn *c, const void *s, size_t n)
{
	if (c->closing)
		return;
	if (buf_reserve(&c->out, n)) {
		c->closing = true;
		return;
	}
	memcpy(c->out.p + c->out.len, s, n);
	c->out.len += n;
}

static void out_str(struct vmcd_conn *c, const char *s)
{
	out_add(c, s, strlen(s));
	out_add(c, "\r\n", 2);
}

static void out_fmt(struct vmcd_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void out_fmt(struct vmcd_conn *c, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	out_add(c, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static size_t out_pending(const struct vmcd_conn *c)
{
	return c->out.len - c->out.off;
}

/* ---- server ---- */

static int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}

int vmcd_server_init(struct vmcd_server *s, struct vmcd_backend *be,
		     size_t max_item)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->be = be;
	s->max_item = max_item;
	s->now = clock_now;
	s->started = s->now();
	s->threads = 1;
	pthread_mutex_init(&s->flush_lock, NULL);
	for (i = 0; i < VMCD_LOCK_STRIPES; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	return 0;
}

void vmcd_server_destroy(struct vmcd_server *s)
{
	int i;

	for (i = 0; i < VMCD_LOCK_STRIPES; i++)
		pthread_mutex_destroy(&s->locks[i]);
	pthread_mutex_destroy(&s->flush_lock);
}

static uint64_t next_cas(struct vmcd_server *s)
{
	return __atomic_add_fetch(&s->cas_seq, 1, __ATOMIC_RELAXED);
}

/* A delayed flush_all whose time has come flushes what was stored before. */
static void check_flush(struct vmcd_server *s, int64_t now)
{
	int64_t at = __atomic_load_n(&s->flush_at, __ATOMIC_RELAXED);

	if (!at || now < at)
		return;
	pthread_mutex_lock(&s->flush_lock);
	if (s->flush_at && now >= s->flush_at) {
		__atomic_store_n(&s->flush_cas,
				 __atomic_load_n(&s->cas_seq, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		s->flush_at = 0;
	}
	pthread_mutex_unlock(&s->flush_lock);
}

/* memcached's exptime: 0 never, < 0 already, <= 30 days relative. */
static int64_t abs_exptime(struct vmcd_server *s, int64_t e)
{
	if (e == 0)
		return 0;
	if (e < 0)
		return 1;
	if (e > REALTIME_MAXDELTA)
		return e <= s->started ? 1 : e;
	return s->now() + e;
}

static pthread_mutex_t *key_lock(struct vmcd_server *s, const char *k,
				 size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*k++) * 16777619u;
	return &s->locks[h % VMCD_LOCK_STRIPES];
}

/* ---- items ---- */

enum { IT_HIT, IT_MISS, IT_EXPIRED, IT_FLUSHED, IT_TOOBIG, IT_ERR };

/*
 * Fetch @key into the scratch buffer; an expired or flushed entry is
 * deleted (when @locked, the caller holds the key's lock already).
 */
static int item_get(struct vmcd_conn *c, const char *key, size_t klen,
		    struct vmcd_meta *m, size_t *vlen, bool locked)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_backend *be = s->be;
	int64_t now = s->now();
	pthread_mutex_t *l;
	struct vmcd_meta m2;
	int ret, why;

	check_flush(s, now);
	ret = be->ops->get(be, key, klen, m, c->scratch, c->scratch_cap, vlen);
	if (ret == -ENOENT)
		return IT_MISS;
	if (ret == -ENOSPC)
		return IT_TOOBIG;
	if (ret)
		return IT_ERR;
	if (m->cas <= __atomic_load_n(&s->flush_cas, __ATOMIC_RELAXED))
		why = IT_FLUSHED;
	else if (m->exptime && m->exptime <= now)
		why = IT_EXPIRED;
	else
		return IT_HIT;
	if (locked) {
		be->ops->del(be, key, klen);
		return why;
	}
	l = key_lock(s, key, klen);
	pthread_mutex_lock(l);
	if (!be->ops->get(be, key, klen, &m2, c->scratch, c->scratch_cap,
			  vlen) && m2.cas == m->cas)
		be->ops->del(be, key, klen);
	pthread_mutex_unlock(l);
	return why;
}

/* ---- parsing helpers ---- */

struct tok {
	const char *p;
	size_t n;
};

#define MAX_TOKENS 24

/* Split on spaces; at most @max tokens, the last one may hold the rest. */
static int tokenize(const char *s, size_t n, struct tok *t, int max)
{
	int nt = 0;
	size_t i = 0, st;

	while (i < n && nt < max) {
		while (i < n && s[i] == ' ')
			i++;
		if (i == n)
			break;
		st = i;
		while (i < n && s[i] != ' ')
			i++;
		t[nt].p = s + st;
		t[nt].n = i - st;
		nt++;
	}
	return nt;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->p, s, t->n);
}

static bool parse_u64(const struct tok *t, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (!t->n || t->n > 20)
		return false;
	for (i = 0; i < t->n; i++) {
		unsigned int d = (unsigned char)t->p[i] - '0';

		if (d > 9)
			return false;
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static bool parse_i64(const struct tok *t, int64_t *v, int64_t min,
		      int64_t max)
{
	struct tok u = *t;
	bool neg = false;
	uint64_t x;

	if (u.n && u.p[0] == '-') {
		neg = true;
		u.p++;
		u.n--;
	}
	if (!parse_u64(&u, &x) || x > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return *v >= min && *v <= max;
}

static bool parse_flags(const struct tok *t, uint32_t *f)
{
	uint64_t x;

	if (!parse_u64(t, &x) || x > UINT32_MAX)
		return false;
	*f = (uint32_t)x;
	return true;
}

static bool key_ok(const struct tok *t)
{
	return t->n > 0 && t->n <= VMCD_KEY_MAX;
}

/* ---- retrieval ---- */

static void value_out(struct vmcd_conn *c, const struct tok *k,
		      const struct vmcd_meta *m, size_t vlen, bool cas)
{
	if (cas)
		out_fmt(c, "VALUE %.*s %" PRIu32 " %zu %" PRIu64 "\r\n",
			(int)k->n, k->p, m->flags, vlen, m->cas);
	else
		out_fmt(c, "VALUE %.*s %" PRIu32 " %zu\r\n",
			(int)k->n, k->p, m->flags, vlen);
	out_add(c, c->scratch, vlen);
	out_add(c, "\r\n", 2);
}

/* Returns false when output is full: the command resumes at c->resume. */
static bool cmd_get(struct vmcd_conn *c, const char *line, size_t n,
		    bool cas, bool touch)
{
	struct vmcd_server *s = c->srv;
	struct tok t[2], k;
	size_t pos, vlen;
	struct vmcd_meta m;
	int64_t exp = 0;
	int nt, r;

	/* skip the command name (and gat's exptime) */
	nt = tokenize(line, n, t, touch ? 2 : 1);
	pos = t[nt - 1].p + t[nt - 1].n - line;
	if (touch) {
		if (nt < 2) {
			out_str(c, "ERROR");
			return true;
		}
		if (!parse_i64(&t[1], &exp, INT32_MIN, INT32_MAX)) {
			out_str(c, "CLIENT_ERROR invalid exptime argument");
			return true;
		}
		exp = abs_exptime(s, exp);
	}
	if (c->resume)
		pos = c->resume;
	else if (!touch && tokenize(line + pos, n - pos, &k, 1) == 0) {
		out_str(c, "ERROR");
		return true;
	}
	while (tokenize(line + pos, n - pos, &k, 1) == 1) {
		if (!key_ok(&k)) {
			out_str(c, "CLIENT_ERROR bad command line format");
			c->resume = 0;
			return true;
		}
		if (out_pending(c) >= VMCD_OUT_HIGH) {
			c->resume = pos;
			return false;
		}
		pos = k.p + k.n - line;
		if (touch) {
			CNT(c, cmd_touch);
			pthread_mutex_lock(key_lock(s, k.p, k.n));
			r = item_get(c, k.p, k.n, &m, &vlen, true);
			if (r == IT_HIT) {
				m.exptime = exp;
				if (s->be->ops->store(s->be, k.p, k.n, &m,
						      c->scratch, vlen))
					r = IT_ERR;
			}
			pthread_mutex_unlock(key_lock(s, k.p, k.n));
			if (r == IT_HIT)
				CNT(c, touch_hits);
			else
				CNT(c, touch_misses);
		} else {
			r = item_get(c, k.p, k.n, &m, &vlen, false);
		}
		CNT(c, cmd_get);
		if (r == IT_HIT) {
			CNT(c, get_hits);
			value_out(c, &k, &m, vlen, cas);
		} else {
			CNT(c, get_misses);
			if (r == IT_EXPIRED)
				CNT(c, get_expired);
			else if (r == IT_FLUSHED)
				CNT(c, get_flushed);
		}
	}
	c->resume = 0;
	out_str(c, "END");
	return true;
}

/* ---- storage ---- */

/* Store c->key with the value at @v; returns the reply word. */
static const char *do_store(struct vmcd_conn *c, const char *v, size_t vlen,
			    uint64_t *newcas)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_backend *be = s->be;
	pthread_mutex_t *l = key_lock(s, c->key, c->klen);
	const char *res = "STORED";
	struct vmcd_meta m, old;
	size_t olen = 0;
	int r = IT_MISS;

	pthread_mutex_lock(l);
	if (c->mode != M_SET) {
		r = item_get(c, c->key, c->klen, &old, &olen, true);
		if (r == IT_TOOBIG || r == IT_ERR) {
			res = "SERVER_ERROR out of memory storing object";
			goto out;
		}
	}
	m.flags = c->flags;
	m.exptime = c->exptime;
	switch (c->mode) {
	case M_ADD:
		if (r == IT_HIT) {
			res = "NOT_STORED";
			goto out;
		}
		break;
	case M_REPLACE:
		if (r != IT_HIT) {
			res = "NOT_STORED";
			goto out;
		}
		break;
	case M_CAS:
		if (r != IT_HIT) {
			CNT(c, cas_misses);
			res = "NOT_FOUND";
			goto out;
		}
		if (old.cas != c->cas_in) {
			CNT(c, cas_badval);
			res = "EXISTS";
			goto out;
		}
		CNT(c, cas_hits);
		break;
	case M_APPEND:
	case M_PREPEND:
		if (r != IT_HIT) {
			res = "NOT_STORED";
			goto out;
		}
		if (olen + vlen > s->max_item ||
		    olen + vlen + be->hdr_room > c->scratch_cap) {
			res = "SERVER_ERROR out of memory storing object";
			goto out;
		}
		if (c->mode == M_APPEND) {
			memcpy(c->scratch + olen, v, vlen);
		} else {
			memmove(c->scratch + vlen, c->scratch, olen);
			memcpy(c->scratch, v, vlen);
		}
		m.flags = old.flags;
		m.exptime = old.exptime;
		v = c->scratch;
		vlen += olen;
		break;
	}
	m.cas = next_cas(s);
	if (be->ops->store(be, c->key, c->klen, &m, v, vlen)) {
		res = "SERVER_ERROR out of memory storing object";
		goto out;
	}
	*newcas = m.cas;
	CNT(c, total_items);
out:
	pthread_mutex_unlock(l);
	return res;
}

static const char *meta_code(const char *res)
{
	if (!strcmp(res, "STORED"))
		return "HD";
	if (!strcmp(res, "NOT_STORED"))
		return "NS";
	if (!strcmp(res, "EXISTS"))
		return "EX";
	if (!strcmp(res, "NOT_FOUND"))
		return "NF";
	return NULL;
}

/* The value of a storage command has arrived: c->in.p + c->in.off. */
static void complete_store(struct vmcd_conn *c)
{
	const char *v = c->in.p + c->in.off;
	size_t vlen = c->need - 2;
	const char *res, *code;
	uint64_t cas = 0;

	if (v[vlen] != '\r' || v[vlen + 1] != '\n') {
		out_str(c, "CLIENT_ERROR bad data chunk");
		return;
	}
	CNT(c, cmd_set);
	res = do_store(c, v, vlen, &cas);
	if (!c->meta) {
		if (!c->noreply)
			out_str(c, res);
		return;
	}
	code = meta_code(res);
	if (!code) {
		out_str(c, res);
		return;
	}
	if (c->quiet && !strcmp(code, "HD"))
		return;
	out_add(c, code, 2);
	if (c->ret_cas && cas)
		out_fmt(c, " c%" PRIu64, cas);
	if (c->ret_key)
		out_fmt(c, " k%.*s", (int)c->klen, c->key);
	if (c->opaque[0])
		out_fmt(c, " %s", c->opaque);
	out_add(c, "\r\n", 2);
}

/* Wait for @vlen bytes of value (and CRLF), or swallow them if too big. */
static void expect_data(struct vmcd_conn *c, int64_t vlen)
{
	if ((uint64_t)vlen > c->srv->max_item) {
		if (!c->noreply)
			out_str(c, "SERVER_ERROR object too large for cache");
		c->state = VMCD_SWALLOW;
		c->need = (size_t)vlen + 2;
		return;
	}
	c->state = VMCD_DATA;
	c->need = (size_t)vlen + 2;
}

static void set_key(struct vmcd_conn *c, const struct tok *k)
{
	memcpy(c->key, k->p, k->n);
	c->klen = k->n;
}

static void cmd_update(struct vmcd_conn *c, struct tok *t, int nt, int mode)
{
	int nargs = mode == M_CAS ? 6 : 5;
	int64_t exp, vlen;

	c->meta = false;
	c->noreply = nt == nargs + 1 && tok_is(&t[nargs], "noreply");
	if (!key_ok(&t[1]) || !parse_flags(&t[2], &c->flags) ||
	    !parse_i64(&t[3], &exp, INT32_MIN, INT32_MAX) ||
	    !parse_i64(&t[4], &vlen, INT32_MIN, INT32_MAX) ||
	    (mode == M_CAS && !parse_u64(&t[5], &c->cas_in)) || vlen < 0) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return;
	}
	c->mode = mode;
	c->exptime = abs_exptime(c->srv, exp);
	set_key(c, &t[1]);
	expect_data(c, vlen);
}

/* ---- other text commands ---- */

static void cmd_delete(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	pthread_mutex_t *l;
	struct vmcd_meta m;
	size_t vlen;
	int r;

	if (nt > 2) {
		bool zero = tok_is(&t[2], "0");
		bool nr = tok_is(&t[nt - 1], "noreply");

		if (!((nt == 3 && (zero || nr)) || (nt == 4 && zero && nr))) {
			out_str(c, "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
			return;
		}
		c->noreply = nr;
	}
	if (!key_ok(&t[1])) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return;
	}
	l = key_lock(s, t[1].p, t[1].n);
	pthread_mutex_lock(l);
	r = item_get(c, t[1].p, t[1].n, &m, &vlen, true);
	if (r == IT_HIT || r == IT_TOOBIG)
		r = s->be->ops->del(s->be, t[1].p, t[1].n) ? IT_MISS : IT_HIT;
	pthread_mutex_unlock(l);
	if (r == IT_HIT)
		CNT(c, delete_hits);
	else
		CNT(c, delete_misses);
	if (!c->noreply)
		out_str(c, r == IT_HIT ? "DELETED" : "NOT_FOUND");
}

enum { AR_OK, AR_MISS, AR_NONNUM, AR_ERR, AR_EXISTS };

/* incr/decr @key by @delta under its lock; the new value in *@res. */
struct arith {
	bool incr, viv, has_ttl;
	uint64_t delta, init, cas_cmp;
	int64_t viv_exp, ttl;
};

static int do_arith(struct vmcd_conn *c, const char *key, size_t klen,
		    const struct arith *a, uint64_t *res, struct vmcd_meta *mo)
{
	struct vmcd_server *s = c->srv;
	pthread_mutex_t *l = key_lock(s, key, klen);
	struct vmcd_meta m;
	struct tok num;
	size_t vlen;
	uint64_t v;
	char tmp[24];
	int r, n;

	pthread_mutex_lock(l);
	r = item_get(c, key, klen, &m, &vlen, true);
	if (r != IT_HIT && r != IT_TOOBIG && a->viv) {
		v = a->init;
		m.flags = 0;
		m.exptime = a->viv_exp;
		goto store;
	}
	if (r != IT_HIT) {
		r = r == IT_TOOBIG ? AR_NONNUM : AR_MISS;
		goto out;
	}
	if (a->cas_cmp && a->cas_cmp != m.cas) {
		r = AR_EXISTS;
		goto out;
	}
	num.p = c->scratch;
	num.n = vlen;
	while (num.n && (num.p[num.n - 1] == ' ' || num.p[num.n - 1] == '\r' ||
			 num.p[num.n - 1] == '\n'))
		num.n--;
	if (!parse_u64(&num, &v)) {
		r = AR_NONNUM;
		goto out;
	}
	if (a->incr)
		v += a->delta;
	else
		v = a->delta > v ? 0 : v - a->delta;
	if (a->has_ttl)
		m.exptime = a->ttl;
store:
	n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	m.cas = next_cas(s);
	r = s->be->ops->store(s->be, key, klen, &m, tmp, n) ? AR_ERR : AR_OK;
	*res = v;
	*mo = m;
out:
	pthread_mutex_unlock(l);
	return r;
}

static void cmd_arith(struct vmcd_conn *c, struct tok *t, int nt, bool incr)
{
	struct arith a = { .incr = incr };
	struct vmcd_meta m;
	uint64_t v = 0;
	int r;

	c->noreply = nt == 4 && tok_is(&t[3], "noreply");
	if (!key_ok(&t[1])) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!parse_u64(&t[2], &a.delta)) {
		out_str(c, "CLIENT_ERROR invalid numeric delta argument");
		return;
	}
	r = do_arith(c, t[1].p, t[1].n, &a, &v, &m);
	if (r == AR_OK) {
		if (incr)
			CNT(c, incr_hits);
		else
			CNT(c, decr_hits);
	} else if (r == AR_MISS) {
		if (incr)
			CNT(c, incr_misses);
		else
			CNT(c, decr_misses);
	}
	if (r == AR_NONNUM) {
		out_str(c, "CLIENT_ERROR cannot increment or decrement non-numeric value");
		return;
	}
	if (c->noreply)
		return;
	if (r == AR_OK)
		out_fmt(c, "%" PRIu64 "\r\n", v);
	else if (r == AR_MISS)
		out_str(c, "NOT_FOUND");
	else
		out_str(c, "SERVER_ERROR out of memory");
}

/* Set the expiry of @key under its lock: IT_HIT or a miss code. */
static int do_touch(struct vmcd_conn *c, const char *key, size_t klen,
		    int64_t exp)
{
	struct vmcd_server *s = c->srv;
	pthread_mutex_t *l = key_lock(s, key, klen);
	struct vmcd_meta m;
	size_t vlen;
	int r;

	CNT(c, cmd_touch);
	pthread_mutex_lock(l);
	r = item_get(c, key, klen, &m, &vlen, true);
	if (r == IT_HIT && s->be->ops->touch(s->be, key, klen, exp, c->scratch,
					     c->scratch_cap))
		r = IT_MISS;
	pthread_mutex_unlock(l);
	if (r == IT_HIT)
		CNT(c, touch_hits);
	else
		CNT(c, touch_misses);
	return r;
}

static void cmd_touch(struct vmcd_conn *c, struct tok *t, int nt)
{
	int64_t exp;
	int r;

	c->noreply = nt == 4 && tok_is(&t[3], "noreply");
	if (!key_ok(&t[1])) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!parse_i64(&t[2], &exp, INT32_MIN, INT32_MAX)) {
		out_str(c, "CLIENT_ERROR invalid exptime argument");
		return;
	}
	r = do_touch(c, t[1].p, t[1].n, abs_exptime(c->srv, exp));
	if (!c->noreply)
		out_str(c, r == IT_HIT ? "TOUCHED" : "NOT_FOUND");
}

static void cmd_flush(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	int64_t delay = 0;

	c->noreply = nt > 1 && tok_is(&t[nt - 1], "noreply");
	if (nt - c->noreply > 1 &&
	    !parse_i64(&t[1], &delay, INT32_MIN, INT32_MAX)) {
		out_str(c, "CLIENT_ERROR invalid exptime argument");
		return;
	}
	CNT(c, cmd_flush);
	pthread_mutex_lock(&s->flush_lock);
	if (delay > 0) {
		s->flush_at = abs_exptime(s, delay);
	} else {
		s->flush_at = 0;
		__atomic_store_n(&s->flush_cas,
				 __atomic_load_n(&s->cas_seq, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&s->flush_lock);
	if (!c->noreply)
		out_str(c, "OK");
}

#define LD(x) __atomic_load_n(&s->c.x, __ATOMIC_RELAXED)

static void cmd_stats(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_bstats b = { 0 };
	struct rusage ru;
	int64_t now = s->now();

	if (nt == 2 && tok_is(&t[1], "reset")) {
		uint64_t cur = LD(curr_conns);

		memset(&s->c, 0, sizeof(s->c));
		__atomic_store_n(&s->c.curr_conns, cur, __ATOMIC_RELAXED);
		out_str(c, "RESET");
		return;
	}
	if (nt == 2 && tok_is(&t[1], "settings")) {
		s->be->ops->stats(s->be, &b);
		out_fmt(c, "STAT maxbytes %" PRIu64 "\r\n", b.limit);
		out_fmt(c, "STAT maxconns %u\r\n", s->max_conns);
		out_fmt(c, "STAT num_threads %u\r\n", s->threads);
		out_fmt(c, "STAT item_size_max %zu\r\n", s->max_item);
		out_fmt(c, "STAT cas_enabled yes\r\n");
		out_fmt(c, "STAT udpport 0\r\n");
		out_str(c, "END");
		return;
	}
	if (nt == 2 && (tok_is(&t[1], "items") || tok_is(&t[1], "slabs") ||
			tok_is(&t[1], "sizes") || tok_is(&t[1], "conns"))) {
		out_str(c, "END");
		return;
	}
	if (nt != 1) {
		out_str(c, "ERROR");
		return;
	}
	s->be->ops->stats(s->be, &b);
	getrusage(RUSAGE_SELF, &ru);
	out_fmt(c, "STAT pid %d\r\n", (int)getpid());
	out_fmt(c, "STAT uptime %" PRId64 "\r\n", now - s->started);
	out_fmt(c, "STAT time %" PRId64 "\r\n", now);
	out_fmt(c, "STAT version %s\r\n", VMCD_VERSION);
	out_fmt(c, "STAT pointer_size %zu\r\n", sizeof(void *) * 8);
	out_fmt(c, "STAT rusage_user %ld.%06ld\r\n", (long)ru.ru_utime.tv_sec,
		(long)ru.ru_utime.tv_usec);
	out_fmt(c, "STAT rusage_system %ld.%06ld\r\n", (long)ru.ru_stime.tv_sec,
		(long)ru.ru_stime.tv_usec);
	out_fmt(c, "STAT max_connections %u\r\n", s->max_conns);
	out_fmt(c, "STAT curr_connections %" PRIu64 "\r\n", LD(curr_conns));
	out_fmt(c, "STAT total_connections %" PRIu64 "\r\n", LD(total_conns));
	out_fmt(c, "STAT rejected_connections %" PRIu64 "\r\n",
		LD(rejected_conns));
#define ST(x) out_fmt(c, "STAT " #x " %" PRIu64 "\r\n", LD(x))
	ST(cmd_get);
	ST(cmd_set);
	ST(cmd_flush);
	ST(cmd_touch);
	ST(cmd_meta);
	ST(get_hits);
	ST(get_misses);
	ST(get_expired);
	ST(get_flushed);
	ST(delete_misses);
	ST(delete_hits);
	ST(incr_misses);
	ST(incr_hits);
	ST(decr_misses);
	ST(decr_hits);
	ST(cas_misses);
	ST(cas_hits);
	ST(cas_badval);
	ST(touch_hits);
	ST(touch_misses);
	ST(bytes_read);
	ST(bytes_written);
#undef ST
	out_fmt(c, "STAT limit_maxbytes %" PRIu64 "\r\n", b.limit);
	out_fmt(c, "STAT threads %u\r\n", s->threads);
	out_fmt(c, "STAT curr_items %" PRIu64 "\r\n", b.items);
	out_fmt(c, "STAT total_items %" PRIu64 "\r\n", LD(total_items));
	out_fmt(c, "STAT bytes %" PRIu64 "\r\n", b.bytes);
	out_fmt(c, "STAT evictions %" PRIu64 "\r\n", b.evictions);
	out_str(c, "END");
}

#include "meta.c"

/* ---- dispatch ---- */

static void dispatch(struct vmcd_conn *c, const char *line, size_t n)
{
	struct tok t[MAX_TOKENS];
	int nt = tokenize(line, n, t, MAX_TOKENS);
	const struct tok *t0 = &t[0];

	c->noreply = false;
	if (nt == 0) {
		out_str(c, "ERROR");
		return;
	}
	if (t0->n == 2 && t0->p[0] == 'm') {
		if (meta_dispatch(c, t, nt))
			return;
	}
	if (tok_is(t0, "get") || tok_is(t0, "gets") ||
	    tok_is(t0, "gat") || tok_is(t0, "gats")) {
		/* handled by the caller, which can resume it */
		out_str(c, "ERROR");
	} else if ((nt == 5 || nt == 6) && tok_is(t0, "set")) {
		cmd_update(c, t, nt, M_SET);
	} else if ((nt == 5 || nt == 6) && tok_is(t0, "add")) {
		cmd_update(c, t, nt, M_ADD);
	} else if ((nt == 5 || nt == 6) && tok_is(t0, "replace")) {
		cmd_update(c, t, nt, M_REPLACE);
	} else if ((nt == 5 || nt == 6) && tok_is(t0, "append")) {
		cmd_update(c, t, nt, M_APPEND);
	} else if ((nt == 5 || nt == 6) && tok_is(t0, "prepend")) {
		cmd_update(c, t, nt, M_PREPEND);
	} else if ((nt == 6 || nt == 7) && tok_is(t0, "cas")) {
		cmd_update(c, t, nt, M_CAS);
	} else if (nt >= 2 && nt <= 4 && tok_is(t0, "delete")) {
		cmd_delete(c, t, nt);
	} else if ((nt == 3 || nt == 4) && tok_is(t0, "incr")) {
		cmd_arith(c, t, nt, true);
	} else if ((nt == 3 || nt == 4) && tok_is(t0, "decr")) {
		cmd_arith(c, t, nt, false);
	} else if ((nt == 3 || nt == 4) && tok_is(t0, "touch")) {
		cmd_touch(c, t, nt);
	} else if (nt <= 3 && tok_is(t0, "flush_all")) {
		cmd_flush(c, t, nt);
	} else if (tok_is(t0, "stats")) {
		cmd_stats(c, t, nt);
	} else if (tok_is(t0, "version")) {
		out_str(c, "VERSION " VMCD_VERSION);
	} else if ((nt == 2 || nt == 3) && tok_is(t0, "verbosity")) {
		bool nr = tok_is(&t[nt - 1], "noreply");
		uint64_t level;

		/* noreply silences the error too, as in memcached */
		if (!nr && !parse_u64(&t[1], &level))
			out_str(c, "CLIENT_ERROR bad command line format");
		else if (!nr)
			out_str(c, "OK");
	} else if (nt == 1 && tok_is(t0, "quit")) {
		c->closing = true;
	} else {
		out_str(c, "ERROR");
	}
}

static bool is_get(const char *line, size_t n, bool *cas, bool *touch)
{
	size_t w = 0;

	while (w < n && line[w] != ' ')
		w++;
	if (w == 3 && !memcmp(line, "get", 3)) {
		*cas = *touch = false;
	} else if (w == 4 && !memcmp(line, "gets", 4)) {
		*cas = true;
		*touch = false;
	} else if (w == 3 && !memcmp(line, "gat", 3)) {
		*cas = false;
		*touch = true;
	} else if (w == 4 && !memcmp(line, "gats", 4)) {
		*cas = *touch = true;
	} else {
		return false;
	}
	return true;
}

/* One step; false when more input (or output room) is needed. */
static bool step(struct vmcd_conn *c)
{
	struct vmcd_buf *in = &c->in;
	size_t avail = in->len - in->off, n, len;
	char *line, *nl;
	bool cas, touch;

	switch (c->state) {
	case VMCD_SWALLOW:
		n = avail < c->need ? avail : c->need;
		in->off += n;
		c->need -= n;
		if (!c->need)
			c->state = VMCD_CMD;
		return n > 0;
	case VMCD_DATA:
		if (avail < c->need)
			return false;
		complete_store(c);
		in->off += c->need;
		c->state = VMCD_CMD;
		return true;
	case VMCD_CMD:
		break;
	}
	if (!avail)
		return false;
	line = in->p + in->off;
	if ((unsigned char)line[0] == 0x80) {
		/* binary protocol request magic: not spoken here */
		out_str(c, "CLIENT_ERROR binary protocol not supported");
		c->closing = true;
		return false;
	}
	nl = memchr(line, '\n', avail);
	if (!nl) {
		if (avail > VMCD_LINE_MAX) {
			out_str(c, "CLIENT_ERROR line too long");
			c->closing = true;
		}
		return false;
	}
	len = nl - line;
	n = len + 1;
	if (len && line[len - 1] == '\r')
		len--;
	if (len > VMCD_LINE_MAX) {
		out_str(c, "CLIENT_ERROR line too long");
		c->closing = true;
		return false;
	}
	if (is_get(line, len, &cas, &touch)) {
		if (!cmd_get(c, line, len, cas, touch))
			return false;
	} else {
		dispatch(c, line, len);
	}
	in->off += n;
	return true;
}

void vmcd_process(struct vmcd_conn *c)
{
	while (!c->closing && out_pending(c) < VMCD_OUT_HIGH && step(c))
		;
	if (c->in.off == c->in.len)
		buf_shrink(&c->in, VMCD_IN_DEFAULT);
}

bool vmcd_want_input(const struct vmcd_conn *c)
{
	return !c->closing && out_pending(c) < VMCD_OUT_HIGH;
}

size_t vmcd_in_space(struct vmcd_conn *c)
{
	size_t want = VMCD_IN_DEFAULT / 2;

	if (c->closing)
		return 0;
	if (c->state == VMCD_DATA && c->need > c->in.len - c->in.off)
		want = c->need - (c->in.len - c->in.off);
	if (c->in.cap - c->in.len >= want)
		return c->in.cap - c->in.len;
	if (c->in.len - c->in.off > VMCD_LINE_MAX + c->srv->max_item + 2) {
		c->closing = true;
		return 0;
	}
	if (buf_reserve(&c->in, want)) {
		c->closing = true;
		return 0;
	}
	return c->in.cap - c->in.len;
}

void vmcd_out_sent(struct vmcd_conn *c, size_t n)
{
	c->out.off += n;
	if (c->out.off == c->out.len)
		buf_shrink(&c->out, VMCD_OUT_DEFAULT);
}

int vmcd_conn_init(struct vmcd_conn *c, struct vmcd_server *s,
		   char *scratch, size_t scratch_cap)
{
	memset(c, 0, sizeof(*c));
	c->srv = s;
	c->scratch = scratch;
	c->scratch_cap = scratch_cap;
	c->state = VMCD_CMD;
	if (buf_reserve(&c->in, VMCD_IN_DEFAULT) ||
	    buf_reserve(&c->out, VMCD_OUT_DEFAULT)) {
		vmcd_conn_free(c);
		return -ENOMEM;
	}
	return 0;
}

void vmcd_conn_free(struct vmcd_conn *c)
{
	free(c->in.p);
	free(c->out.p);
	c->in.p = c->out.p = NULL;
}
