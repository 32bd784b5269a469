/*
 * test_producer_posix.c - shmfb-producer as a real process, every source in
 * every pixel format, its frames read back through the library:
 *
 *   pattern  the stamp decodes to the frame's own number and a time just
 *            before its publish; the colour bars hold the values of the
 *            test's own BT.709 conversion (doubles) within 1
 *   image    a PPM the test writes, converted pixel by pixel the same way;
 *            a smaller BMP letterboxed on black
 *   raw      frames from a pipe published bit-exact and in order; a short
 *            final frame reported and not published
 *   signals  SIGTERM closes the mapping and removes the name
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"
#include "shmfb.h"
#include "test.h"
#include "util.h"

static const shmfb_pixfmt all_formats[] = {
	SHMFB_FMT_RGBA8, SHMFB_FMT_BGRA8, SHMFB_FMT_RGB24, SHMFB_FMT_GRAY8,
	SHMFB_FMT_NV12,  SHMFB_FMT_I420,  SHMFB_FMT_YUYV,
};
#define NFORMATS (sizeof all_formats / sizeof all_formats[0])

/* Copies the first frame newer than `after` into buf. */
static void next_frame(shmfb_reader *r, uint64_t after, uint8_t *buf, size_t size, shmfb_frame *f)
{
	for (int i = 0; i < 100; i++) {
		int rc = shmfb_reader_wait(r, after, 5 * SHMFB_SEC, 0);
		if (rc != 0)
			FAIL_AT("waiting for a frame after %llu: %s", (unsigned long long)after,
				shmfb_errdetail());
		rc = shmfb_reader_copy_latest(r, buf, size, f);
		if (rc == 0 && f->index > after)
			return;
	}
	FAIL_AT("no frame after %llu", (unsigned long long)after);
}

/* ------------------------------------------------ the test's own conversion */

struct yuv { double y, cb, cr; };

static struct yuv bt709_limited(double r, double g, double b)
{
	double ey = 0.2126 * r + 0.7152 * g + 0.0722 * b; /* 0..255 */
	struct yuv o;
	o.y = 16 + 219 * ey / 255;
	o.cb = 128 + 224 * ((b - ey) / 1.8556) / 255;
	o.cr = 128 + 224 * ((r - ey) / 1.5748) / 255;
	return o;
}

static void expect_near(int got, double want, const char *what, uint32_t x, uint32_t y)
{
	if (fabs(got - want) > 1.0)
		FAIL_AT("%s at (%u,%u): got %d, want %.2f", what, x, y, got, want);
}

/*
 * Checks pixel (x, y) of a frame in format f against the RGB (mean of the
 * 2x2 or 2x1 block for chroma; the caller picks x, y even and blocks of one
 * colour, or passes the block's mean in cr/cg/cb).
 */
static void check_pixel(const uint8_t *frame, uint32_t w, uint32_t h, shmfb_pixfmt f,
			uint32_t x, uint32_t y, const uint8_t rgb[3], const double cmean[3])
{
	const char *fmt = shmfb_pixfmt_name(f);
	struct yuv luma = bt709_limited(rgb[0], rgb[1], rgb[2]);
	struct yuv chroma = bt709_limited(cmean[0], cmean[1], cmean[2]);
	const uint8_t *p;
	switch (f) {
	case SHMFB_FMT_RGBA8:
	case SHMFB_FMT_BGRA8:
		p = frame + ((size_t)y * w + x) * 4;
		for (int c = 0; c < 3; c++)
			expect_near(p[f == SHMFB_FMT_BGRA8 ? 2 - c : c], rgb[c], fmt, x, y);
		expect_near(p[3], 255, fmt, x, y);
		break;
	case SHMFB_FMT_RGB24:
		p = frame + ((size_t)y * w + x) * 3;
		for (int c = 0; c < 3; c++)
			expect_near(p[c], rgb[c], fmt, x, y);
		break;
	case SHMFB_FMT_GRAY8:
		expect_near(frame[(size_t)y * w + x], 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2],
			    fmt, x, y);
		break;
	case SHMFB_FMT_YUYV:
		p = frame + (size_t)y * w * 2 + (size_t)(x & ~1u) * 2;
		expect_near(p[(x & 1) ? 2 : 0], luma.y, "yuyv Y", x, y);
		expect_near(p[1], chroma.cb, "yuyv U", x, y);
		expect_near(p[3], chroma.cr, "yuyv V", x, y);
		break;
	case SHMFB_FMT_NV12:
	case SHMFB_FMT_I420: {
		expect_near(frame[(size_t)y * w + x], luma.y, "Y", x, y);
		const uint8_t *c = frame + (size_t)w * h;
		size_t ci = (size_t)(y / 2) * (w / 2) + x / 2;
		if (f == SHMFB_FMT_NV12) {
			expect_near(c[ci * 2], chroma.cb, "nv12 U", x, y);
			expect_near(c[ci * 2 + 1], chroma.cr, "nv12 V", x, y);
		} else {
			expect_near(c[ci], chroma.cb, "i420 U", x, y);
			expect_near(c[(size_t)(w / 2) * (h / 2) + ci], chroma.cr, "i420 V", x, y);
		}
		break;
	}
	default:
		FAIL_AT("format %d", (int)f);
	}
}

