/*
 * options.c - shmfb-producer's command line: --help, each option's value
 * checked with a one-line error naming it (exit status 2), and the
 * combinations that make no sense.  The options start from the library's
 * defaults (shmfb_writer_options_init) and the producer's own 60 fps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "producer.h"

/*
 * "  --option ARG        text", the text wrapped at 79 columns with its
 * lines from column 22 (the layout mk/man.sh reads); an option too long
 * for its column has the text on the lines below.
 */
static void usage_option(FILE *f, const char *option, const char *text)
{
	int col = fprintf(f, "  %s", option);
	while (*text) {
		if (col >= 22) {
			fputc('\n', f);
			col = 0;
		}
		col += fprintf(f, "%*s", 22 - col, "");
		size_t n = strlen(text);
		if (n > 79 - 22) { /* break at the last space that fits */
			n = 79 - 22;
			while (n && text[n] != ' ')
				n--;
		}
		col += fprintf(f, "%.*s", (int)n, text);
		text += n + (text[n] == ' ');
	}
	fputc('\n', f);
}

/* The colour options: ffmpeg's, with the values app_color_set takes. */
static void usage_color(FILE *f)
{
	static const struct {
		const char *option, *ffmpeg, *what;
	} c[] = {
		{"--colorspace M", "-colorspace", "what the values mean, in ffmpeg's words (default: "
		 "unspecified): the matrix,"},
		{"--color-range R", "-color_range", "the range (tv: limited, pc: full),"},
		{"--color-trc T", "-color_trc", "the transfer,"},
		{"--color-primaries P", "-color_primaries", "the primaries,"},
		{"--chroma-sample-location L", "-chroma_sample_location", "nv12, i420, yuyv: the chroma site,"},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char values[200], text[400];
		app_color_values(c[i].ffmpeg, values, sizeof values);
		snprintf(text, sizeof text, "%s one of %s", c[i].what, values);
		usage_option(f, c[i].option, text);
	}
}

static void usage(FILE *f)
{
	shmfb_writer_options d; /* the library's defaults, where the options start */
	shmfb_writer_options_init(&d);
	fprintf(f,
		"usage: " PROG " [options] NAME\n"
		"Publishes frames into the shmfb mapping NAME.\n\noptions:\n"
		"  --size WxH          frame size (default %ux%u)\n"
		"  --format F          rgba, bgra, rgb24, gray8, nv12, i420 or yuyv (default %s)\n"
		"  --fps N             frames a second, may be decimal (default 60; 0 = as fast as possible)\n"
		"  --frames N          stop after N frames\n"
		"  --replace           take the name over even from a running producer\n"
		"  --keep              leave the name in place at exit\n"
		"  --mode OCTAL        permissions of the mapping (default %04o; e.g. 0640, 0644)\n"
		"source (one of):\n"
		"  --pattern NAME      bars, gradient or checker with a frame stamp (default: bars)\n"
		"  --image FILE|DIR    pictures stb_image reads; repeatable; a slideshow\n"
		"  --hold SECONDS      how long each picture of a slideshow shows (default 5)\n"
		"  --raw               frames of exactly the mapping's size and format on stdin,\n"
		"                      e.g. ffmpeg ... -f rawvideo -pix_fmt rgba - | " PROG " --raw NAME\n"
		"--raw input (docs/PRODUCER.md):\n"
		"  --row-align N       each row of a plane padded to a multiple of N bytes (a power\n"
		"                      of two up to %u; 4: GStreamer's raw video), on stdin and in\n"
		"                      the mapping (default: tight rows, ffmpeg's rawvideo)\n",
		d.width, d.height, shmfb_pixfmt_name(d.format), d.mode, SHMFB_MAX_ROW_ALIGN);
	usage_color(f);
	fprintf(f,
		"audio (docs/PRODUCER.md):\n"
		"  --audio tone[=HZ]   a sine at HZ (default 440), half full scale\n"
		"  --audio wav=FILE    a PCM WAV file (16-bit or float), looped\n"
		"  --audio-rate HZ     sample rate (default 48000; a WAV's own)\n"
		"  --audio-channels N  channels of the tone, 1 to 8 (default 2)\n"
		"  --audio-format F    s16 or f32 (default s16)\n"
		"  --av-sync           with --pattern: a white frame and a click in the audio\n"
		"                      at the same instant once a second\n"
		"other:\n"
		"  -h, --help          this text\n"
		"  --                  end of the options: what follows is the NAME\n\n"
		"Exit status: 0 success, 1 failure at run time, 2 usage error.\n");
}

