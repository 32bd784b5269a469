/*
 * overlay.c - the 'i' overlay: a few lines of text made of stb_easy_font
 * quads and a rolling graph of publish->present latency, all drawn with
 * SDL_RenderGeometry on a translucent box in the bottom-left corner.
 */
#include <stdio.h>
#include <string.h>

#include "viewer.h"

/* stb_easy_font is a header of static functions; we do not use them all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#define MARGIN 8.0f
#define PAD 6.0f
#define LINE_H 12.0f    /* unscaled line pitch, as stb_easy_font_height */
#define GRAPH_H 60.0f
#define MAX_QUADS 2000  /* per line of text; plenty for 120 characters */

/* Quads as stb_easy_font writes them: x, y, z floats and RGBA bytes. */
typedef struct font_vertex {
	float x, y, z;
	unsigned char rgba[4];
} font_vertex;

/* Geometry collected before one SDL_RenderGeometry call. */
typedef struct mesh {
	SDL_Vertex v[MAX_QUADS * 4];
	int idx[MAX_QUADS * 6];
	int nv, ni;
} mesh;

static mesh g_mesh; /* big: keep it off the stack */

/* easy_font glyphs are ~7 px tall: doubled in a big window, 1x in a small one. */
static float g_scale = 2.0f;

static void pick_scale(SDL_Renderer *ren, int *ow, int *oh)
{
	SDL_GetRendererOutputSize(ren, ow, oh);
	float s = (float)*ow / 480.0f;
	g_scale = s < 1 ? 1 : s > 2 ? 2 : s;
}

static void add_quad(mesh *m, float x0, float y0, float x1, float y1, SDL_Color c)
{
	if (m->nv + 4 > MAX_QUADS * 4)
		return;
	SDL_Vertex *v = &m->v[m->nv];
	float xs[4] = {x0, x1, x1, x0}, ys[4] = {y0, y0, y1, y1};
	for (int i = 0; i < 4; i++) {
		v[i].position.x = xs[i];
		v[i].position.y = ys[i];
		v[i].color = c;
		v[i].tex_coord.x = v[i].tex_coord.y = 0;
	}
	static const int order[6] = {0, 1, 2, 0, 2, 3};
	for (int i = 0; i < 6; i++)
		m->idx[m->ni++] = m->nv + order[i];
	m->nv += 4;
}

static void flush(SDL_Renderer *ren, mesh *m)
{
	if (m->ni)
		SDL_RenderGeometry(ren, NULL, m->v, m->nv, m->idx, m->ni);
	m->nv = m->ni = 0;
}

/* Adds one line of text at (x, y) in output pixels. */
static void add_text(mesh *m, float x, float y, const char *text, SDL_Color c)
{
	static font_vertex buf[MAX_QUADS * 4];
	unsigned char rgba[4] = {c.r, c.g, c.b, c.a};
	char line[256];
	snprintf(line, sizeof line, "%s", text);
	int quads = stb_easy_font_print(0, 0, line, rgba, buf, (int)sizeof buf);
	for (int q = 0; q < quads; q++) {
		const font_vertex *v = &buf[q * 4];
		/* easy_font quads are axis-aligned: corners 0 and 2 span them. */
		add_quad(m, x + v[0].x * g_scale, y + v[0].y * g_scale, x + v[2].x * g_scale,
			 y + v[2].y * g_scale, c);
	}
}

static float text_width(const char *text)
{
	char line[256];
	snprintf(line, sizeof line, "%s", text);
	return (float)stb_easy_font_width(line) * g_scale;
}

/* Bars of the last latencies, oldest on the left, scaled to a round max. */
static void add_graph(mesh *m, float x, float y, float w, const stats *st, char *label, size_t n)
{
	uint32_t max_us = 1000;
	for (unsigned i = 0; i < st->ring_n; i++)
		if (st->ring[i] > max_us)
			max_us = st->ring[i];
	uint32_t step = max_us <= 10000 ? 2000 : max_us <= 50000 ? 10000 : 50000;
	uint32_t top = (max_us + step - 1) / step * step;
	snprintf(label, n, "%u ms", top / 1000);
	add_quad(m, x, y, x + w, y + GRAPH_H, (SDL_Color){40, 40, 40, 200});
	float bw = w / STATS_RING;
	unsigned first = (st->ring_pos + STATS_RING - st->ring_n) % STATS_RING;
	for (unsigned i = 0; i < st->ring_n; i++) {
		uint32_t us = st->ring[(first + i) % STATS_RING];
		float h = GRAPH_H * (float)us / (float)top;
		float bx = x + w - (float)(st->ring_n - i) * bw;
		add_quad(m, bx, y + GRAPH_H - h, bx + bw, y + GRAPH_H, (SDL_Color){90, 220, 120, 255});
	}
}

