/*
 * stamp.c - the test pattern's machine-readable frame stamp: drawing it
 * into an RGBA picture and finding and reading it in a picture of any size
 * and format.  docs/PATTERN.md specifies every bit; keep the two identical.
 *
 * In short: a 20-byte message (frame number, time, CRC-32) is cut into four
 * lines of 5 bytes.  Each line is a row of 58 square cells, black = 1:
 *
 *   B W B W | index(2) | 40 data bits | CRC-8(8) | W B W B
 *
 * drawn one under the other on a white band at the top of the picture.
 * The decoder never assumes where the picture is or how it was scaled: it
 * reads every scanline, finds the guard patterns at both ends of a line
 * (a black/white/black triple of equal runs with white outside it), takes
 * the cell pitch from the distance between them and samples the luma at
 * each cell's centre.  A line counts when its CRC-8 holds; the four lines
 * count when the CRC-32 over the whole message holds.
 */
#include <string.h>

#include "internal.h"

#define STAMP_LINES 4
#define LINE_CELLS 58          /* guard 4 + index 2 + data 40 + crc 8 + guard 4 */
#define LINE_BYTES 5           /* data bytes per line */
#define MSG_BYTES (STAMP_LINES * LINE_BYTES) /* 8 frame + 8 time + 4 crc32 */
#define QUIET_CELLS 1          /* white margin needed left and right */
#define MIN_CELL_PX 2          /* smallest cell drawn */
#define LUMA_THRESHOLD 128     /* below is black */
#define UNCLEAR_LOW 64         /* a cell centre between these is unclear */
#define UNCLEAR_HIGH 192
#define MAX_UNCLEAR 6          /* unclear cells tolerated in a line */
#define MAX_CANDIDATES 8       /* different readings kept per line index */

/* ------------------------------------------------------------- checksums */

/* CRC-8, polynomial x^8+x^2+x+1 (0x07), MSB first, initial value 0xff. */
static uint8_t crc8(const uint8_t *p, size_t n)
{
	uint8_t c = 0xff;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (uint8_t)(c & 0x80 ? (c << 1) ^ 0x07 : c << 1);
	}
	return c;
}

/* CRC-32 as in zlib/PNG/Ethernet (reflected 0xedb88320, init and xorout ~0). */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* ------------------------------------------------------------- encoding */

/* The 58 cells of line `line` of message m; 1 = black. */
static void line_cells(const uint8_t m[MSG_BYTES], int line, uint8_t cells[LINE_CELLS])
{
	static const uint8_t start[4] = {1, 0, 1, 0}, end[4] = {0, 1, 0, 1};
	uint8_t bytes[1 + LINE_BYTES];
	bytes[0] = (uint8_t)line;
	memcpy(bytes + 1, m + line * LINE_BYTES, LINE_BYTES);
	uint8_t crc = crc8(bytes, sizeof bytes);
	int k = 0;
	memcpy(cells, start, 4);
	k = 4;
	cells[k++] = (uint8_t)(line >> 1 & 1);
	cells[k++] = (uint8_t)(line & 1);
	for (int i = 1; i <= LINE_BYTES; i++)
		for (int b = 7; b >= 0; b--)
			cells[k++] = bytes[i] >> b & 1;
	for (int b = 7; b >= 0; b--)
		cells[k++] = crc >> b & 1;
	memcpy(cells + k, end, 4);
}

static void message_of(const shmfb_stamp *s, uint8_t m[MSG_BYTES])
{
	put_be(m, s->frame_number, 8);
	put_be(m + 8, s->time_ns, 8);
	put_be(m + 16, crc32_ieee(m, 16), 4);
}

static void fill_rgba(uint8_t *rgba, uint32_t stride, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h, uint8_t v)
{
	for (uint32_t r = y; r < y + h; r++) {
		uint8_t *p = rgba + (size_t)r * stride + (size_t)x * 4;
		for (uint32_t c = 0; c < w; c++, p += 4) {
			p[0] = p[1] = p[2] = v;
			p[3] = 255;
		}
	}
}

