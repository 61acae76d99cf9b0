// Power series as streams of processes: McIlroy, "Squinting at Power
// Series" (Software--Practice and Experience 20(7), 1990), on fork and IPC.
//
// A power series is a stream of its coefficients, produced lazily by a
// process when its consumer asks (csp.h). Operators are processes that
// consume streams and produce one; this program builds
//
//     F = 1 + x*x           G = sin F = sin 1 + integral of  H * F'
//                           H = cos F = cos 1 - integral of  G * F'
//
//   x --+
//       mul --+
//   x --+     add --> deriv --> split F' --+-------------------+
//   1 --------+                            |                   |
//                                          v                   v
//            +-------------------------> mul H*F'          mul G*F' <-----+
//            |                             |                   |          |
//            |                      integrate(sin 1)         negate       |
//            |                             |                   |          |
//            |                          split G ------------------------+
//            |                             |                   |
//            |                           umain         integrate(cos 1)
//            |                                                 |
//            +-------------------------------------------- split H --> umain
//
// The two integrators close a feedback loop: G's coefficient of x^n needs
// H's of x^(n-1) only, and an integrator answers its first request (the
// constant) without asking anybody, so the loop never waits on itself.
// Nor do blocked senders (csp.h): a process other than a split works only
// for its one consumer, which is then receiving, so a chain of blocked
// requests can pass a process only where it is a split working for its
// other consumer. Around the loop both split G and split H would have to
// be working for umain, which asks for one thing at a time: no cycle.
// umain asks for the coefficients of x^0 .. x^(TERMS-1) of G and H, checks
// each against the closed form, and ends the network with CSP_QUIT.
//
// Exact coefficients: they are not rational (sin 1 and cos 1 appear), but
// every coefficient here lies in the Q-space spanned by 1, sin 1, cos 1:
// F and F' are rational, and G' = H F', H' = -G F' multiply by a rational
// series only. So a coefficient is three rationals over that basis, with
// int64 numerators and denominators in lowest terms. A product of two
// non-rational coefficients would leave the space and an int64 can
// overflow: either poisons the coefficient (and whatever is computed from
// it), and umain reports it instead of printing a wrong number.
//
// Usage: powser [TERMS]   (default 24, at most 64; from x^42 on the
// coefficients' denominators, 21! and up, do not fit in 64 bits)
#include <jos.h>
#include "csp.h"

#define TERMS_MAX	64
#define HISTORY		(TERMS_MAX + 1)	// deriv reads one term ahead

// ---- exact arithmetic ----------------------------------------------------

struct rat {
	int64_t num, den;		// den > 0, lowest terms, num != INT64_MIN
};

enum basis { ONE, SIN1, COS1, BASIS };
static const char *const basis_name[BASIS] = { "", " sin1", " cos1" };

enum coef_state { COEF_EXACT, COEF_OVERFLOW, COEF_OUTSIDE };

struct coef {
	struct rat c[BASIS];		// c[ONE] + c[SIN1] sin 1 + c[COS1] cos 1
	int64_t state;			// enum coef_state: not EXACT = poisoned
};

static int64_t
gcd64(int64_t a, int64_t b)		// a, b >= 0
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int64_t
abs64(int64_t a)			// a != INT64_MIN
{
	return a < 0 ? -a : a;
}

// num/den in lowest terms; false if it cannot be represented.
static bool
rat_norm(int64_t num, int64_t den, struct rat *r)
{
	if (num == INT64_MIN || den == INT64_MIN || den == 0)
		return false;
	if (den < 0) {
		num = -num;
		den = -den;
	}
	int64_t g = gcd64(abs64(num), den);
	*r = (struct rat) { num / g, den / g };
	return true;
}

static bool
rat_add(struct rat a, struct rat b, struct rat *r)
{
	int64_t g = gcd64(a.den, b.den), x, y, num, den;

	return !__builtin_mul_overflow(a.num, b.den / g, &x) &&
	       !__builtin_mul_overflow(b.num, a.den / g, &y) &&
	       !__builtin_add_overflow(x, y, &num) &&
	       !__builtin_mul_overflow(a.den, b.den / g, &den) &&
	       rat_norm(num, den, r);
}