static size_t frame_size(uint32_t w, uint32_t h, shmfb_pixfmt f)
{
	shmfb_layout l;
	ASSERT_OK(shmfb_layout_compute(w, h, f, &l));
	return (size_t)l.frame_bytes;
}

/* ---------------------------------------------------------------- pattern */

static void test_pattern(shmfb_pixfmt f)
{
	const uint32_t w = 320, h = 240;
	const char *name = NULL;
	char nm[64], err[300];
	snprintf(nm, sizeof nm, "t-prod-pat-%d-%d", (int)getpid(), (int)f);
	name = nm;
	snprintf(err, sizeof err, "%s/pattern.err", test_tmpdir());
	const char *args[] = {"--size", "320x240", "--format", shmfb_pixfmt_name(f), "--fps", "30",
			      name, NULL};
	pid_t pid = prog_spawn(args, -1, err);
	shmfb_reader *r = prog_open_when_ready(name);
	size_t size = frame_size(w, h, f);
	uint8_t *buf = malloc(size);
	ASSERT(buf);
	shmfb_frame fr = {0};
	for (int i = 0; i < 3; i++) {
		next_frame(r, fr.index, buf, size, &fr);
		shmfb_stamp st;
		int rc = shmfb_stamp_decode(buf, w, h, fr.stride[0], f, &st);
		if (rc != 0)
			FAIL_AT("%s: frame %llu: %s", shmfb_pixfmt_name(f),
				(unsigned long long)fr.frame_number, shmfb_errdetail());
		ASSERT_EQ(st.frame_number, fr.frame_number);
		/* Stamped just before it was published. */
		ASSERT_LE(st.time_ns, fr.publish_ns);
		ASSERT_LT(fr.publish_ns - st.time_ns, SHMFB_SEC);
		/* The eight bars, 100% colours, at a row clear of box, text and ramp. */
		static const uint8_t bars[8][3] = {
			{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
			{255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0},
		};
		for (int b = 0; b < 8; b++) {
			double mean[3] = {bars[b][0], bars[b][1], bars[b][2]};
			check_pixel(buf, w, h, f, (uint32_t)b * 40 + 20, 170, bars[b], mean);
		}
	}
	/* SIGTERM: exit 0, state closed, name gone. */
	kill(pid, SIGTERM);
	ASSERT_EQ(prog_wait(pid), 0);
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_ECLOSED);
	shmfb_reader *again;
	ASSERT_EQ(shmfb_open(name, &again), SHMFB_ENOENT);
	shmfb_reader_close(r);
	free(buf);
}

/* ----------------------------------------------------------------- images */

static void write_ppm(const char *path, uint32_t w, uint32_t h, const uint8_t *rgb)
{
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	ASSERT_EQ(fwrite(rgb, 3, (size_t)w * h, f), (size_t)w * h);
	fclose(f);
}