/* A whole decimal number without sign; -1 when it is not one or is over max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -2; /* over max */
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

static int parse_size(const char *arg, struct options *o)
{
	const char *x = strchr(arg, 'x');
	if (!x)
		x = strchr(arg, 'X');
	char wpart[32];
	if (!x || (size_t)(x - arg) >= sizeof wpart)
		return app_fail(2, "--size %s: expected WIDTHxHEIGHT, e.g. 1280x720", arg);
	memcpy(wpart, arg, (size_t)(x - arg));
	wpart[x - arg] = 0;
	const char *parts[2] = {wpart, x + 1}, *what[2] = {"width", "height"};
	uint64_t v[2];
	for (int i = 0; i < 2; i++) {
		int rc = parse_u64(parts[i], SHMFB_MAX_DIM, &v[i]);
		if (rc == -2)
			return app_fail(2, "--size %s: %s is limited to %d", arg, what[i], SHMFB_MAX_DIM);
		if (rc < 0)
			return app_fail(2, "--size %s: %s '%s' is not a whole number", arg, what[i], parts[i]);
		if (v[i] == 0)
			return app_fail(2, "--size %s: %s must be at least 1", arg, what[i]);
	}
	o->writer.width = (uint32_t)v[0];
	o->writer.height = (uint32_t)v[1];
	return 0;
}

/* "30", "29.97", "0": a rate as num/den (den a power of ten). */
static int parse_fps(const char *arg, struct options *o)
{
	if (*arg == '-')
		return app_fail(2, "--fps %s: must not be negative", arg);
	uint64_t whole = 0, frac = 0, den = 1;
	const char *dot = strchr(arg, '.');
	char ipart[24];
	size_t ilen = dot ? (size_t)(dot - arg) : strlen(arg);
	if (ilen == 0 || ilen >= sizeof ipart)
		return app_fail(2, "--fps %s: expected a number of frames a second, e.g. 30", arg);
	memcpy(ipart, arg, ilen);
	ipart[ilen] = 0;
	if (parse_u64(ipart, 1000000, &whole) < 0)
		return app_fail(2, "--fps %s: expected a number from 0 to 1000000", arg);
	if (dot) {
		const char *f = dot + 1;
		if (!*f || strlen(f) > 3 || parse_u64(f, 999, &frac) < 0)
			return app_fail(2, "--fps %s: at most 3 decimals", arg);
		for (size_t i = 0; i < strlen(f); i++)
			den *= 10;
	}
	uint64_t num = whole * den + frac;
	if (num == 0) {
		o->writer.fps_num = 0;
		o->writer.fps_den = 1;
	} else {
		o->writer.fps_num = (uint32_t)num;
		o->writer.fps_den = (uint32_t)den;
	}
	return 0;
}

static int parse_hold(const char *arg, struct options *o)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (*arg == '-' || errno || *end || end == arg || !(v > 0) || v > 1e6)
		return app_fail(2, "--hold %s: expected seconds greater than 0, e.g. 2.5", arg);
	o->hold_ns = (uint64_t)(v * 1e9);
	o->hold_set = 1;
	return 0;
}

/* Permission bits: octal, at most 0777, owner read and write. */
static int parse_mode(const char *arg, struct options *o)
{
	uint32_t v = 0;
	const char *s = arg;
	if (!*s)
		return app_fail(2, "--mode: expected octal permissions, e.g. 0640");
	for (; *s; s++) {
		if (*s < '0' || *s > '7' || v > 0777)
			break;
		v = v * 8 + (uint32_t)(*s - '0');
	}
	if (*s)
		return app_fail(2, "--mode %s: expected octal permissions, e.g. 0640", arg);
	if (v > 0777)
		return app_fail(2, "--mode %s: only permission bits (at most 0777)", arg);
	if ((v & 0600) != 0600)
		return app_fail(2, "--mode %s: the owner needs read and write (0600)", arg);
	if (!os_has_permission_bits())
		app_warn("--mode %s: mappings here have no permission bits; the session's default security applies", arg);
	o->writer.mode = v;
	return 0;
}