int shmfb_stamp_draw_rgba(uint8_t *rgba, uint32_t width, uint32_t height,
			  uint32_t stride, const shmfb_stamp *s)
{
	if (!rgba || !s || stride / 4 < width)
		return shmfb__errorf(SHMFB_EINVAL, "stamp: bad picture arguments");
	/* Square cells as wide as fit, each line at most 1/16 of the height. */
	uint32_t cell = width / (LINE_CELLS + 2 * QUIET_CELLS);
	if (cell > height / (4 * STAMP_LINES))
		cell = height / (4 * STAMP_LINES);
	if (cell < MIN_CELL_PX)
		return shmfb__errorf(SHMFB_EINVAL, "stamp: picture %ux%u too small (needs at least %ux%u)",
				     width, height, (LINE_CELLS + 2 * QUIET_CELLS) * MIN_CELL_PX,
				     4 * STAMP_LINES * MIN_CELL_PX);
	uint8_t m[MSG_BYTES];
	message_of(s, m);
	uint32_t x0 = (width - LINE_CELLS * cell) / 2;
	fill_rgba(rgba, stride, 0, 0, width, STAMP_LINES * cell, 255);
	for (int line = 0; line < STAMP_LINES; line++) {
		uint8_t cells[LINE_CELLS];
		line_cells(m, line, cells);
		for (int k = 0; k < LINE_CELLS; k++)
			if (cells[k])
				fill_rgba(rgba, stride, x0 + (uint32_t)k * cell, (uint32_t)line * cell,
					  cell, cell, 0);
	}
	return 0;
}

/* ------------------------------------------------------------- decoding */

/* One scanline of plane 0 and how to get the luma of pixel x from it. */
struct scanline {
	const uint8_t *row;
	uint32_t width;
	uint32_t step;   /* bytes from one pixel to the next */
	int r, g, b;     /* byte offsets of R, G, B; r < 0 when the bytes are luma */
};

static int luma_at(const struct scanline *s, uint32_t x)
{
	const uint8_t *p = s->row + (size_t)x * s->step;
	if (s->r < 0)
		return p[0];
	/* BT.709 weights; the stamp is black and white so any weights would do. */
	return (54 * p[s->r] + 183 * p[s->g] + 19 * p[s->b] + 128) >> 8;
}

static int setup_scanline(shmfb_pixfmt f, struct scanline *s)
{
	s->r = s->g = s->b = -1;
	switch (f) {
	case SHMFB_FMT_RGBA8: s->step = 4; s->r = 0; s->g = 1; s->b = 2; break;
	case SHMFB_FMT_BGRA8: s->step = 4; s->r = 2; s->g = 1; s->b = 0; break;
	case SHMFB_FMT_RGB24: s->step = 3; s->r = 0; s->g = 1; s->b = 2; break;
	case SHMFB_FMT_GRAY8:
	case SHMFB_FMT_NV12:
	case SHMFB_FMT_I420: s->step = 1; break;
	case SHMFB_FMT_YUYV: s->step = 2; break; /* Y0 U Y1 V: luma at even bytes */
	default: return -1;
	}
	return 0;
}

/* Guard candidates: 3 runs of about equal length, black-white-black. */
struct guard {
	double left, right; /* outer edges, in pixels (subpixel) */
	double pitch;
};

#define MAX_STARTS 64
#define MAX_FOUND 8

struct line_finder {
	const struct scanline *s;
	double edge[5];      /* the last edges, edge[4] newest */
	int black_after[5];  /* colour after each edge */
	int edges;           /* edges seen so far on this scanline */
	struct guard start[MAX_STARTS];
	int starts;
	/* Every line that read correctly on this scanline: a start guard
	 * inside the data can pair with the real end guard and pass the CRC-8
	 * by chance, so the first reading is not always the right one. */
	int found;
	int found_line[MAX_FOUND];
	uint8_t found_data[MAX_FOUND][LINE_BYTES];
};

/* Three runs a, b, c form a guard if each is within half a pitch of the mean. */
static int equal_runs(double a, double b, double c, double *pitch)
{
	double p = (a + b + c) / 3;
	*pitch = p;
	return p >= 0.8 && a > 0.5 * p && a < 1.5 * p && b > 0.5 * p && b < 1.5 * p &&
	       c > 0.5 * p && c < 1.5 * p;
}