/* 24-bit BMP, bottom-up rows padded to 4 bytes. */
static void write_bmp(const char *path, uint32_t w, uint32_t h, const uint8_t *rgb)
{
	uint32_t row = (w * 3 + 3) & ~3u, size = 54 + row * h;
	uint8_t hd[54] = {'B', 'M'};
	uint32_t fields[][2] = {{2, size}, {10, 54}, {14, 40}, {18, w}, {22, h}, {34, row * h}};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		for (int b = 0; b < 4; b++)
			hd[fields[i][0] + b] = (uint8_t)(fields[i][1] >> (8 * b));
	hd[26] = 1;  /* planes */
	hd[28] = 24; /* bits per pixel */
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	fwrite(hd, 1, sizeof hd, f);
	uint8_t pad[4] = {0};
	for (uint32_t y = h; y-- > 0;) {
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
			uint8_t bgr[3] = {p[2], p[1], p[0]};
			fwrite(bgr, 1, 3, f);
		}
		fwrite(pad, 1, row - w * 3, f);
	}
	fclose(f);
}

static uint8_t *read_one_frame(const char *name, shmfb_pixfmt f, uint32_t w, uint32_t h,
			       const char *const *args, const char *err)
{
	pid_t pid = prog_spawn(args, -1, err);
	shmfb_reader *r = prog_open_when_ready(name);
	size_t size = frame_size(w, h, f);
	uint8_t *buf = malloc(size);
	ASSERT(buf);
	shmfb_frame fr;
	next_frame(r, 0, buf, size, &fr);
	kill(pid, SIGINT);
	ASSERT_EQ(prog_wait(pid), 0);
	shmfb_reader_close(r);
	return buf;
}

static void test_image(shmfb_pixfmt f)
{
	const uint32_t w = 64, h = 48;
	char name[64], ppm[300], bmp[300], err[300];
	snprintf(name, sizeof name, "t-prod-img-%d-%d", (int)getpid(), (int)f);
	snprintf(ppm, sizeof ppm, "%s/random.ppm", test_tmpdir());
	snprintf(bmp, sizeof bmp, "%s/solid.bmp", test_tmpdir());
	snprintf(err, sizeof err, "%s/image.err", test_tmpdir());
	/* Exactly the mapping's size: every pixel converted, none scaled. */
	uint8_t rgb[64 * 48 * 3];
	for (size_t i = 0; i < sizeof rgb; i++)
		rgb[i] = (uint8_t)rand();
	write_ppm(ppm, w, h, rgb);
	const char *args[] = {"--size", "64x48", "--format", shmfb_pixfmt_name(f), "--fps", "30",
			      "--image", ppm, name, NULL};
	uint8_t *frame = read_one_frame(name, f, w, h, args, err);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			/* Chroma covers 2x2 (4:2:0) or 2x1 (4:2:2) pixels: their mean. */
			uint32_t bx = x & ~1u, by = y & ~1u, rows = 2;
			if (f == SHMFB_FMT_YUYV)
				by = y, rows = 1;
			double mean[3] = {0, 0, 0};
			for (uint32_t dy = 0; dy < rows; dy++)
				for (uint32_t dx = 0; dx < 2; dx++)
					for (int c = 0; c < 3; c++)
						mean[c] += rgb[((size_t)(by + dy) * w + bx + dx) * 3 + c] /
							   (2.0 * rows);
			check_pixel(frame, w, h, f, x, y, rgb + ((size_t)y * w + x) * 3, mean);
		}
	free(frame);
	/* 32x12 into 64x48: scaled to 64x24, black bars of 12 rows above and below. */
	uint8_t solid[32 * 12 * 3];
	for (size_t i = 0; i < sizeof solid; i += 3)
		solid[i] = 200, solid[i + 1] = 100, solid[i + 2] = 50;
	write_bmp(bmp, 32, 12, solid);
	const char *args2[] = {"--size", "64x48", "--format", shmfb_pixfmt_name(f), "--fps", "30",
			       "--image", bmp, name, NULL};
	frame = read_one_frame(name, f, w, h, args2, err);
	static const uint8_t black[3] = {0, 0, 0};
	static const double black_mean[3] = {0, 0, 0}, solid_mean[3] = {200, 100, 50};
	for (uint32_t y = 0; y < h; y += 2)
		for (uint32_t x = 0; x < w; x += 2) {
			int inside = y >= 12 && y < 36;
			check_pixel(frame, w, h, f, x, y, inside ? solid : black,
				    inside ? solid_mean : black_mean);
		}
	free(frame);
}