static void fmt_ms(char *buf, size_t n, double ms)
{
	if (ms < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f ms", ms);
}

void overlay_draw(SDL_Renderer *ren, const overlay_info *oi)
{
	const source *src = oi->src;
	const picture *pic = oi->pic;
	const stats *st = oi->st;
	char lines[6][256], state[200], p50[32], p99[32];
	int nl = 0, ow = 0, oh = 0;
	pick_scale(ren, &ow, &oh);
	const char *fmt = shmfb_pixfmt_name(pic->have_frame ? pic->format : src->info.format);
	if (src->attaches)
		snprintf(lines[nl++], sizeof lines[0], "%s  %ux%u %s  generation %llx", src->name,
			 src->info.width, src->info.height, fmt ? fmt : "?",
			 (unsigned long long)src->info.generation);
	else
		snprintf(lines[nl++], sizeof lines[0], "%s", src->name);
	snprintf(lines[nl++], sizeof lines[0], "received %.1f fps  shown %.1f fps  dropped %llu",
		 st->recv_fps, st->shown_fps, (unsigned long long)st->dropped);
	fmt_ms(p50, sizeof p50, st->p50_ms);
	fmt_ms(p99, sizeof p99, st->p99_ms);
	snprintf(lines[nl++], sizeof lines[0], "publish->present p50 %s  p99 %s", p50, p99);
	snprintf(lines[nl++], sizeof lines[0], "producer: %s",
		 source_state_text(src, state, sizeof state));
	audio_overlay_line(oi->ao, lines[nl++], sizeof lines[0]);
	if (oi->frozen || oi->exact)
		snprintf(lines[nl++], sizeof lines[0], "%s%s", oi->frozen ? "[frozen] " : "",
			 oi->exact ? "[1:1]" : "");

	float w = STATS_RING * g_scale;
	for (int i = 0; i < nl; i++)
		if (text_width(lines[i]) > w)
			w = text_width(lines[i]);
	float text_h = nl * LINE_H * g_scale;
	float box_h = PAD + text_h + PAD + GRAPH_H + PAD;
	/* Bottom left: the frame stamp lives in the top quarter (docs/PATTERN.md). */
	float top = (float)oh - MARGIN - box_h;
	mesh *m = &g_mesh;
	m->nv = m->ni = 0;
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	add_quad(m, MARGIN, top, MARGIN + w + 2 * PAD, top + box_h, (SDL_Color){0, 0, 0, 170});
	flush(ren, m);

	float x = MARGIN + PAD, y = top + PAD;
	SDL_Color white = {235, 235, 235, 255}, grey = {170, 170, 170, 255};
	for (int i = 0; i < nl; i++) {
		add_text(m, x, y + i * LINE_H * g_scale, lines[i], white);
		flush(ren, m);
	}
	char label[32];
	float gy = y + text_h + PAD;
	add_graph(m, x, gy, w, st, label, sizeof label);
	flush(ren, m);
	add_text(m, x + 2, gy + 2, label, grey);
	flush(ren, m);
}

void overlay_status_line(SDL_Renderer *ren, const char *text)
{
	int ow = 0, oh = 0;
	pick_scale(ren, &ow, &oh);
	mesh *m = &g_mesh;
	m->nv = m->ni = 0;
	float h = LINE_H * g_scale + 2 * PAD, y = (float)oh - MARGIN - h;
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	add_quad(m, MARGIN, y, MARGIN + text_width(text) + 2 * PAD, y + h, (SDL_Color){0, 0, 0, 170});
	flush(ren, m);
	add_text(m, MARGIN + PAD, y + PAD, text, (SDL_Color){235, 235, 235, 255});
	flush(ren, m);
}
