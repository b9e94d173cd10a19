// SPDX-License-Identifier: GPL-2.0
/*
 * meta.c -- memcached 1.6's meta commands (mg, ms, md, ma, mn, me); part
 * of proto.c (included there: it uses its static helpers).
 *
 * b (base64 keys): the key token is decoded for the lookup and returned
 * encoded by k, followed by a b, as memcached 1.6.18 does.
 * h and l (access history) report the entry's state before the mg, as
 * memcached does; every get of an entry (get, gets, mg, ma, me, and the
 * lookups md or a store may make) marks it fetched and accessed, where
 * memcached's ma, md and me do not.  They need a backend that keeps it
 * (the kernel's VMEMCACHE_FEAT_ITEM_STATE); without, they are invalid
 * flags.  l counts from the last access in whole seconds, memcached's
 * from the last time it moved the entry in its LRU.
 * The same backends keep the stale mark and the win token: md I marks an
 * entry stale (T sets its TTL; its CAS stays, where memcached gives it a
 * new one), and mg hands the win token as memcached does: W to the first
 * reader of a stale entry, of one whose TTL is below R, or to the mg
 * that vivified it, Z to later readers, X for a stale one.
 * I on ms (a store over a stale entry) is taken and ignored.
 * Flags not implemented (answered "CLIENT_ERROR invalid flag"):
 * E (client CAS) and x,
 * which memcached 1.6.18 rejects the same way (and the kernel gives every
 * store its own CAS); the win/stale tokens W/Z/X come only from a vivify.
 */

/* Flags: letter and token; the return flags are printed in their order. */
struct mflags {
	bool v, q, ret_k, ret_c, ret_f, ret_s, ret_t, has_T, has_N, has_C;
	bool has_F, has_J, has_D, has_M, b, has_I, has_R;
	bool one_msg;		/* in: md/ma's one message for both errors */
	int64_t T, N, R;
	uint64_t C, J, D;
	uint32_t F;
	char mode;
	const struct tok *O;
	const struct tok *order[MAX_TOKENS];
	int norder;
	struct tok key;			/* the key to look up (decoded) */
	char kbuf[VMCD_KEY_MAX + 1];
};

static int b64_val(char ch)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(abc, ch) : NULL;

	return p ? (int)(p - abc) : -1;
}