/* ------------------------------------------------------------------- raw */

static void test_raw(shmfb_pixfmt f)
{
	const uint32_t w = 96, h = 64;
	char name[64], err[300];
	snprintf(name, sizeof name, "t-prod-raw-%d-%d", (int)getpid(), (int)f);
	snprintf(err, sizeof err, "%s/raw.err", test_tmpdir());
	size_t size = frame_size(w, h, f);
	enum { FRAMES = 4 };
	uint8_t *sent = malloc(size * FRAMES), *got = malloc(size);
	ASSERT(sent && got);
	for (size_t i = 0; i < size * FRAMES; i++)
		sent[i] = (uint8_t)rand();
	char sz[32];
	snprintf(sz, sizeof sz, "%ux%u", w, h);
	int fds[2];
	ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0); /* the producer must not hold the write end */
	const char *args[] = {"--size", sz, "--format", shmfb_pixfmt_name(f), "--fps", "20", "--raw",
			      name, NULL};
	pid_t pid = prog_spawn(args, fds[0], err);
	close(fds[0]);
	shmfb_reader *r = prog_open_when_ready(name);
	shmfb_frame fr = {0};
	for (int i = 0; i < FRAMES; i++) {
		ASSERT_EQ(write(fds[1], sent + size * i, size), (ssize_t)size);
		next_frame(r, fr.index, got, size, &fr);
		ASSERT_EQ(fr.index, i + 1);
		ASSERT_EQ(fr.frame_number, i);
		ASSERT(!memcmp(got, sent + size * i, size));
	}
	/* Then half a frame and the end of input: reported, never published. */
	ASSERT_EQ(write(fds[1], sent, size / 2), (ssize_t)(size / 2));
	close(fds[1]);
	ASSERT_EQ(prog_wait(pid), 1);
	ASSERT_STR_CONTAINS(prog_slurp(err, NULL), "short final frame");
	ASSERT_EQ(shmfb_reader_latest_index(r), FRAMES);
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_ECLOSED);
	shmfb_reader_close(r);
	free(sent);
	free(got);
}

/*
 * --fps 7 for 15 frames: frame k's pts is start + k/7 s to the nanosecond,
 * computed here from the rate alone (floor(k * 1e9 / 7)).  A pacer that
 * added a rounded period (142857142 ns) each frame would be a nanosecond
 * off by frame 2 and 0.3 s off after a day; this one cannot drift.  No
 * frame is published before its time.
 */
static void test_pacing(void)
{
	char name[64];
	snprintf(name, sizeof name, "t-prod-pace-%d", (int)getpid());
	const char *args[] = {"--size", "64x48", "--fps", "7", "--frames", "15", name, NULL};
	pid_t pid = prog_spawn(args, -1, "/dev/null");
	shmfb_reader *r = prog_open_when_ready(name);
	uint64_t seen = 0, start = 0, checked = 0;
	while (shmfb_reader_wait(r, seen, 2 * SHMFB_SEC, 0) == 0) {
		shmfb_frame f;
		if (shmfb_reader_latest(r, &f) != 0)
			continue;
		seen = f.index;
		uint64_t due = f.frame_number * SHMFB_SEC / 7; /* fits: 15 frames */
		if (!checked)
			start = f.pts_ns - due;
		ASSERT_EQ(f.pts_ns, start + due);
		ASSERT_GE(f.publish_ns, f.pts_ns);
		checked++;
		if (f.frame_number == 14)
			break;
	}
	ASSERT_GE(checked, 10);
	ASSERT_EQ(prog_wait(pid), 0);
	shmfb_reader_close(r);
	printf("pacing: %llu frames on the exact 1/7 s grid\n", (unsigned long long)checked);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	int rc = prog_init("shmfb-producer");
	if (rc)
		return rc;
	srand(12345);
	test_pacing();
	for (size_t i = 0; i < NFORMATS; i++) {
		printf("format %s\n", shmfb_pixfmt_name(all_formats[i]));
		test_pattern(all_formats[i]);
		test_image(all_formats[i]);
		test_raw(all_formats[i]);
	}
	printf("producer ok\n");
	return 0;
}
