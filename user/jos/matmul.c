// Matrix multiplication by a network of processes: Hoare, "Communicating
// Sequential Processes" (CACM 21(8), 1978), section 6.2, on fork and IPC.
//
// Twenty-one processes M(i,j), i, j = 0..4 without the corners:
//
//              NORTH    NORTH    NORTH          NORTH: 0, 0, ... (then END)
//                |0       |0       |0
//     WEST --> M(1,1) -> M(1,2) -> M(1,3) --> EAST      x_i flows east,
//     WEST --> M(2,1) -> M(2,2) -> M(2,3) --> EAST      partial sums flow
//     WEST --> M(3,1) -> M(3,2) -> M(3,3) --> EAST      south
//                |        |        |
//              SOUTH    SOUTH    SOUTH  --> umain (checks, prints)
//
// WEST(i) streams the i-th component of each input vector x; a centre
// process holds one matrix element and does Hoare's
//     *[x:real; M(i,j-1)?x -> M(i,j+1)!x; sum:real;
//       M(i-1,j)?sum; M(i+1,j)!(A(i,j)*x + sum)]
// so column j leaves the array with sum_i A(i,j)*x_i. Hoare's array
// computes x times A; to print y = A x, M(i,j) holds A[j][i] (rows and
// columns swapped), and column j's sum is y_j = sum_i A[j][i]*x_i.
// SOUTH(j) hands y_j to umain, which compares it with A x computed
// directly. After the last vector every WEST and NORTH sends END, which
// each process passes on before it exits: all 21 end by themselves.
//
// Channels are csp.h's: an input asks its partner first, so an output
// waits for the partner's input as in CSP. Requests go only north and
// west (and from umain to SOUTH), so no chain of waiting senders closes
// a cycle.
//
// Usage: matmul [VECTORS [wrong]]   (default 4 vectors, at most 100;
// `wrong` makes M(2,2) add 1 to its sums, to see the check fail: umain
// reports the mismatch and destroys the network)
#include <jos.h>
#include "csp.h"

#define N	3			// order of the matrix
#define NODES	(4 * N + N * N)		// the four borders and the centre

struct item {
	int64_t v;			// x_i, or a partial sum
	int64_t end;			// 1: no more vectors
};

static const int64_t A[N][N] = {
	{ 2, -1, 3 },
	{ 0, 4, -2 },
	{ 5, 1, -3 },
};

static int vectors = 4;
static bool wrong;			// M(2,2) miscomputes
static int cell[N + 2][N + 2];		// the node number of M(i,j); -1 at the corners
static int cell_i[NODES], cell_j[NODES];

static void
cells_number(void)
{
	int k = 0;

	for (int i = 0; i <= N + 1; i++)
		for (int j = 0; j <= N + 1; j++) {
			bool corner = (i == 0 || i == N + 1) && (j == 0 || j == N + 1);
			cell[i][j] = corner ? -1 : k;
			if (!corner) {
				cell_i[k] = i;
				cell_j[k] = j;
				k++;
			}
		}
	assert(k == NODES);
}

// Component i (1..N) of input vector v: -5..5, so no sum overflows.
static int64_t
input(int v, int i)
{
	return (v * (i + 2) + v / 7 + i) % 11 - 5;
}

static void
border_west(int i, envid_t east)
{
	for (int v = 0; v < vectors; v++)
		csp_put(east, &(struct item) { .v = input(v, i) }, sizeof(struct item));
	csp_put(east, &(struct item) { .end = 1 }, sizeof(struct item));
}

static void
border_north(envid_t south)
{
	for (int v = 0; v < vectors; v++)
		csp_put(south, &(struct item) { .v = 0 }, sizeof(struct item));
	csp_put(south, &(struct item) { .end = 1 }, sizeof(struct item));
}

static void
border_east(envid_t west)
{
	struct item x;

	do
		csp_get(west, &x, sizeof x);
	while (!x.end);
}

