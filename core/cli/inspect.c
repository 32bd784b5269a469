/*
 * inspect.c - shmfb info, shmfb ls, shmfb rm.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shmfb.h"

static const char *status_word(int st)
{
	switch (st) {
	case 0: return "running";
	case SHMFB_ECLOSED: return "closed";
	case SHMFB_EDEAD: return "dead";
	case SHMFB_ESTALE: return "stale";
	case SHMFB_EREPLACED: return "replaced";
	case SHMFB_EBADSTATE: case SHMFB_EBADLATEST: case SHMFB_EBACKWARDS: case SHMFB_EBADCLAIM:
	case SHMFB_EBADTOTALSIZE: return "corrupt";
	default: return "invalid";
	}
}

static double ms_ago(uint64_t now, uint64_t t)
{
	return t && now >= t ? (double)(now - t) / 1e6 : -1.0;
}

enum arg_kind { ARG_OPERAND, ARG_FLAG, ARG_END_OF_OPTIONS, ARG_UNKNOWN };

/*
 * What argument s is to command cmd, whose one option is `flag`.  After
 * "--" (*ended) every argument is an operand, and "-" always is one.
 * ARG_UNKNOWN comes after the usage error is said.
 */
static enum arg_kind one_flag_arg(const char *cmd, const char *flag, const char *s, int *ended)
{
	if (*ended || s[0] != '-' || !s[1])
		return ARG_OPERAND;
	if (!strcmp(s, "--")) {
		*ended = 1;
		return ARG_END_OF_OPTIONS;
	}
	if (!strcmp(s, flag))
		return ARG_FLAG;
	app_fail(2, "%s: unknown option '%s' (try shmfb %s --help)", cmd, s, cmd);
	return ARG_UNKNOWN;
}

/*
 * `live` 0: a live field is corrupt (or the mapping truncated).  Then only
 * the validated write-once fields are described: the live ones (published
 * frames, heartbeat, audio written, the slots' frames) are left out, since
 * a writer that broke one has left the others meaningless too.
 */
static void print_text(shmfb_reader *r, const char *name, int live)
{
	const shmfb_info *in = shmfb_reader_info(r);
	uint64_t now = shmfb_now_ns();
	printf("name:       %s\n", name);
	printf("format:     %ux%u %s, %llu bytes a frame, %u plane(s)\n", in->width, in->height,
	       shmfb_pixfmt_name(in->format), (unsigned long long)in->layout.frame_bytes,
	       in->layout.plane_count);
	for (uint32_t i = 0; i < in->layout.plane_count; i++)
		printf("  plane %u:  offset %u stride %u rows %u\n", i, in->layout.offset[i],
		       in->layout.stride[i], in->layout.rows[i]);
	if (in->fps_num)
		printf("rate:       %u/%u fps\n", in->fps_num, in->fps_den);
	struct app_color_field c[APP_COLOR_FIELDS];
	app_color_fields(&in->color, c);
	printf("colour:    ");
	for (int i = 0; i < APP_COLOR_FIELDS; i++)
		printf("%s %s %s", i ? "," : "", c[i].field, c[i].value ? c[i].value : "unspecified");
	printf("\n");
	if (in->audio_rate) {
		printf("audio:      %u Hz, %u channel(s), %s, ring of %u frames", in->audio_rate,
		       in->audio_channels, shmfb_sampfmt_name((shmfb_sampfmt)in->audio_format), in->audio_capacity);
		if (live)
			printf(", %llu frames written", (unsigned long long)shmfb_audio_written(r));
		printf("\n");
	}
	printf("mapping:    %llu bytes, version %u, %u slots\n", (unsigned long long)in->total_size,
	       in->version, in->slot_count);
	printf("producer:   pid %u, %s, generation %016llx\n", in->producer_pid,
	       status_word(shmfb_reader_status(r)), (unsigned long long)in->generation);
	if (live) {
		printf("heartbeat:  %.1f ms ago\n", ms_ago(now, shmfb_reader_heartbeat(r)));
		printf("published:  %llu frames\n", (unsigned long long)shmfb_reader_latest_index(r));
	}
	for (uint32_t s = 0; s < in->slot_count; s++) {
		shmfb_frame f;
		int rc = shmfb_reader_slot(r, s, &f);
		printf("  slot %u:   offset %llu size %llu", s, (unsigned long long)in->slot_offset[s],
		       (unsigned long long)in->slot_size[s]);
		if (!live)
			printf("\n");
		else if (rc == 0)
			printf(": frame %llu (#%llu) pts %llu published %.3f ms ago\n",
			       (unsigned long long)f.frame_number, (unsigned long long)f.index,
			       (unsigned long long)f.pts_ns, ms_ago(now, f.publish_ns));
		else
			printf(": %s\n", rc == SHMFB_ENOFRAME ? "empty" : "being written");
	}
}