/* "tone", "tone=HZ" (up to 3 decimals), "wav=FILE". */
static int parse_audio(const char *arg, struct options *o)
{
	struct audio_options *a = &o->audio;
	if (!strncmp(arg, "wav=", 4) && arg[4]) {
		a->kind = AUDIO_WAV;
		a->wav_path = arg + 4;
		return 0;
	}
	if (strcmp(arg, "tone") && strncmp(arg, "tone=", 5))
		return app_fail(2, "--audio %s: expected tone, tone=HZ or wav=FILE", arg);
	a->kind = AUDIO_TONE;
	a->tone_mhz = 440000;
	if (!arg[4])
		return 0;
	const char *v = arg + 5, *dot = strchr(v, '.');
	char whole[16];
	size_t wlen = dot ? (size_t)(dot - v) : strlen(v);
	uint64_t hz, frac = 0;
	if (wlen == 0 || wlen >= sizeof whole)
		return app_fail(2, "--audio %s: expected a frequency in Hz, e.g. tone=1000", arg);
	memcpy(whole, v, wlen);
	whole[wlen] = 0;
	if (parse_u64(whole, SHMFB_AUDIO_MAX_RATE, &hz) < 0)
		return app_fail(2, "--audio %s: expected a frequency in Hz, e.g. tone=1000", arg);
	if (dot) {
		size_t flen = strlen(dot + 1);
		if (flen == 0 || flen > 3 || parse_u64(dot + 1, 999, &frac) < 0)
			return app_fail(2, "--audio %s: at most 3 decimals", arg);
		for (size_t i = flen; i < 3; i++)
			frac *= 10;
	}
	a->tone_mhz = hz * 1000 + frac;
	return 0;
}

static int parse_audio_number(const char *opt, const char *v, uint64_t min, uint64_t max, uint32_t *out)
{
	uint64_t x;
	if (parse_u64(v, UINT32_MAX, &x) < 0 || x < min || x > max)
		return app_fail(2, "%s %s: expected a whole number from %llu to %llu", opt, v,
			   (unsigned long long)min, (unsigned long long)max);
	*out = (uint32_t)x;
	return 0;
}

/* Combinations of the audio options that make no sense. */
static int check_audio(struct options *o)
{
	struct audio_options *a = &o->audio;
	if (a->av_sync) {
		if (o->source != SOURCE_PATTERN)
			return app_fail(2, "--av-sync needs the pattern source (not --image or --raw)");
		if (!o->writer.fps_num)
			return app_fail(2, "--av-sync needs a frame rate (not --fps 0)");
		if (a->kind == AUDIO_NONE) {
			a->kind = AUDIO_TONE;
			a->tone_mhz = 440000;
		}
		a->fps_num = o->writer.fps_num;
		a->fps_den = o->writer.fps_den;
	}
	if (a->kind == AUDIO_NONE && o->audio_opt_set)
		return app_fail(2, "--audio-rate, --audio-channels and --audio-format need --audio");
	if (a->kind == AUDIO_WAV && a->channels)
		return app_fail(2, "--audio-channels is for the tone; a WAV file has its own");
	return 0;
}

/* --row-align N: 1 (tight) or a power of two up to SHMFB_MAX_ROW_ALIGN. */
static int parse_row_align(const char *arg, struct options *o)
{
	uint64_t v;
	if (parse_u64(arg, SHMFB_MAX_ROW_ALIGN, &v) < 0 || v == 0 || (v & (v - 1)))
		return app_fail(2, "--row-align %s: expected a power of two from 1 to %d", arg, SHMFB_MAX_ROW_ALIGN);
	o->writer.row_align = (uint32_t)v;
	snprintf(o->raw_opt, sizeof o->raw_opt, "--row-align");
	return 0;
}

