// SPDX-License-Identifier: GPL-2.0
/*
 * proto.c -- memcached's text protocol and meta protocol (as memcached
 * 1.6 answers them) over a vmcd_backend.
 *
 * The backend stores flags, expiry and CAS and decides conditional
 * stores atomically (the kernel does, with VMEMCACHE_FEAT_ITEM_META): add,
 * replace and cas are one conditional store each, and append, prepend,
 * incr and decr are CAS loops (read, then store only over the version
 * read), atomic against every process sharing the cache.
 *
 * flush_all is evaluated here: it records the backend's newest CAS, and
 * an entry whose CAS is not above it is a miss, deleted on the way only
 * if it still has that CAS.  Expiry is the backend's when it enforces it
 * (the kernel), else evaluated here the same way.
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
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->max_item = max_item;
	s->now = clock_now;
	s->started = s->now();
	s->threads = 1;
	pthread_mutex_init(&s->flush_lock, NULL);
	return 0;
}

void vmcd_server_destroy(struct vmcd_server *s)
{
	pthread_mutex_destroy(&s->flush_lock);
}

/* Flush every entry stored so far: its CAS is at most the watermark. */
static int flush_now(struct vmcd_server *s)
{
	uint64_t v = 0;
	int ret = s->be->ops->version(s->be, &v);

	if (!ret && v > __atomic_load_n(&s->flush_cas, __ATOMIC_RELAXED))
		__atomic_store_n(&s->flush_cas, v, __ATOMIC_RELAXED);
	return ret;
}