static bool
rat_mul(struct rat a, struct rat b, struct rat *r)
{
	// Cancel across first, so that nothing grows beyond the result.
	int64_t g1 = gcd64(abs64(a.num), b.den), g2 = gcd64(abs64(b.num), a.den), num, den;

	return !__builtin_mul_overflow(a.num / g1, b.num / g2, &num) &&
	       !__builtin_mul_overflow(a.den / g2, b.den / g1, &den) &&
	       rat_norm(num, den, r);
}

static bool
rat_eq(struct rat a, struct rat b)
{
	return a.num == b.num && a.den == b.den;
}

static struct coef
coef_make(enum basis e, int64_t num, int64_t den)
{
	struct coef c = { .c = { { 0, 1 }, { 0, 1 }, { 0, 1 } } };

	if (!rat_norm(num, den, &c.c[e]))
		c.state = COEF_OVERFLOW;
	return c;
}

static struct coef
coef_bad(int64_t state)
{
	struct coef c = coef_make(ONE, 0, 1);

	c.state = state;
	return c;
}

static bool
coef_is_rational(const struct coef *a)
{
	return a->c[SIN1].num == 0 && a->c[COS1].num == 0;
}

static struct coef
coef_add(struct coef a, struct coef b)
{
	struct coef r;

	if (a.state || b.state)
		return coef_bad(a.state ? a.state : b.state);
	for (int e = 0; e < BASIS; e++)
		if (!rat_add(a.c[e], b.c[e], &r.c[e]))
			return coef_bad(COEF_OVERFLOW);
	r.state = COEF_EXACT;
	return r;
}

// a * b: defined in the space when one of them is rational.
static struct coef
coef_mul(struct coef a, struct coef b)
{
	struct coef r;

	if (a.state || b.state)
		return coef_bad(a.state ? a.state : b.state);
	if (!coef_is_rational(&a)) {
		if (!coef_is_rational(&b))
			return coef_bad(COEF_OUTSIDE);
		r = a, a = b, b = r;
	}
	for (int e = 0; e < BASIS; e++)
		if (!rat_mul(a.c[ONE], b.c[e], &r.c[e]))
			return coef_bad(COEF_OVERFLOW);
	r.state = COEF_EXACT;
	return r;
}

static bool
coef_eq(const struct coef *a, const struct coef *b)
{
	for (int e = 0; e < BASIS; e++)
		if (!rat_eq(a->c[e], b->c[e]))
			return false;
	return a->state == COEF_EXACT && b->state == COEF_EXACT;
}

// "0", "-1/2 sin1", "1 + 1/3 cos1": the nonzero components (exact ones).
static void
coef_format(const struct coef *a, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (int e = 0; e < BASIS && n < size; e++) {
		struct rat q = a->c[e];
		if (q.num == 0)
			continue;
		const char *sep = n == 0 ? (q.num < 0 ? "-" : "") : (q.num < 0 ? " - " : " + ");
		n += snprintf(buf + n, size - n, "%s%ld", sep, (long) abs64(q.num));
		if (q.den != 1 && n < size)
			n += snprintf(buf + n, size - n, "/%ld", (long) q.den);
		if (n < size)
			n += snprintf(buf + n, size - n, "%s", basis_name[e]);
	}
	if (n == 0)
		snprintf(buf, size, "0");
}

// ---- the network -----------------------------------------------------------

#define POLY_MAX	2

enum op { OP_POLY, OP_ADD, OP_MUL, OP_CMUL, OP_DERIV, OP_INTEG, OP_SPLIT };

struct node {
	enum op op;
	int in[2];			// producers (node numbers)
	int out[2];			// consumers: a split has two, the others one
	int64_t k[BASIS];		// OP_CMUL's factor, OP_INTEG's constant
	int64_t poly[POLY_MAX];		// OP_POLY: the coefficients (then zeros)
};

enum { X1, X2, XX, UNIT, F, DF, DFS, HDF, G, GS, GDF, NEG, H, HS, NODES };
#define UMAIN	NODES			// ids[NODES] is umain's id