/* Reads the 58 cells between a start guard's left edge and an end guard's right edge. */
static int read_line(struct line_finder *lf, double left, double right)
{
	double pitch = (right - left) / LINE_CELLS;
	uint8_t cells[LINE_CELLS];
	int unclear = 0;
	for (int k = 0; k < LINE_CELLS; k++) {
		double c = left + (k + 0.5) * pitch;
		if (c < 0 || c >= lf->s->width)
			return -1;
		int v = luma_at(lf->s, (uint32_t)c);
		cells[k] = v < LUMA_THRESHOLD;
		unclear += v > UNCLEAR_LOW && v < UNCLEAR_HIGH;
	}
	/* Real cells are black or white at their centres; noise is not. */
	if (unclear > MAX_UNCLEAR)
		return -1;
	static const uint8_t start[4] = {1, 0, 1, 0}, end[4] = {0, 1, 0, 1};
	if (memcmp(cells, start, 4) || memcmp(cells + LINE_CELLS - 4, end, 4))
		return -1;
	uint8_t bytes[1 + LINE_BYTES] = {(uint8_t)(cells[4] << 1 | cells[5])};
	for (int i = 0; i < LINE_BYTES * 8; i++)
		bytes[1 + i / 8] = (uint8_t)(bytes[1 + i / 8] << 1 | cells[6 + i]);
	uint8_t crc = 0;
	for (int i = 0; i < 8; i++)
		crc = (uint8_t)(crc << 1 | cells[6 + LINE_BYTES * 8 + i]);
	if (crc8(bytes, sizeof bytes) != crc || lf->found == MAX_FOUND)
		return -1;
	lf->found_line[lf->found] = bytes[0];
	memcpy(lf->found_data[lf->found], bytes + 1, LINE_BYTES);
	lf->found++;
	return 0;
}

/* An end guard ends at `right`; try it against every start guard seen before it. */
static void try_end(struct line_finder *lf, const struct guard *end)
{
	for (int i = 0; i < lf->starts; i++) {
		const struct guard *st = &lf->start[i];
		double pitch = (end->right - st->left) / LINE_CELLS;
		if (pitch < 0.8 || st->right > end->left)
			continue;
		if (pitch < 0.7 * st->pitch || pitch > 1.3 * st->pitch ||
		    pitch < 0.7 * end->pitch || pitch > 1.3 * end->pitch)
			continue;
		read_line(lf, st->left, end->right);
	}
}

/*
 * The edge history: edge[4] is the newest, black_after[i] the colour that
 * follows edge[i].  A guard is four edges W->B, B->W, W->B, B->W whose three
 * runs are about equal; `edges` counts how many of the five are real.
 */
static int guard_at(const struct line_finder *lf, int first, struct guard *g)
{
	const double *e = lf->edge + first;
	const int *b = lf->black_after + first;
	if (lf->edges < 5 - first || !b[0] || b[1] || !b[2] || b[3])
		return 0;
	if (!equal_runs(e[1] - e[0], e[2] - e[1], e[3] - e[2], &g->pitch))
		return 0;
	g->left = e[0];
	g->right = e[3];
	return 1;
}

/* Called before an edge at `pos` is added: the white run edge[4]..pos just ended. */
static void check_end(struct line_finder *lf, double pos)
{
	struct guard g;
	if (guard_at(lf, 1, &g) && pos - g.right > 0.5 * g.pitch)
		try_end(lf, &g);
}

/* Called after a B->W edge is added: edge[1..4] may be a start guard. */
static void check_start(struct line_finder *lf)
{
	struct guard g;
	if (!guard_at(lf, 1, &g))
		return;
	double white_from = lf->edges >= 5 ? lf->edge[0] : 0;
	if (g.left - white_from <= 0.5 * g.pitch)
		return;
	if (lf->starts == MAX_STARTS) {
		memmove(lf->start, lf->start + 1, (MAX_STARTS - 1) * sizeof *lf->start);
		lf->starts--;
	}
	lf->start[lf->starts++] = g;
}

static void push_edge(struct line_finder *lf, double pos, int black_after)
{
	memmove(lf->edge, lf->edge + 1, 4 * sizeof lf->edge[0]);
	memmove(lf->black_after, lf->black_after + 1, 4 * sizeof lf->black_after[0]);
	lf->edge[4] = pos;
	lf->black_after[4] = black_after;
	if (lf->edges < 5)
		lf->edges++;
}

