/*
 * color.c - a mapping's colour description in ffmpeg's words: the values of
 * its -colorspace, -color_range, -color_trc, -color_primaries and
 * -chroma_sample_location options.  shmfb cat --info passes them on, so
 * ffmpeg decodes YUV with the matrix and range the producer used (told
 * nothing, it assumes BT.601); shmfb info shows the same words.
 */
#include <stdio.h>

#include "cli.h"

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

/* The name of value v in a table of n, NULL for 0 (unspecified) or out of range. */
static const char *name_in(const char *const *names, unsigned n, unsigned v)
{
	return v < n ? names[v] : NULL;
}

#define NAME(table, v) name_in(table, sizeof table / sizeof table[0], (unsigned)(v))

void cli_color_fields(const shmfb_color *c, struct cli_color_field out[CLI_COLOR_FIELDS])
{
	const struct cli_color_field f[CLI_COLOR_FIELDS] = {
		{"matrix", "-colorspace", NAME(matrix_names, c->matrix)},
		{"range", "-color_range", NAME(range_names, c->range)},
		{"transfer", "-color_trc", NAME(transfer_names, c->transfer)},
		{"primaries", "-color_primaries", NAME(primaries_names, c->primaries)},
		{"chroma_site", "-chroma_sample_location", NAME(chroma_names, c->chroma_site)},
	};
	for (int i = 0; i < CLI_COLOR_FIELDS; i++)
		out[i] = f[i];
}