static const struct node net[NODES] = {
	[X1]	= { OP_POLY,  .poly = { 0, 1 }, .out = { XX } },	// x
	[X2]	= { OP_POLY,  .poly = { 0, 1 }, .out = { XX } },	// x (a stream has one reader)
	[XX]	= { OP_MUL,   .in = { X1, X2 },  .out = { F } },		// x*x
	[UNIT]	= { OP_POLY,  .poly = { 1 },    .out = { F } },		// 1
	[F]	= { OP_ADD,   .in = { UNIT, XX }, .out = { DF } },		// F = 1 + x*x
	[DF]	= { OP_DERIV, .in = { F },       .out = { DFS } },		// F'
	[DFS]	= { OP_SPLIT, .in = { DF },      .out = { HDF, GDF } },
	[HDF]	= { OP_MUL,   .in = { HS, DFS }, .out = { G } },		// H*F'
	[G]	= { OP_INTEG, .in = { HDF },     .out = { GS }, .k = { 0, 1, 0 } },	// sin 1 + ...
	[GS]	= { OP_SPLIT, .in = { G },       .out = { UMAIN, GDF } },
	[GDF]	= { OP_MUL,   .in = { GS, DFS }, .out = { NEG } },		// G*F'
	[NEG]	= { OP_CMUL,  .in = { GDF },     .out = { H }, .k = { -1, 0, 0 } },
	[H]	= { OP_INTEG, .in = { NEG },     .out = { HS }, .k = { 0, 0, 1 } },	// cos 1 - ...
	[HS]	= { OP_SPLIT, .in = { H },       .out = { UMAIN, HDF } },
};

static struct coef
coef_of(const int64_t k[BASIS])
{
	struct coef c = coef_make(ONE, k[ONE], 1);

	c.c[SIN1].num = k[SIN1];
	c.c[COS1].num = k[COS1];
	return c;
}

static struct coef
next_from(envid_t producer)
{
	struct coef a;

	csp_get(producer, &a, sizeof a);
	return a;
}

// Coefficient n of node nd's output series (its consumer has asked for
// it; every earlier one has been produced).
static struct coef
node_next(const struct node *nd, const envid_t *ids, int n)
{
	static struct coef hist[2][HISTORY];	// OP_MUL: the inputs so far
	envid_t in0 = ids[nd->in[0]], in1 = ids[nd->in[1]];
	struct coef r;

	switch (nd->op) {
	case OP_POLY:
		return coef_make(ONE, n < POLY_MAX ? nd->poly[n] : 0, 1);
	case OP_ADD:
		r = next_from(in0);
		return coef_add(r, next_from(in1));
	case OP_CMUL:
		return coef_mul(coef_of(nd->k), next_from(in0));
	case OP_MUL:				// sum of a_i b_(n-i)
		if (n == HISTORY)
			panic("mul: more than %d terms", HISTORY);
		hist[0][n] = next_from(in0);
		hist[1][n] = next_from(in1);
		r = coef_make(ONE, 0, 1);
		for (int i = 0; i <= n; i++)
			r = coef_add(r, coef_mul(hist[0][i], hist[1][n - i]));
		return r;
	case OP_DERIV:				// (n+1) a_(n+1)
		if (n == 0)
			next_from(in0);
		return coef_mul(coef_make(ONE, n + 1, 1), next_from(in0));
	case OP_INTEG:				// the constant, then a_(n-1) / n
		if (n == 0)
			return coef_of(nd->k);
		return coef_mul(coef_make(ONE, 1, n), next_from(in0));
	case OP_SPLIT:
		break;
	}
	panic("node_next: op %d", nd->op);
}

// A split copies its input to two consumers, each at its own pace: it
// asks its producer only when a consumer asks for a term neither has
// seen, and keeps a term for the other until it asks too. It serves one
// consumer from the queue while waiting for the producer on behalf of the
// other (in the loop above the other may be what the producer waits for).
static void __attribute__((noreturn))
split_run(envid_t in, const envid_t out[2])
{
	static struct coef queue[2][HISTORY];
	int head[2] = { 0, 0 }, len[2] = { 0, 0 };
	struct coef a;

	if (out[0] == out[1])
		panic("split: both consumers are %08x", out[0]);
	for (;;) {
		bool wanted = false;

		if (csp_take(in, &a, sizeof a))
			for (int c = 0; c < 2; c++) {
				if (len[c] == HISTORY)
					panic("split: %08x is %d terms behind", out[c], HISTORY);
				queue[c][(head[c] + len[c]++) % HISTORY] = a;
			}
		for (int c = 0; c < 2; c++) {
			if (csp_asked(out[c]) && len[c] > 0) {
				csp_send(out[c], &queue[c][head[c]], sizeof a);
				head[c] = (head[c] + 1) % HISTORY;
				len[c]--;
			}
			wanted = wanted || csp_asked(out[c]);
		}
		if (wanted && !csp_awaiting(in))
			csp_request(in);
		csp_step();
	}
}

