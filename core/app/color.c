/*
 * color.c - a mapping's colour description in ffmpeg's words: the values of
 * its -colorspace, -color_range, -color_trc, -color_primaries and
 * -chroma_sample_location options.  shmfb cat --info passes them on, so
 * ffmpeg decodes YUV with the matrix and range the producer used (told
 * nothing, it assumes BT.601); shmfb info shows the same words, and
 * shmfb-producer --raw takes them to state what its input's values mean.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"

static const char *const matrix_names[SHMFB_MATRIX_COUNT] = {
	[SHMFB_MATRIX_RGB] = "rgb",
	[SHMFB_MATRIX_BT601] = "smpte170m", /* the same matrix as bt470bg */
	[SHMFB_MATRIX_BT709] = "bt709",
	[SHMFB_MATRIX_BT2020] = "bt2020nc",
};
static const char *const range_names[SHMFB_RANGE_COUNT] = {
	[SHMFB_RANGE_LIMITED] = "tv",
	[SHMFB_RANGE_FULL] = "pc",
};
static const char *const transfer_names[SHMFB_TRANSFER_COUNT] = {
	[SHMFB_TRANSFER_BT709] = "bt709",
	[SHMFB_TRANSFER_SRGB] = "iec61966-2-1",
	[SHMFB_TRANSFER_BT601] = "smpte170m",
	[SHMFB_TRANSFER_BT2020] = "bt2020-10",
	[SHMFB_TRANSFER_PQ] = "smpte2084",
	[SHMFB_TRANSFER_HLG] = "arib-std-b67",
	[SHMFB_TRANSFER_LINEAR] = "linear",
};
static const char *const primaries_names[SHMFB_PRIMARIES_COUNT] = {
	[SHMFB_PRIMARIES_BT709] = "bt709",
	[SHMFB_PRIMARIES_BT601_625] = "bt470bg",
	[SHMFB_PRIMARIES_BT601_525] = "smpte170m",
	[SHMFB_PRIMARIES_BT2020] = "bt2020",
};
static const char *const chroma_names[SHMFB_CHROMA_COUNT] = {
	[SHMFB_CHROMA_LEFT] = "left",
	[SHMFB_CHROMA_CENTER] = "center",
	[SHMFB_CHROMA_TOPLEFT] = "topleft",
};

/* One field: its name in docs/FORMAT.md, ffmpeg's option, ffmpeg's names of its values. */
static const struct {
	const char *field, *option;
	const char *const *names;
	unsigned count;
} fields[APP_COLOR_FIELDS] = {
#define FIELD(field, option, table) {field, option, table, sizeof table / sizeof table[0]}
	FIELD("matrix", "-colorspace", matrix_names),
	FIELD("range", "-color_range", range_names),
	FIELD("transfer", "-color_trc", transfer_names),
	FIELD("primaries", "-color_primaries", primaries_names),
	FIELD("chroma_site", "-chroma_sample_location", chroma_names),
#undef FIELD
};

/* The fields of c, in the order of `fields`. */
static void values_of(const shmfb_color *c, unsigned v[APP_COLOR_FIELDS])
{
	v[0] = (unsigned)c->matrix;
	v[1] = (unsigned)c->range;
	v[2] = (unsigned)c->transfer;
	v[3] = (unsigned)c->primaries;
	v[4] = (unsigned)c->chroma_site;
}

void app_color_fields(const shmfb_color *c, struct app_color_field out[APP_COLOR_FIELDS])
{
	unsigned v[APP_COLOR_FIELDS];
	values_of(c, v);
	for (int i = 0; i < APP_COLOR_FIELDS; i++) {
		/* NULL for 0 (unspecified) or a value out of range */
		const char *name = v[i] < fields[i].count ? fields[i].names[v[i]] : NULL;
		out[i] = (struct app_color_field){fields[i].field, fields[i].option, name};
	}
}

static int field_of(const char *option)
{
	for (int i = 0; i < APP_COLOR_FIELDS; i++)
		if (!strcmp(fields[i].option, option))
			return i;
	return -1;
}

int app_color_set(shmfb_color *c, const char *option, const char *name)
{
	int f = field_of(option);
	if (f < 0)
		return -1;
	for (unsigned v = 1; v < fields[f].count; v++) {
		if (!fields[f].names[v] || strcmp(fields[f].names[v], name))
			continue;
		switch (f) {
		case 0: c->matrix = (shmfb_color_matrix)v; break;
		case 1: c->range = (shmfb_color_range)v; break;
		case 2: c->transfer = (shmfb_color_transfer)v; break;
		case 3: c->primaries = (shmfb_color_primaries)v; break;
		default: c->chroma_site = (shmfb_chroma_site)v; break;
		}
		return 0;
	}
	return -2;
}

void app_color_values(const char *option, char *buf, size_t n)
{
	int f = field_of(option);
	size_t len = 0;
	buf[0] = 0;
	for (unsigned v = 1; f >= 0 && v < fields[f].count && len < n; v++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", fields[f].names[v]);
}