/* A delayed flush_all whose time has come flushes what was stored before. */
static void check_flush(struct vmcd_server *s, int64_t now)
{
	int64_t at = __atomic_load_n(&s->flush_at, __ATOMIC_RELAXED);

	if (!at || now < at)
		return;
	pthread_mutex_lock(&s->flush_lock);
	if (s->flush_at && now >= s->flush_at) {
		flush_now(s);
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

/* ---- items ---- */

enum { IT_HIT, IT_MISS, IT_EXPIRED, IT_FLUSHED, IT_TOOBIG, IT_ERR };

/*
 * Fetch @key into the scratch buffer; an expired or flushed entry is a
 * miss, deleted if it still is the entry seen.
 */
static int item_get(struct vmcd_conn *c, const char *key, size_t klen,
		    struct vmcd_meta *m, size_t *vlen)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_backend *be = s->be;
	int64_t now = s->now();
	int ret, why;

	check_flush(s, now);
	ret = be->ops->get(be, key, klen, m, c->scratch, c->scratch_cap, vlen);
	if (ret == -ENOENT)
		return IT_MISS;
	if (ret && ret != -ENOSPC)
		return IT_ERR;
	if (m->cas <= __atomic_load_n(&s->flush_cas, __ATOMIC_RELAXED))
		why = IT_FLUSHED;
	else if (!be->expires && m->exptime && m->exptime <= now)
		why = IT_EXPIRED;
	else
		return ret ? IT_TOOBIG : IT_HIT;
	be->ops->del_cas(be, key, klen, m->cas);
	return why;
}

/*
 * Whether the backend's idea of a live entry may be wrong here (after a
 * flush_all, or when expiry is evaluated here): then a command that
 * acts on a live entry looks it up with item_get() first.
 */
static bool must_look(struct vmcd_server *s)
{
	return __atomic_load_n(&s->flush_cas, __ATOMIC_RELAXED) != 0 ||
	       !s->be->expires;
}

static bool item_live(int r)
{
	return r == IT_HIT || r == IT_TOOBIG;
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
			r = item_get(c, k.p, k.n, &m, &vlen);
			if (r == IT_HIT) {
				m.exptime = exp;
				if (s->be->ops->touch(s->be, k.p, k.n, exp))
					r = IT_MISS;
			}
			if (r == IT_HIT)
				CNT(c, touch_hits);
			else
				CNT(c, touch_misses);
		} else {
			r = item_get(c, k.p, k.n, &m, &vlen);
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

#define RMW_TRIES 1000	/* CAS loop rounds before giving up */

static const char *store_err(int ret)
{
	if (ret == -E2BIG)
		return "SERVER_ERROR object too large for cache";
	return "SERVER_ERROR out of memory storing object";
}

/* add: put-if-absent; a flushed or expired entry in the way is deleted. */
static int store_add(struct vmcd_conn *c, struct vmcd_meta *m,
		     const char *v, size_t vlen, uint64_t *newcas)
{
	struct vmcd_backend *be = c->srv->be;
	struct vmcd_meta old;
	size_t olen;
	int ret;

	ret = be->ops->store(be, c->key, c->klen, VMCD_ST_ADD, m, v, vlen,
			     newcas);
	if (ret != -EEXIST ||
	    item_live(item_get(c, c->key, c->klen, &old, &olen)))
		return ret;
	return be->ops->store(be, c->key, c->klen, VMCD_ST_ADD, m, v, vlen,
			      newcas);
}

/* cas: the backend's conditional store; EXISTS or NOT_FOUND as memcached. */
static const char *store_cas(struct vmcd_conn *c, struct vmcd_meta *m,
			     const char *v, size_t vlen, uint64_t *newcas)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_backend *be = s->be;
	struct vmcd_meta old;
	size_t olen;
	int ret;

	if (c->cas_in <= __atomic_load_n(&s->flush_cas, __ATOMIC_RELAXED))
		ret = item_live(item_get(c, c->key, c->klen, &old, &olen)) ?
			-EEXIST : -ENOENT;
	else {
		m->cas = c->cas_in;
		ret = be->ops->store(be, c->key, c->klen, VMCD_ST_CAS, m, v,
				     vlen, newcas);
		if (ret == -EEXIST && must_look(s) &&
		    !item_live(item_get(c, c->key, c->klen, &old, &olen)))
			ret = -ENOENT;
	}
	if (ret == -ENOENT) {
		CNT(c, cas_misses);
		return "NOT_FOUND";
	}
	if (ret == -EEXIST) {
		CNT(c, cas_badval);
		return "EXISTS";
	}
	if (ret)
		return store_err(ret);
	CNT(c, cas_hits);
	return "STORED";
}

/* append/prepend: a CAS loop over the value read. */
static int store_concat(struct vmcd_conn *c, struct vmcd_meta *m,
			const char *v, size_t vlen, uint64_t *newcas)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_backend *be = s->be;
	size_t olen = 0;
	int i, r, ret = -EEXIST;

	for (i = 0; i < RMW_TRIES && ret == -EEXIST; i++) {
		r = item_get(c, c->key, c->klen, m, &olen);
		if (r == IT_TOOBIG || r == IT_ERR)
			return -ENOMEM;
		if (r != IT_HIT)
			return -ENOENT;
		if (olen + vlen > s->max_item || olen + vlen > c->scratch_cap)
			return -ENOMEM;
		if (c->mode == M_APPEND) {
			memcpy(c->scratch + olen, v, vlen);
		} else {
			memmove(c->scratch + vlen, c->scratch, olen);
			memcpy(c->scratch, v, vlen);
		}
		ret = be->ops->store(be, c->key, c->klen, VMCD_ST_CAS, m,
				     c->scratch, olen + vlen, newcas);
		if (ret == -ENOENT)
			ret = -EEXIST;	/* gone meanwhile: read again */
	}
	return ret;
}