/* --colorspace bt709 and the like: ffmpeg's option, with "-" for "_", and its value. */
static int parse_color(const char *opt, const char *arg, struct options *o)
{
	char ffmpeg_opt[40];
	snprintf(ffmpeg_opt, sizeof ffmpeg_opt, "%s", opt + 1);
	for (char *c = ffmpeg_opt + 1; *c; c++)
		*c = *c == '-' ? '_' : *c;
	int rc = app_color_set(&o->writer.color, ffmpeg_opt, arg);
	if (rc == -1)
		return 0; /* not a colour option */
	if (rc < 0) {
		char values[200];
		app_color_values(ffmpeg_opt, values, sizeof values);
		return app_fail(2, "%s %s: unknown value (ffmpeg's %s values: %s)", opt, arg, ffmpeg_opt, values);
	}
	snprintf(o->raw_opt, sizeof o->raw_opt, "%s", opt);
	return 1;
}

static int set_source(struct options *o, enum source_kind k, const char *opt)
{
	if (o->source_set && o->source != k)
		return app_fail(2, "%s: only one source (--pattern, --image or --raw) at a time", opt);
	o->source = k;
	o->source_set = 1;
	return 0;
}

/* Splits "--opt=value"; takes the value from the next argument otherwise. */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
	const char *eq = strchr(argv[*i], '=');
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc) {
		app_fail(2, "%s needs a value", opt);
		return NULL;
	}
	return argv[++*i];
}