/* As print_text: with `live` 0 the live values are left out. */
static void print_json(shmfb_reader *r, const char *name, int live)
{
	const shmfb_info *in = shmfb_reader_info(r);
	printf("{\"name\": ");
	app_json_string(stdout, name);
	printf(", \"version\": %u, \"total_size\": %llu, \"width\": %u, \"height\": %u, \"format\": \"%s\"",
	       in->version, (unsigned long long)in->total_size, in->width, in->height,
	       shmfb_pixfmt_name(in->format));
	printf(", \"frame_bytes\": %llu, \"fps_num\": %u, \"fps_den\": %u, \"planes\": [",
	       (unsigned long long)in->layout.frame_bytes, in->fps_num, in->fps_den);
	for (uint32_t i = 0; i < in->layout.plane_count; i++)
		printf("%s{\"offset\": %u, \"stride\": %u, \"rows\": %u}", i ? ", " : "",
		       in->layout.offset[i], in->layout.stride[i], in->layout.rows[i]);
	struct app_color_field c[APP_COLOR_FIELDS];
	app_color_fields(&in->color, c);
	printf("], \"color\": {");
	for (int i = 0; i < APP_COLOR_FIELDS; i++)
		printf("%s\"%s\": %s%s%s", i ? ", " : "", c[i].field, c[i].value ? "\"" : "",
		       c[i].value ? c[i].value : "null", c[i].value ? "\"" : "");
	printf("}, \"producer_pid\": %u, \"state\": \"%s\", \"generation\": \"%016llx\"", in->producer_pid,
	       status_word(shmfb_reader_status(r)), (unsigned long long)in->generation);
	if (in->audio_rate) {
		printf(", \"audio\": {\"rate\": %u, \"channels\": %u, \"format\": \"%s\", \"capacity\": %u",
		       in->audio_rate, in->audio_channels, shmfb_sampfmt_name((shmfb_sampfmt)in->audio_format),
		       in->audio_capacity);
		if (live)
			printf(", \"written\": %llu", (unsigned long long)shmfb_audio_written(r));
		printf("}");
	}
	if (live)
		printf(", \"heartbeat_ns\": %llu, \"published\": %llu", (unsigned long long)shmfb_reader_heartbeat(r),
		       (unsigned long long)shmfb_reader_latest_index(r));
	printf(", \"now_ns\": %llu, \"slots\": [", (unsigned long long)shmfb_now_ns());
	for (uint32_t s = 0; s < in->slot_count; s++) {
		shmfb_frame f;
		int rc = shmfb_reader_slot(r, s, &f);
		printf("%s{\"offset\": %llu, \"size\": %llu", s ? ", " : "", (unsigned long long)in->slot_offset[s],
		       (unsigned long long)in->slot_size[s]);
		if (live)
			printf(", \"state\": \"%s\"", rc == 0 ? "ready" : rc == SHMFB_ENOFRAME ? "empty" : "writing");
		if (live && rc == 0)
			printf(", \"index\": %llu, \"frame_number\": %llu, \"pts_ns\": %llu, \"publish_ns\": %llu",
			       (unsigned long long)f.index, (unsigned long long)f.frame_number,
			       (unsigned long long)f.pts_ns, (unsigned long long)f.publish_ns);
		printf("}");
	}
	printf("]}\n");
}