static void
border_south(envid_t north, envid_t out)
{
	struct item y;

	do {
		csp_get(north, &y, sizeof y);
		csp_put(out, &y, sizeof y);
	} while (!y.end);
}

static void
centre(int64_t a, int64_t bias, envid_t west, envid_t east, envid_t north, envid_t south)
{
	struct item x, sum;

	do {
		csp_get(west, &x, sizeof x);
		csp_put(east, &x, sizeof x);
		csp_get(north, &sum, sizeof sum);
		if (x.end != sum.end)
			panic("M: the end marks from west and north disagree");
		if (!x.end)
			sum.v += a * x.v + bias;
		csp_put(south, &sum, sizeof sum);
	} while (!x.end);
}

// Process k of the network: the part its place in the array gives it.
static void
node_run(int k, const envid_t *ids)
{
	int i = cell_i[k], j = cell_j[k];
#define M(i, j)	ids[cell[i][j]]

	if (j == 0)
		border_west(i, M(i, 1));
	else if (i == 0)
		border_north(M(1, j));
	else if (j == N + 1)
		border_east(M(i, N));
	else if (i == N + 1)
		border_south(M(N, j), ids[NODES]);
	else
		centre(A[j - 1][i - 1], wrong && i == 2 && j == 2, M(i, j - 1), M(i, j + 1), M(i - 1, j),
		       M(i + 1, j));
#undef M
}

static void
vector_format(char *buf, size_t size, const int64_t *x)
{
	snprintf(buf, size, "(%ld, %ld, %ld)", (long) x[0], (long) x[1], (long) x[2]);
}

void
umain(int argc, char **argv)
{
	envid_t ids[NODES + 1];
	int r;

	if (argc > 1) {
		vectors = 0;
		for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++)
			vectors = vectors * 10 + (*s - '0');
		if (vectors < 1 || vectors > 100) {
			printf("usage: matmul [VECTORS: 1..100 [wrong]]\n");
			return;
		}
		wrong = argc > 2 && strcmp(argv[2], "wrong") == 0;
	}
	cells_number();
	printf("matmul: y = A x by Hoare's array of %d processes, %d vector%s\n", NODES, vectors,
	       vectors == 1 ? "" : "s");
	for (int row = 0; row < N; row++)
		printf("A row %d: %ld %ld %ld\n", row + 1, (long) A[row][0], (long) A[row][1], (long) A[row][2]);
	if ((r = csp_spawn(NODES, ids, node_run)) < 0) {
		printf("matmul: fork: %e\n", r);
		return;
	}

	for (int v = 0; v < vectors; v++) {
		int64_t x[N], y[N], want[N];
		char xs[64], ys[64], ws[64];
		bool ok = true;

		for (int i = 0; i < N; i++)
			x[i] = input(v, i + 1);
		for (int j = 0; j < N; j++) {
			struct item out;
			csp_get(ids[cell[N + 1][j + 1]], &out, sizeof out);
			y[j] = out.v;
			want[j] = 0;
			for (int i = 0; i < N; i++)
				want[j] += A[j][i] * x[i];
			ok = ok && !out.end && y[j] == want[j];
		}
		vector_format(xs, sizeof xs, x);
		vector_format(ys, sizeof ys, y);
		printf("x = %s  A x = %s\n", xs, ys);
		if (!ok) {
			vector_format(ws, sizeof ws, want);
			printf("matmul: mismatch: vector %d gave %s, expected %s\n", v + 1, ys, ws);
			csp_kill(ids, NODES);
			return;
		}
	}
	for (int j = 0; j < N; j++) {
		struct item out;
		csp_get(ids[cell[N + 1][j + 1]], &out, sizeof out);
		if (!out.end) {
			printf("matmul: SOUTH %d sent more than %d results\n", j + 1, vectors);
			csp_kill(ids, NODES);
			return;
		}
	}
	csp_reap(ids, NODES);
	printf("matmul: %d vector%s OK\n", vectors, vectors == 1 ? "" : "s");
}