/* Decode base64 @in (padded, a multiple of 4) into @out; length or -1. */
static ssize_t b64_decode(const struct tok *in, char *out, size_t cap)
{
	size_t i, n = 0;
	int j, v[4];

	if (!in->n || in->n % 4)
		return -1;
	for (i = 0; i < in->n; i += 4) {
		int pad = 0;

		for (j = 0; j < 4; j++) {
			char ch = in->p[i + j];

			if (ch == '=' && i + 4 == in->n && j >= 2) {
				v[j] = 0;
				pad++;
			} else if (pad || (v[j] = b64_val(ch)) < 0) {
				return -1;
			}
		}
		if (n + 3 - pad > cap)
			return -1;
		out[n++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[n++] = (char)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			out[n++] = (char)(v[2] << 6 | v[3]);
	}
	return (ssize_t)n;
}

/* The key to look up: @t[1], or with the b flag its decoded bytes. */
static bool meta_key(struct vmcd_conn *c, const struct tok *t,
		     struct mflags *f)
{
	ssize_t n;

	f->key = t[1];
	if (!f->b)
		return true;
	n = b64_decode(&t[1], f->kbuf, sizeof(f->kbuf) - 1);
	if (n <= 0) {
		out_str(c, "CLIENT_ERROR error decoding key");
		return false;
	}
	f->key.p = f->kbuf;
	f->key.n = (size_t)n;
	return true;
}

/* Parse @t[from..nt); @allowed lists the letters this command takes. */
static bool meta_flags(struct vmcd_conn *c, struct tok *t, int from, int nt,
		       const char *allowed, struct mflags *f)
{
	static const char one_msg[] = "CLIENT_ERROR invalid or duplicate flag";
	bool merged = f->one_msg;
	uint64_t seen = 0;
	int i;

	memset(f, 0, sizeof(*f));
	f->one_msg = merged;
	for (i = from; i < nt; i++) {
		struct tok a = { t[i].p + 1, t[i].n - 1 };
		char l = t[i].p[0];
		bool ok = true;

		if (!strchr(allowed, l)) {
			out_str(c, merged ? one_msg :
				   "CLIENT_ERROR invalid flag");
			return false;
		}
		if (seen & 1ULL << (l & 63)) {
			out_str(c, merged ? one_msg :
				   "CLIENT_ERROR duplicate flag");
			return false;
		}
		seen |= 1ULL << (l & 63);
		switch (l) {
		case 'v':
			f->v = true;
			break;
		case 'q':
			f->q = true;
			break;
		case 'u':
			break;
		case 'k':
			f->ret_k = true;
			break;
		case 'c':
			f->ret_c = true;
			break;
		case 'f':
			f->ret_f = true;
			break;
		case 's':
			f->ret_s = true;
			break;
		case 't':
			f->ret_t = true;
			break;
		case 'O':
			ok = t[i].n <= 33;
			f->O = &t[i];
			break;
		case 'T':
			f->has_T = true;
			ok = parse_i64(&a, &f->T, INT32_MIN, INT32_MAX);
			break;
		case 'N':
			f->has_N = true;
			ok = parse_i64(&a, &f->N, INT32_MIN, INT32_MAX);
			break;
		case 'C':
			f->has_C = true;
			ok = parse_u64(&a, &f->C);
			break;
		case 'F':
			f->has_F = true;
			ok = parse_flags(&a, &f->F);
			break;
		case 'J':
			f->has_J = true;
			ok = parse_u64(&a, &f->J);
			break;
		case 'D':
			f->has_D = true;
			ok = parse_u64(&a, &f->D);
			break;
		case 'M':
			f->has_M = true;
			ok = a.n == 1;
			f->mode = ok ? a.p[0] : 0;
			break;
		case 'I':
			f->has_I = true;
			break;
		case 'R':
			f->has_R = true;
			ok = parse_i64(&a, &f->R, INT32_MIN, INT32_MAX);
			break;
		case 'b':
			f->b = true;
			break;
		}
		if (!ok) {
			out_str(c, "CLIENT_ERROR bad token in command line format");
			return false;
		}
		if (strchr("kcfstOhl", l))
			f->order[f->norder++] = &t[i];
	}
	return true;
}

/* Seconds since the last access @m tells of, as mg's l returns them. */
static int64_t last_access(struct vmcd_conn *c, const struct vmcd_meta *m)
{
	int64_t l = m->atime ? c->srv->now() - m->atime : 0;

	return l < 0 ? 0 : l;
}

/* The return flags for a hit (@m, @vlen) or, with @m NULL, a miss. */
static void meta_ret(struct vmcd_conn *c, const struct mflags *f,
		     const struct tok *key, const struct vmcd_meta *m,
		     size_t vlen)
{
	int i;

	for (i = 0; i < f->norder; i++) {
		const struct tok *o = f->order[i];

		switch (o->p[0]) {
		case 'k':
			out_fmt(c, " k%.*s", (int)key->n, key->p);
			if (f->b)
				out_add(c, " b", 2);
			break;
		case 'O':
			out_fmt(c, " %.*s", (int)o->n, o->p);
			break;
		case 'c':
			if (m)
				out_fmt(c, " c%" PRIu64, m->cas);
			break;
		case 'f':
			if (m)
				out_fmt(c, " f%" PRIu32, m->flags);
			break;
		case 's':
			if (m)
				out_fmt(c, " s%zu", vlen);
			break;
		case 't':
			if (m)
				out_fmt(c, " t%" PRId64, m->exptime ?
					m->exptime - c->srv->now() : -1);
			break;
		case 'h':
			if (m)
				out_fmt(c, " h%d", m->fetched ? 1 : 0);
			break;
		case 'l':
			if (m)
				out_fmt(c, " l%" PRId64, last_access(c, m));
			break;
		}
	}
}

/*
 * The win token of a live entry (@m as the get read it; @won: this mg
 * made it): memcached 1.6's rules.  A vivified entry's token is taken at
 * once, so that later readers see Z; a stale entry's, or with R one whose
 * TTL is below R, goes to the first reader.  *@z: another had it.
 */
static void meta_win(struct vmcd_conn *c, const struct mflags *f,
		     const struct vmcd_meta *m, bool *won, bool *z)
{
	struct vmcd_backend *be = c->srv->be;
	int r;

	*z = false;
	if (!be->item_state)
		return;
	if (*won) {
		be->ops->mark(be, f->key.p, f->key.n,
			      VMCD_MARK_WIN | VMCD_MARK_KEEP_TTL, 0);
		return;
	}
	if (m->won) {
		*z = true;
		return;
	}
	if (!m->stale && !(f->has_R && m->exptime &&
			   m->exptime < abs_exptime(c->srv, f->R)))
		return;
	r = be->ops->mark(be, f->key.p, f->key.n,
			  VMCD_MARK_WIN | VMCD_MARK_KEEP_TTL, 0);
	*won = !r;
	*z = r == -EALREADY;
}

static void cmd_mg(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	bool won = false, z;
	struct vmcd_meta m;
	struct mflags f = { .one_msg = false };
	size_t vlen = 0;
	int r;

	if (!meta_flags(c, t, 2, nt, s->be->item_state ? "vqukcfstOTNbhlR" :
						       "vqukcfstOTNb", &f) ||
	    !meta_key(c, t, &f))
		return;
	r = item_get(c, f.key.p, f.key.n, &m, &vlen);
	if (!item_live(r) && f.has_N) {
		/* vivify: an empty entry if nobody made one meanwhile */
		m.flags = 0;
		m.exptime = abs_exptime(s, f.N);
		m.fetched = false;
		m.stale = false;
		m.won = false;
		m.atime = s->now();
		vlen = 0;
		if (!s->be->ops->store(s->be, f.key.p, f.key.n, VMCD_ST_ADD, &m,
				       "", 0, &m.cas)) {
			r = IT_HIT;
			won = true;
		} else {
			r = item_get(c, f.key.p, f.key.n, &m, &vlen);
		}
	} else if (r == IT_HIT && f.has_T) {
		m.exptime = abs_exptime(s, f.T);
		if (s->be->ops->touch(s->be, f.key.p, f.key.n, m.exptime))
			r = IT_MISS;
	}
	CNT(c, cmd_get);
	if (r != IT_HIT) {
		CNT(c, get_misses);
		if (f.q)
			return;
		out_add(c, "EN", 2);
		meta_ret(c, &f, &t[1], NULL, 0);
		out_add(c, "\r\n", 2);
		return;
	}
	CNT(c, get_hits);
	if (f.v)
		out_fmt(c, "VA %zu", vlen);
	else
		out_add(c, "HD", 2);
	meta_ret(c, &f, &t[1], &m, vlen);
	meta_win(c, &f, &m, &won, &z);
	/* memcached's order: Z, X, then W */
	if (z)
		out_add(c, " Z", 2);
	if (m.stale)
		out_add(c, " X", 2);
	if (won)
		out_add(c, " W", 2);
	out_add(c, "\r\n", 2);
	if (f.v) {
		out_add(c, c->scratch, vlen);
		out_add(c, "\r\n", 2);
	}
}

static void cmd_ms(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct mflags f = { .one_msg = false };
	int64_t vlen;
	int i, n;

	if (nt < 3 || !parse_i64(&t[2], &vlen, 0, INT32_MAX)) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!meta_flags(c, t, 3, nt, "qkcOTCFMIb", &f) ||
	    !meta_key(c, t, &f)) {
		c->state = VMCD_SWALLOW;
		c->need = vlen + 2;
		return;
	}
	c->meta = true;
	c->noreply = false;
	c->quiet = f.q;
	c->ret_cas = f.ret_c;
	c->ret_key = f.ret_k;
	c->opaque[0] = 0;
	for (i = n = 0; i < f.norder; i++)
		c->ret_order[n++] = f.order[i]->p[0];
	c->ret_order[n] = 0;
	if (f.O)
		snprintf(c->opaque, sizeof(c->opaque), "%.*s", (int)f.O->n,
			 f.O->p);
	c->flags = f.has_F ? f.F : 0;
	c->exptime = f.has_T ? abs_exptime(c->srv, f.T) : 0;
	c->cas_in = f.C;
	switch (f.has_M ? f.mode : 'S') {
	case 'S':
	case 's':
		c->mode = f.has_C ? M_CAS : M_SET;
		break;
	case 'E':
	case 'e':
		c->mode = M_ADD;
		break;
	case 'R':
	case 'r':
		c->mode = M_REPLACE;
		break;
	case 'A':
	case 'a':
		c->mode = M_APPEND;
		break;
	case 'P':
	case 'p':
		c->mode = M_PREPEND;
		break;
	default:
		out_str(c, "CLIENT_ERROR invalid mode for ms M token");
		c->state = VMCD_SWALLOW;
		c->need = vlen + 2;
		return;
	}
	set_key(c, &f.key);
	c->key_b64 = f.b;
	memcpy(c->ekey, t[1].p, t[1].n);
	c->eklen = t[1].n;
	expect_data(c, vlen);
}