int cmd_info(int argc, char **argv)
{
	const char *name = NULL;
	int json = 0, ended = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		enum arg_kind k = one_flag_arg("info", "--json", s, &ended);
		if (k == ARG_UNKNOWN)
			return 2;
		if (k == ARG_FLAG)
			json = 1;
		else if (k == ARG_OPERAND && name)
			return app_fail(2, "info: one NAME only (got '%s' and '%s')", name, s);
		else if (k == ARG_OPERAND)
			name = s;
	}
	if (!name)
		return app_fail(2, "usage: shmfb info [--json] NAME");
	if (cli_check_name("info", name))
		return 2;
	shmfb_reader *r;
	if (shmfb_open(name, &r) < 0)
		return app_fail(1, "%s", shmfb_errdetail());
	/* A corrupt live field is a failure: described, then said on stderr. */
	char corrupt[512] = "";
	int st = shmfb_reader_status(r);
	if (!strcmp(status_word(st), "corrupt"))
		snprintf(corrupt, sizeof corrupt, "%s", shmfb_errdetail());
	if (json)
		print_json(r, name, !corrupt[0]);
	else
		print_text(r, name, !corrupt[0]);
	shmfb_reader_close(r);
	fflush(stdout);
	return corrupt[0] ? app_fail(1, "%s", corrupt) : 0;
}

struct ls_ctx {
	int json, count;
};

static void ls_one(const char *name, void *p)
{
	struct ls_ctx *c = p;
	shmfb_reader *r;
	int rc = shmfb_open(name, &r);
	/* Another user's mapping this user may not read is not invalid: say so. */
	const char *state = rc == SHMFB_EACCES ? "denied" : rc < 0 ? "invalid" : status_word(shmfb_reader_status(r));
	if (c->json) {
		printf("%s{\"name\": ", c->count ? ", " : "");
		app_json_string(stdout, name);
		printf(", \"state\": \"%s\"", state);
		if (rc < 0) {
			printf(", \"error\": ");
			app_json_string(stdout, shmfb_errdetail());
		}
		if (rc == 0)
			printf(", \"width\": %u, \"height\": %u, \"format\": \"%s\", \"producer_pid\": %u, \"published\": %llu",
			       shmfb_reader_info(r)->width, shmfb_reader_info(r)->height,
			       shmfb_pixfmt_name(shmfb_reader_info(r)->format),
			       shmfb_reader_info(r)->producer_pid,
			       (unsigned long long)shmfb_reader_latest_index(r));
		printf("}");
	} else if (rc == 0) {
		const shmfb_info *in = shmfb_reader_info(r);
		char size[32];
		snprintf(size, sizeof size, "%ux%u", in->width, in->height);
		printf("%-24s %-9s %-11s %-6s pid %-8u %llu frames\n", name, state, size,
		       shmfb_pixfmt_name(in->format), in->producer_pid,
		       (unsigned long long)shmfb_reader_latest_index(r));
	} else {
		printf("%-24s %-9s %s\n", name, state, shmfb_errdetail());
	}
	c->count++;
	shmfb_reader_close(r);
}

int cmd_ls(int argc, char **argv)
{
	struct ls_ctx c = {0, 0};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			c.json = 1;
		else if (strcmp(argv[i], "--"))
			return app_fail(2, "ls: unexpected argument '%s' (try shmfb ls --help)", argv[i]);
	}
	if (c.json)
		printf("[");
	int rc = shmfb_list(ls_one, &c);
	if (c.json)
		printf("]\n");
	return rc < 0 ? app_fail(1, "ls: %s", shmfb_errdetail()) : 0;
}

struct rm_dead_ctx {
	int status;
};