/* Reads a scanline; lf->found_* get every line of a stamp on it. */
static void scan_row(struct line_finder *lf)
{
	const struct scanline *s = lf->s;
	int prev = luma_at(s, 0);
	for (uint32_t x = 1; x <= s->width; x++) {
		int cur = x < s->width ? luma_at(s, x) : -1;
		int was_black = prev < LUMA_THRESHOLD;
		if (cur >= 0 && (cur < LUMA_THRESHOLD) == was_black) {
			prev = cur;
			continue;
		}
		if (cur < 0) { /* the scanline's end closes the last run */
			if (!was_black)
				check_end(lf, x);
			break;
		}
		/* Where the luma crosses the threshold; pixel centres at +0.5. */
		double pos = x - 0.5 + (double)(prev - LUMA_THRESHOLD) / (double)(prev - cur);
		if (!was_black)
			check_end(lf, pos);
		push_edge(lf, pos, !was_black);
		if (was_black)
			check_start(lf);
		prev = cur;
	}
}

/* Readings of each line so far; different ones when the picture holds noise that passed. */
struct readings {
	uint8_t line[STAMP_LINES][MAX_CANDIDATES][LINE_BYTES];
	int count[STAMP_LINES];
};

/* Adds a reading; 0 if new, -1 if already there. */
static int add_reading(struct readings *rd, int line, const uint8_t data[LINE_BYTES])
{
	for (int i = 0; i < rd->count[line] && i < MAX_CANDIDATES; i++)
		if (!memcmp(rd->line[line][i], data, LINE_BYTES))
			return -1;
	memcpy(rd->line[line][rd->count[line] % MAX_CANDIDATES], data, LINE_BYTES);
	rd->count[line]++;
	return 0;
}

/* Tries every combination that includes the reading just added to `line`. */
static int find_message(const struct readings *rd, int line, uint8_t m[MSG_BYTES])
{
	int n[STAMP_LINES], pick[STAMP_LINES] = {0};
	for (int i = 0; i < STAMP_LINES; i++) {
		n[i] = rd->count[i] < MAX_CANDIDATES ? rd->count[i] : MAX_CANDIDATES;
		if (n[i] == 0)
			return -1;
	}
	int newest = (rd->count[line] - 1) % MAX_CANDIDATES;
	for (;;) {
		for (int i = 0; i < STAMP_LINES; i++)
			memcpy(m + i * LINE_BYTES, rd->line[i][i == line ? newest : pick[i]], LINE_BYTES);
		if (crc32_ieee(m, 16) == (uint32_t)get_be(m + 16, 4))
			return 0;
		int i = 0; /* next combination of the other lines */
		for (; i < STAMP_LINES; i++) {
			if (i == line)
				continue;
			if (++pick[i] < n[i])
				break;
			pick[i] = 0;
		}
		if (i == STAMP_LINES)
			return -1;
	}
}

int shmfb_stamp_decode(const uint8_t *plane0, uint32_t width, uint32_t height,
		       uint32_t stride, shmfb_pixfmt format, shmfb_stamp *out)
{
	struct scanline s = {.width = width};
	if (!plane0 || !out || width < 2 || setup_scanline(format, &s) < 0 ||
	    stride / s.step < width)
		return shmfb__errorf(SHMFB_EINVAL, "stamp: bad picture arguments");
	struct readings rd;
	memset(&rd, 0, sizeof rd);
	for (uint32_t y = 0; y < height; y++) {
		s.row = plane0 + (size_t)y * stride;
		struct line_finder lf = {.s = &s};
		scan_row(&lf);
		for (int i = 0; i < lf.found; i++) {
			uint8_t m[MSG_BYTES];
			int line = lf.found_line[i];
			if (add_reading(&rd, line, lf.found_data[i]) < 0 ||
			    find_message(&rd, line, m) < 0)
				continue;
			out->frame_number = get_be(m, 8);
			out->time_ns = get_be(m + 8, 8);
			return 0;
		}
	}
	return shmfb__errorf(SHMFB_ENOFRAME, "stamp: no valid stamp found in the %ux%u picture",
			     width, height);
}
