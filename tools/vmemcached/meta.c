// SPDX-License-Identifier: GPL-2.0
/*
 * meta.c -- memcached 1.6's meta commands (mg, ms, md, ma, mn, me); part
 * of proto.c (included there: it uses its static helpers).
 *
 * Flags not implemented (answered "CLIENT_ERROR invalid flag"): b (base64
 * keys), h, l (access history), R (recache), E (client CAS), I on md
 * (invalidation), x; the win/stale tokens W/Z/X come only from a vivify.
 */

/* Flags: letter and token; the return flags are printed in their order. */
struct mflags {
	bool v, q, ret_k, ret_c, ret_f, ret_s, ret_t, has_T, has_N, has_C;
	bool has_F, has_J, has_D, has_M;
	int64_t T, N;
	uint64_t C, J, D;
	uint32_t F;
	char mode;
	const struct tok *O;
	const struct tok *order[MAX_TOKENS];
	int norder;
};

/* Parse @t[from..nt); @allowed lists the letters this command takes. */
static bool meta_flags(struct vmcd_conn *c, struct tok *t, int from, int nt,
		       const char *allowed, struct mflags *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	for (i = from; i < nt; i++) {
		struct tok a = { t[i].p + 1, t[i].n - 1 };
		char l = t[i].p[0];
		bool ok = true;

		if (!strchr(allowed, l)) {
			out_str(c, "CLIENT_ERROR invalid flag");
			return false;
		}
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
			break;
		}
		if (!ok) {
			out_str(c, "CLIENT_ERROR bad token in command line format");
			return false;
		}
		if (strchr("kcfstO", l))
			f->order[f->norder++] = &t[i];
	}
	return true;
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
		}
	}
}

static void cmd_mg(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	bool won = false;
	struct vmcd_meta m;
	struct mflags f;
	size_t vlen = 0;
	int r;

	if (!meta_flags(c, t, 2, nt, "vqukcfstOTN", &f))
		return;
	r = item_get(c, t[1].p, t[1].n, &m, &vlen);
	if (!item_live(r) && f.has_N) {
		/* vivify: an empty entry if nobody made one meanwhile */
		m.flags = 0;
		m.exptime = abs_exptime(s, f.N);
		vlen = 0;
		if (!s->be->ops->store(s->be, t[1].p, t[1].n, VMCD_ST_ADD, &m,
				       "", 0, &m.cas)) {
			r = IT_HIT;
			won = true;
		} else {
			r = item_get(c, t[1].p, t[1].n, &m, &vlen);
		}
	} else if (r == IT_HIT && f.has_T) {
		m.exptime = abs_exptime(s, f.T);
		if (s->be->ops->touch(s->be, t[1].p, t[1].n, m.exptime))
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
	struct mflags f;
	int64_t vlen;

	if (nt < 3 || !parse_i64(&t[2], &vlen, 0, INT32_MAX)) {
		out_str(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!meta_flags(c, t, 3, nt, "qkcOTCFMI", &f)) {
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
	set_key(c, &t[1]);
	expect_data(c, vlen);
}

static void cmd_md(struct vmcd_conn *c, struct tok *t, int nt)
{
	struct vmcd_server *s = c->srv;
	const char *code = "NF";
	struct vmcd_meta m;
	struct mflags f;
	size_t vlen;
	int r = IT_HIT;

	if (!meta_flags(c, t, 2, nt, "qkOC", &f))
		return;
	if (must_look(s))
		r = item_get(c, t[1].p, t[1].n, &m, &vlen);
	if (item_live(r)) {
		if (f.has_C)
			r = s->be->ops->del_cas(s->be, t[1].p, t[1].n, f.C);
		else
			r = s->be->ops->del(s->be, t[1].p, t[1].n);
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
	struct mflags f;
	uint64_t v = 0;
	char num[24];
	int r, n;

	if (!meta_flags(c, t, 2, nt, "qkOtcvNJDTMC", &f))
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
	r = do_arith(c, t[1].p, t[1].n, &a, &v, &m);
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
	out_fmt(c, "ME %.*s exp=%" PRId64 " la=0 cas=%" PRIu64
		" fetch=no cls=1 size=%zu\r\n", (int)t[1].n, t[1].p,
		m.exptime ? m.exptime - c->srv->now() : -1, m.cas, vlen);
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