/* The pid of name's producer if it died without closing, else 0. */
static uint32_t dead_producer(const char *name)
{
	shmfb_reader *r;
	if (shmfb_open(name, &r) < 0)
		return 0; /* not a mapping it may judge: another user's, or not valid */
	uint32_t pid = shmfb_reader_status(r) == SHMFB_EDEAD ? shmfb_reader_info(r)->producer_pid : 0;
	shmfb_reader_close(r);
	return pid;
}

/* Removes name if its producer is dead; the others are left as they are,
 * without a word: rm --dead without names is not asked about them. */
static void rm_if_dead(const char *name, void *p)
{
	struct rm_dead_ctx *c = p;
	uint32_t pid = dead_producer(name);
	if (!pid)
		return;
	int rc = shmfb_unlink_dead(name);
	if (rc == 0)
		printf("removed %s (producer pid %u had died)\n", name, pid);
	else if (rc != SHMFB_EEXIST && rc != SHMFB_ENOENT && rc != SHMFB_EREPLACED) /* taken over meanwhile */
		c->status = app_fail(1, "%s", shmfb_errdetail());
}

/*
 * rm --dead NAME: removes it if its producer is dead.  The user named it, so
 * a name it leaves is said in one line and makes the status 1, as rmdir(1)
 * does with a directory that is not empty: missing or not openable, its
 * producer alive (running or stale) or closed, or the mapping corrupt.
 */
static int rm_named_dead(const char *name)
{
	shmfb_reader *r;
	if (shmfb_open(name, &r) < 0)
		return app_fail(1, "%s", shmfb_errdetail()); /* "NAME: no such mapping", ... */
	int st = shmfb_reader_status(r);
	uint32_t pid = shmfb_reader_info(r)->producer_pid;
	int status = 0;
	if (st == 0 || st == SHMFB_ESTALE)
		status = app_fail(1, "%s: not removed: producer pid %u is %s", name, pid,
				  st ? "alive but stale" : "running");
	else if (st == SHMFB_ECLOSED)
		status = app_fail(1, "%s: not removed: its producer closed it and kept the name"
				     " (plain shmfb rm removes it)", name);
	else if (st != SHMFB_EDEAD)
		status = app_fail(1, "%s (not removed)", shmfb_errdetail());
	shmfb_reader_close(r);
	if (st != SHMFB_EDEAD)
		return status;
	if (shmfb_unlink_dead(name) < 0) /* a producer took it over meanwhile, ... */
		return app_fail(1, "%s (not removed)", shmfb_errdetail());
	printf("removed %s (producer pid %u had died)\n", name, pid);
	return 0;
}

/* rm --dead: the names given, or every name when none is. */
static int rm_dead(int names, char **argv)
{
	struct rm_dead_ctx c = {0};
	if (!names && shmfb_list(rm_if_dead, &c) < 0)
		return app_fail(1, "rm: %s", shmfb_errdetail());
	for (int i = 1; i <= names; i++)
		if (rm_named_dead(argv[i]))
			c.status = 1;
	return c.status;
}

int cmd_rm(int argc, char **argv)
{
	int dead = 0, names = 0, ended = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		enum arg_kind k = one_flag_arg("rm", "--dead", s, &ended);
		if (k == ARG_UNKNOWN || (k == ARG_OPERAND && cli_check_name("rm", s)))
			return 2;
		if (k == ARG_FLAG)
			dead = 1;
		else if (k == ARG_OPERAND)
			argv[++names] = argv[i]; /* the names, in order, from argv[1] */
	}
	if (dead)
		return rm_dead(names, argv);
	if (!names)
		return app_fail(2, "usage: shmfb rm NAME... | shmfb rm --dead [NAME...]");
	int status = 0;
	for (int i = 1; i <= names; i++) {
		if (shmfb_unlink(argv[i]) < 0)
			status = app_fail(1, "%s", shmfb_errdetail());
	}
	return status;
}