static void cmd_md(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	const char *code = "NF";
	struct vmcd_meta m;
	struct mflags f = { .one_msg = true };
	size_t vlen;
	int r = IT_HIT;

	if (!meta_flags(c, t, 2, nt, s->be->item_state ? "qkOCbIT" : "qkOCb",
			&f) ||
	    !meta_key(c, t, &f))
		return;
	if (must_look(s) || (f.has_I && f.has_C))
		r = item_get(c, f.key.p, f.key.n, &m, &vlen);
	if (item_live(r) && f.has_I) {
		/* invalidate: stale (the next reader wins), new TTL with T */
		if (f.has_C && m.cas != f.C)
			r = -EEXIST;
		else
			r = s->be->ops->mark(s->be, f.key.p, f.key.n,
					     VMCD_MARK_STALE |
					     (f.has_T ? 0 : VMCD_MARK_KEEP_TTL),
					     abs_exptime(s, f.T));
		code = !r ? "HD" : r == -EEXIST ? "EX" : "NF";
	} else if (item_live(r)) {
		if (f.has_C)
			r = s->be->ops->del_cas(s->be, f.key.p, f.key.n, f.C);
		else
			r = s->be->ops->del(s->be, f.key.p, f.key.n);
		code = !r ? "HD" : r == -EEXIST ? "EX" : "NF";
	}
	if (code[0] == 'H')
		CNT(c, delete_hits);
	else
		CNT(c, delete_misses);
	if (f.q && code[0] == 'H')
		return;
	out_add(c, code, 2);
	meta_ret(c, &f, &t[1], NULL, 0);
	out_add(c, "\r\n", 2);
}