// Process k: node k of the network, until umain sends CSP_QUIT.
static void
node_run(int k, const envid_t *ids)
{
	const struct node *nd = &net[k];
	envid_t out = ids[nd->out[0]];

	if (nd->op == OP_SPLIT)
		split_run(ids[nd->in[0]], (const envid_t[2]) { out, ids[nd->out[1]] });
	for (int n = 0;; n++) {
		struct coef c;
		csp_await(out);
		c = node_next(nd, ids, n);
		csp_send(out, &c, sizeof c);
	}
}

// ---- umain: ask, check, print ------------------------------------------------

// The closed forms, u = x^2: sin(1+u) = sin 1 cos u + cos 1 sin u and
// cos(1+u) = cos 1 cos u - sin 1 sin u. The coefficient of x^(2m) takes
// u^m from cos u when m is even, from sin u when m is odd: s/m!, with
// s = (-1)^(m/2). Odd powers of x are 0.
static struct coef
closed_form(bool cosine, int n)
{
	int m = n / 2;
	int64_t fact = 1;

	if (n % 2)
		return coef_make(ONE, 0, 1);
	for (int i = 2; i <= m; i++)
		if (__builtin_mul_overflow(fact, i, &fact))
			return coef_bad(COEF_OVERFLOW);
	int64_t s = (m / 2) % 2 ? -1 : 1;
	if (m % 2 == 0)
		return coef_make(cosine ? COS1 : SIN1, s, fact);
	return cosine ? coef_make(SIN1, -s, fact) : coef_make(COS1, s, fact);
}

// Print and check one coefficient; false if umain must stop.
static bool
term_check(const char *series, bool cosine, int n, const struct coef *got)
{
	static const char *const why[] = {
		[COEF_OVERFLOW] = "does not fit in 64-bit rationals",
		[COEF_OUTSIDE] = "left the space spanned by 1, sin 1, cos 1",
	};
	struct coef want = closed_form(cosine, n);
	char buf[160], wbuf[160];

	if (got->state != COEF_EXACT) {
		printf("%s x^%d: %s\n", series, n, why[got->state]);
		return false;
	}
	coef_format(got, buf, sizeof buf);
	printf("%s x^%d: %s\n", series, n, buf);
	if (!coef_eq(got, &want)) {
		coef_format(&want, wbuf, sizeof wbuf);
		printf("powser: mismatch: %s x^%d is %s, expected %s\n", series, n, buf,
		       want.state == COEF_EXACT ? wbuf : "(not representable)");
		return false;
	}
	return true;
}

void
umain(int argc, char **argv)
{
	envid_t ids[NODES + 1];
	int terms = 24, n, r;

	if (argc > 1) {
		terms = 0;
		for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++)
			terms = terms * 10 + (*s - '0');
		if (terms < 1 || terms > TERMS_MAX) {
			printf("usage: powser [TERMS: 1..%d]\n", TERMS_MAX);
			return;
		}
	}
	printf("powser: sin(1+x^2) and cos(1+x^2) to x^%d by %d stream processes\n", terms - 1, NODES);
	if ((r = csp_spawn(NODES, ids, node_run)) < 0) {
		printf("powser: fork: %e\n", r);
		return;
	}
	for (n = 0; n < terms; n++) {
		struct coef g = next_from(ids[GS]), h = next_from(ids[HS]);
		if (!term_check("sin(1+x^2)", false, n, &g) || !term_check("cos(1+x^2)", true, n, &h))
			break;
	}
	csp_quit(ids, NODES);
	if (n == terms)
		printf("powser: %d terms OK\n", terms);
	else
		printf("powser: stopped at x^%d\n", n);
}
