/*
 * producer.c - the smallest useful shmfb producer: a moving gradient with
 * the frame stamp, 30 frames a second into the mapping "sample" until
 * Ctrl-C.
 *
 *   cc samples/producer.c $(pkg-config --cflags --libs shmfb) -o sample-producer
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "shmfb.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "sample";
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 640;
	o.height = 360;
	o.format = SHMFB_FMT_RGBA8;
	o.fps_num = 30;
	o.fps_den = 1;
	shmfb_writer *w;
	if (shmfb_create(name, &o, &w) < 0) {
		fprintf(stderr, "sample-producer: %s\n", shmfb_errdetail());
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("publishing %s, 640x360 rgba at 30 fps; Ctrl-C stops\n", name);

	uint64_t start = shmfb_now_ns();
	for (uint64_t n = 0; !stop; n++) {
		/* Absolute deadlines: frame n is due at start + n/30 s, no drift. */
		uint64_t due = start + n * SHMFB_SEC / 30;
		struct timespec ts = {(time_t)(due / SHMFB_SEC), (long)(due % SHMFB_SEC)};
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		shmfb_planes p;
		shmfb_writer_acquire(w, &p); /* draw straight into the slot */
		for (uint32_t y = 0; y < o.height; y++) {
			uint8_t *row = p.data[0] + (size_t)y * p.stride[0];
			for (uint32_t x = 0; x < o.width; x++) {
				row[x * 4 + 0] = (uint8_t)(x + n * 4);
				row[x * 4 + 1] = (uint8_t)y;
				row[x * 4 + 2] = (uint8_t)(n * 2);
				row[x * 4 + 3] = 255;
			}
		}
		shmfb_stamp s = {n, shmfb_now_ns()};
		shmfb_stamp_draw_rgba(p.data[0], o.width, o.height, p.stride[0], &s);
		shmfb_writer_publish(w, n, due);
	}
	shmfb_writer_close(w); /* readers see "closed"; the name goes away */
	return 0;
}