static void cmd_ma(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct arith a = { .incr = true, .delta = 1 };
	struct vmcd_meta m;
	struct mflags f = { .one_msg = true };
	uint64_t v = 0;
	char num[24];
	int r, n;

	if (!meta_flags(c, t, 2, nt, "qkOtcvNJDTMCb", &f) ||
	    !meta_key(c, t, &f))
		return;
	if (f.has_M) {
		if (strchr("Ii+", f.mode)) {
			a.incr = true;
		} else if (strchr("Dd-", f.mode)) {
			a.incr = false;
		} else {
			out_str(c, "CLIENT_ERROR invalid mode for ma M token");
			return;
		}
	}
	if (f.has_D)
		a.delta = f.D;
	a.viv = f.has_N;
	a.viv_exp = abs_exptime(c->srv, f.N);
	a.init = f.J;
	a.cas_cmp = f.has_C ? f.C : 0;
	a.has_ttl = f.has_T;
	a.ttl = abs_exptime(c->srv, f.T);
	r = do_arith(c, f.key.p, f.key.n, &a, &v, &m);
	switch (r) {
	case AR_NONNUM:
		out_str(c, "CLIENT_ERROR cannot increment or decrement non-numeric value");
		return;
	case AR_ERR:
		out_str(c, "SERVER_ERROR out of memory");
		return;
	case AR_MISS:
	case AR_EXISTS:
		out_add(c, r == AR_MISS ? "NF" : "EX", 2);
		meta_ret(c, &f, &t[1], NULL, 0);
		out_add(c, "\r\n", 2);
		return;
	}
	n = snprintf(num, sizeof(num), "%" PRIu64, v);
	if (!f.v && f.q)
		return;
	if (f.v)
		out_fmt(c, "VA %d", n);
	else
		out_add(c, "HD", 2);
	meta_ret(c, &f, &t[1], &m, n);
	out_add(c, "\r\n", 2);
	if (f.v) {
		out_add(c, num, n);
		out_add(c, "\r\n", 2);
	}
}

static void cmd_me(struct vmcd_conn *c, struct tok *t)
{
	struct vmcd_meta m;
	size_t vlen;

	if (!item_live(item_get(c, t[1].p, t[1].n, &m, &vlen))) {
		out_str(c, "EN");
		return;
	}
	out_fmt(c, "ME %.*s exp=%" PRId64 " la=%" PRId64 " cas=%" PRIu64
		" fetch=%s cls=1 size=%zu\r\n", (int)t[1].n, t[1].p,
		m.exptime ? m.exptime - c->srv->now() : -1,
		last_access(c, &m), m.cas, m.fetched ? "yes" : "no", vlen);
}

/* Returns false when @t[0] is not a meta command. */
static bool meta_dispatch(struct vmcd_conn *c, struct tok *t, int nt)
{
	char k = t[0].p[1];

	if (!strchr("gsdane", k))
		return false;
	CNT(c, cmd_meta);
	if (k == 'n') {
		out_str(c, "MN");
		return true;
	}
	if (nt < 2) {
		out_str(c, "ERROR");
		return true;
	}
	if (!key_ok(&t[1])) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return true;
	}
	switch (k) {
	case 'g':
		cmd_mg(c, t, nt);
		break;
	case 's':
		cmd_ms(c, t, nt);
		break;
	case 'd':
		cmd_md(c, t, nt);
		break;
	case 'a':
		cmd_ma(c, t, nt);
		break;
	case 'e':
		cmd_me(c, t);
		break;
	}
	return true;
}
