/*
 * slides.c - the pictures of --image: files and directories in order, each
 * shown for --hold, animations played, pictures that fail to load skipped.
 * Each picture is converted into the mapping's format once, then copied.
 */
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "producer.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(struct slides *s, int *cap, char *path)
{
	if (s->count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		char **p = realloc(s->paths, (size_t)*cap * sizeof *p);
		if (!p)
			return -1;
		s->paths = p;
	}
	s->paths[s->count++] = path;
	return 0;
}

struct dir_walk {
	struct slides *s;
	int *cap;
};

static int add_listed(char *path, void *ctx)
{
	struct dir_walk *d = ctx;
	if (add_path(d->s, d->cap, path) < 0) {
		free(path);
		return -1;
	}
	return 0;
}

/* Files of a directory, sorted by name, hidden ones left out. */
static int add_dir(struct slides *s, int *cap, const char *dir)
{
	int first = s->count;
	struct dir_walk d = {s, cap};
	if (os_list_dir(dir, add_listed, &d) < 0) {
		app_warn("%s: %s", dir, os_error());
		return 1;
	}
	qsort(s->paths + first, (size_t)(s->count - first), sizeof *s->paths, by_name);
	if (s->count == first) {
		app_warn("%s: no files in the directory", dir);
		return 1;
	}
	return 0;
}

int slides_init(struct slides *s, const struct options *o, uint64_t frame_bytes)
{
	memset(s, 0, sizeof *s);
	s->current = -1;
	int cap = 0;
	for (int i = 0; i < o->image_count; i++) {
		if (os_is_dir(o->images[i])) {
			if (add_dir(s, &cap, o->images[i]))
				return 1;
		} else {
			char *copy = strdup(o->images[i]);
			if (!copy || add_path(s, &cap, copy) < 0)
				return 1;
		}
	}
	s->bad = calloc((size_t)s->count, sizeof *s->bad);
	s->rgba = malloc((size_t)o->writer.width * o->writer.height * 4);
	s->cached = malloc(frame_bytes);
	if (!s->bad || !s->rgba || !s->cached) {
		app_warn("out of memory");
		return 1;
	}
	return 0;
}

void slides_free(struct slides *s)
{
	image_free(&s->img);
	for (int i = 0; i < s->count; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->bad);
	free(s->rgba);
	free(s->cached);
}

/*
 * Moves to the next picture that loads.  A single picture that fails is an
 * error; in a slideshow the picture is skipped with a warning.  -1 when no
 * picture is left.
 */
int slides_advance(struct slides *s, uint64_t now)
{
	for (int tries = 0; tries < s->count; tries++) {
		int next = (s->current + 1) % s->count;
		s->current = next;
		if (s->bad[next])
			continue;
		if (s->count == 1 && s->img.rgba)
			return 0; /* nothing to change to */
		image_free(&s->img);
		char why[512];
		if (image_load(s->paths[next], &s->img, why, sizeof why) < 0) {
			s->bad[next] = 1;
			if (s->count == 1) {
				app_warn("%s", why);
				return -1;
			}
			app_warn("%s; skipped", why);
			continue;
		}
		s->shown_at = now;
		s->cached_valid = 0;
		return 0;
	}
	if (s->count > 1)
		app_warn("none of the %d pictures could be loaded", s->count);
	return -1;
}

/* The picture due at time t, converted into s->cached. */
int slides_picture(struct slides *s, const struct options *o, uint64_t t)
{
	if (s->current < 0 || (s->count > 1 && t - s->shown_at >= o->hold_ns)) {
		if (slides_advance(s, t) < 0)
			return -1;
	}
	uint32_t frame = image_frame_at(&s->img, (t - s->shown_at) / SHMFB_MS);
	if (!s->cached_valid || frame != s->frame) {
		shmfb_planes p;
		image_fit(&s->img, frame, s->rgba, o->writer.width, o->writer.height);
		planes_of_buffer(s->cached, o->writer.width, o->writer.height, o->writer.format, &p);
		convert_rgba(s->rgba, o->writer.width, o->writer.height, o->writer.format, &p);
		s->frame = frame;
		s->cached_valid = 1;
	}
	return 0;
}