/* Store c->key with the value at @v; returns the reply word. */
static const char *do_store(struct vmcd_conn *c, const char *v, size_t vlen,
			    uint64_t *newcas)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_backend *be = s->be;
	struct vmcd_meta m = { .flags = c->flags, .exptime = c->exptime };
	struct vmcd_meta old;
	size_t olen;
	int ret = 0;

	switch (c->mode) {
	case M_SET:
		ret = be->ops->store(be, c->key, c->klen, VMCD_ST_SET, &m, v,
				     vlen, newcas);
		break;
	case M_ADD:
		ret = store_add(c, &m, v, vlen, newcas);
		break;
	case M_REPLACE:
		if (must_look(s) &&
		    !item_live(item_get(c, c->key, c->klen, &old, &olen)))
			ret = -ENOENT;
		else
			ret = be->ops->store(be, c->key, c->klen,
					     VMCD_ST_PRESENT, &m, v, vlen,
					     newcas);
		break;
	case M_CAS:
		return store_cas(c, &m, v, vlen, newcas);
	case M_APPEND:
	case M_PREPEND:
		ret = store_concat(c, &m, v, vlen, newcas);
		break;
	}
	if (ret == -EEXIST || ret == -ENOENT)
		return "NOT_STORED";
	if (ret)
		return store_err(ret);
	CNT(c, total_items);
	return "STORED";
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
	int i;

	if (v[vlen] != '\r' || v[vlen + 1] != '\n') {
		out_str(c, "CLIENT_ERROR bad data chunk");
		return;
	}
	CNT(c, cmd_set);
	res = do_store(c, v, vlen, c->meta && c->ret_cas ? &cas : NULL);
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
	for (i = 0; c->ret_order[i]; i++) {
		if (c->ret_order[i] == 'c' && cas)
			out_fmt(c, " c%" PRIu64, cas);
		else if (c->ret_order[i] == 'k' && c->key_b64)
			out_fmt(c, " k%.*s b", (int)c->eklen, c->ekey);
		else if (c->ret_order[i] == 'k')
			out_fmt(c, " k%.*s", (int)c->klen, c->key);
		else if (c->ret_order[i] == 'O')
			out_fmt(c, " %s", c->opaque);
	}
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
	struct vmcd_meta m;
	size_t vlen;
	int r = IT_HIT;

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
	if (must_look(s))
		r = item_get(c, t[1].p, t[1].n, &m, &vlen);
	if (item_live(r))
		r = s->be->ops->del(s->be, t[1].p, t[1].n) ? IT_MISS : IT_HIT;
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

/* One round of do_arith(): AR_* or -EEXIST to read again. */
static int arith_once(struct vmcd_conn *c, const char *key, size_t klen,
		      const struct arith *a, uint64_t *res, struct vmcd_meta *m)
{
	struct vmcd_backend *be = c->srv->be;
	enum vmcd_store_mode mode = VMCD_ST_CAS;
	struct tok num;
	size_t vlen;
	uint64_t v;
	char tmp[24];
	int r, n;

	r = item_get(c, key, klen, m, &vlen);
	if (!item_live(r) && a->viv) {
		v = a->init;
		m->flags = 0;
		m->exptime = a->viv_exp;
		mode = VMCD_ST_ADD;
		goto store;
	}
	if (r != IT_HIT)
		return r == IT_TOOBIG ? AR_NONNUM : AR_MISS;
	if (a->cas_cmp && a->cas_cmp != m->cas)
		return AR_EXISTS;
	num.p = c->scratch;
	num.n = vlen;
	while (num.n && (num.p[num.n - 1] == ' ' || num.p[num.n - 1] == '\r' ||
			 num.p[num.n - 1] == '\n'))
		num.n--;
	if (!parse_u64(&num, &v))
		return AR_NONNUM;
	if (a->incr)
		v += a->delta;
	else
		v = a->delta > v ? 0 : v - a->delta;
	if (a->has_ttl)
		m->exptime = a->ttl;
store:
	n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	r = be->ops->store(be, key, klen, mode, m, tmp, n, &m->cas);
	if (r == -EEXIST || r == -ENOENT)
		return -EEXIST;
	*res = v;
	return r ? AR_ERR : AR_OK;
}

/* incr/decr: a CAS loop (a vivify is an add). */
static int do_arith(struct vmcd_conn *c, const char *key, size_t klen,
		    const struct arith *a, uint64_t *res, struct vmcd_meta *m)
{
	int i, r = -EEXIST;

	for (i = 0; i < RMW_TRIES && r == -EEXIST; i++)
		r = arith_once(c, key, klen, a, res, m);
	return r == -EEXIST ? AR_ERR : r;
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

/* Set the expiry of @key: IT_HIT or a miss code. */
static int do_touch(struct vmcd_conn *c, const char *key, size_t klen,
		    int64_t exp)
{
	struct vmcd_server *s = c->srv;
	struct vmcd_meta m;
	size_t vlen;
	int r = IT_HIT;

	CNT(c, cmd_touch);
	if (must_look(s))
		r = item_get(c, key, klen, &m, &vlen);
	if (item_live(r))
		r = s->be->ops->touch(s->be, key, klen, exp) ? IT_MISS : IT_HIT;
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
	int ret = 0;

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
		ret = flush_now(s);
	}
	pthread_mutex_unlock(&s->flush_lock);
	if (c->noreply)
		return;
	/* the watermark needs a store: a full cache that cannot evict */
	out_str(c, ret ? "SERVER_ERROR out of memory" : "OK");
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