int options_parse(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	shmfb_writer_options_init(&o->writer); /* the library's defaults */
	o->writer.fps_num = 60; /* a steady 60 fps where the library would not pace */
	o->writer.fps_den = 1;
	o->hold_ns = 5 * (uint64_t)SHMFB_SEC;
	o->images = calloc((size_t)argc, sizeof *o->images);
	if (!o->images)
		return app_fail(2, "out of memory");
	int ended = 0;
	for (int i = 1; i < argc; i++) {
		char opt[32];
		const char *a = argv[i];
		if (!ended && !strcmp(a, "--")) {
			ended = 1;
			continue;
		}
		if (ended || a[0] != '-' || !a[1]) {
			if (o->name)
				return app_fail(2, "one NAME only (got '%s' and '%s')", o->name, a);
			o->name = a;
			continue;
		}
		size_t len = strcspn(a, "=");
		snprintf(opt, sizeof opt, "%.*s", (int)(len < sizeof opt - 1 ? len : sizeof opt - 1), a);
		const char *v = NULL;
		int rc = 0;
		int takes_value = !strcmp(opt, "--size") || !strcmp(opt, "--format") ||
				  !strcmp(opt, "--fps") || !strcmp(opt, "--frames") ||
				  !strcmp(opt, "--pattern") || !strcmp(opt, "--image") ||
				  !strcmp(opt, "--hold") || !strcmp(opt, "--mode") ||
				  !strcmp(opt, "--audio") || !strcmp(opt, "--audio-rate") ||
				  !strcmp(opt, "--audio-channels") || !strcmp(opt, "--audio-format") ||
				  !strcmp(opt, "--row-align") || !strcmp(opt, "--colorspace") ||
				  !strcmp(opt, "--color-range") || !strcmp(opt, "--color-trc") ||
				  !strcmp(opt, "--color-primaries") || !strcmp(opt, "--chroma-sample-location");
		if (takes_value && !(v = option_value(argc, argv, &i, opt)))
			return 2;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(opt, "--size")) {
			rc = parse_size(v, o);
		} else if (!strcmp(opt, "--format")) {
			o->writer.format = shmfb_pixfmt_from_name(v);
			if (o->writer.format == SHMFB_FMT_NONE)
				rc = app_fail(2, "--format %s: unknown format (rgba, bgra, rgb24, gray8, nv12, i420, yuyv)", v);
		} else if (!strcmp(opt, "--fps")) {
			rc = parse_fps(v, o);
		} else if (!strcmp(opt, "--frames")) {
			if (parse_u64(v, UINT64_MAX, &o->frames) < 0 || o->frames == 0)
				rc = app_fail(2, "--frames %s: expected a whole number of at least 1", v);
		} else if (!strcmp(opt, "--hold")) {
			rc = parse_hold(v, o);
		} else if (!strcmp(opt, "--mode")) {
			rc = parse_mode(v, o);
		} else if (!strcmp(opt, "--row-align")) {
			rc = parse_row_align(v, o);
		} else if (v && (rc = parse_color(opt, v, o)) != 0) {
			rc = rc == 1 ? 0 : rc;
		} else if (!strcmp(opt, "--audio")) {
			rc = parse_audio(v, o);
		} else if (!strcmp(opt, "--audio-rate")) {
			rc = parse_audio_number(opt, v, SHMFB_AUDIO_MIN_RATE, SHMFB_AUDIO_MAX_RATE, &o->audio.rate);
			o->audio_opt_set = 1;
		} else if (!strcmp(opt, "--audio-channels")) {
			rc = parse_audio_number(opt, v, 1, SHMFB_AUDIO_MAX_CHANNELS, &o->audio.channels);
			o->audio_opt_set = 1;
		} else if (!strcmp(opt, "--audio-format")) {
			o->audio.format = shmfb_sampfmt_from_name(v);
			if (o->audio.format == SHMFB_SAMPLE_NONE)
				rc = app_fail(2, "--audio-format %s: expected s16 or f32", v);
			o->audio_opt_set = 1;
		} else if (!strcmp(a, "--av-sync")) {
			o->audio.av_sync = 1;
		} else if (!strcmp(opt, "--pattern")) {
			rc = set_source(o, SOURCE_PATTERN, "--pattern");
			if (!rc && pattern_from_name(v, &o->pattern) < 0)
				rc = app_fail(2, "--pattern %s: unknown pattern (bars, gradient, checker)", v);
		} else if (!strcmp(opt, "--image")) {
			rc = set_source(o, SOURCE_IMAGE, "--image");
			o->images[o->image_count++] = (char *)v;
		} else if (!strcmp(a, "--raw")) {
			rc = set_source(o, SOURCE_RAW, "--raw");
		} else if (!strcmp(a, "--replace")) {
			o->writer.flags |= SHMFB_CREATE_REPLACE;
		} else if (!strcmp(a, "--keep")) {
			o->writer.flags |= SHMFB_CREATE_KEEP;
		} else {
			rc = app_fail(2, "unknown option '%s' (try --help)", a);
		}
		if (rc)
			return rc;
	}
	if (!o->name)
		return app_fail(2, "no mapping NAME given (usage: " PROG " [options] NAME)");
	if (shmfb_name_check(o->name) < 0)
		return app_fail(2, "%s", shmfb_errdetail());
	if (o->hold_set && o->source != SOURCE_IMAGE)
		return app_fail(2, "--hold is only for --image");
	/* The pattern and pictures are the producer's own: it knows their colour. */
	if (o->raw_opt[0] && o->source != SOURCE_RAW)
		return app_fail(2, "%s is only for --raw (the pattern and pictures have the producer's own layout and colour)",
				o->raw_opt);
	int rc = check_audio(o);
	if (rc)
		return rc;
	int even_w = o->writer.format == SHMFB_FMT_NV12 || o->writer.format == SHMFB_FMT_I420 ||
		     o->writer.format == SHMFB_FMT_YUYV;
	int even_h = o->writer.format == SHMFB_FMT_NV12 || o->writer.format == SHMFB_FMT_I420;
	if ((even_w && (o->writer.width & 1)) || (even_h && (o->writer.height & 1)))
		return app_fail(2, "--size %ux%u: %s needs an even %s", o->writer.width, o->writer.height,
			   shmfb_pixfmt_name(o->writer.format), even_w && (o->writer.width & 1) ? "width" : "height");
	shmfb_layout l;
	if (shmfb_layout_compute_aligned(o->writer.width, o->writer.height, o->writer.format, o->writer.row_align,
					 &l) < 0)
		return app_fail(2, "--size %ux%u --format %s: %s", o->writer.width, o->writer.height,
			   shmfb_pixfmt_name(o->writer.format), shmfb_errdetail());
	return 0;
}
