/*
 * test_producer_audio_posix.c - shmfb-producer's audio as a real process,
 * read back through the library and through `shmfb cat --audio`:
 *
 *   tone     every sample of a second of the sine within 1 LSB of the sine
 *            the test computes itself (phase fitted on the first samples),
 *            no gap, no repeat; the clock pairs advance at the rate
 *   wav      WAVs the test writes (s16/f32, mono/stereo, a LIST chunk, the
 *            extensible header) come out exactly, across the loop point
 *   errors   unsupported, corrupt and truncated WAVs: exit 1, one line
 *            naming the file and the problem, no mapping left behind
 *   av-sync  the white frames' pts equal the clicks' times within 1 ms
 *   cat      shmfb cat --audio --seconds/--frames: the byte count, and the
 *            same sine check on what it wrote
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

#define TONE_HZ 997.0
#define TONE_AMP 16384.0 /* half of full scale, docs/PRODUCER.md */

/*
 * Reads `frames` audio frames in order from where the reader is, checking
 * none is lost and positions follow on.  Returns a malloc'd buffer.
 */
static void *read_audio(shmfb_reader *r, uint64_t frames)
{
	const shmfb_info *in = shmfb_reader_info(r);
	uint8_t *buf = malloc(frames * in->audio_frame_bytes);
	ASSERT(buf != NULL);
	uint64_t got = 0, next_pos = 0;
	while (got < frames) {
		int rc = shmfb_audio_wait(r, 2 * SHMFB_SEC, 0);
		if (rc != 0)
			FAIL_AT("waiting for audio: %s", shmfb_errdetail());
		shmfb_audio_block b;
		uint64_t want = frames - got > 4096 ? 4096 : frames - got;
		int n = shmfb_audio_read(r, buf + got * in->audio_frame_bytes, (uint32_t)want, &b);
		ASSERT_GE(n, 0);
		ASSERT_EQ(b.lost, 0);
		if (got)
			ASSERT_EQ(b.position, next_pos); /* no gap, no repeat */
		next_pos = b.position + (uint64_t)n;
		got += (uint64_t)n;
	}
	return buf;
}

/* ------------------------------------------------------------------ tone */

/*
 * Checks s16 interleaved samples are one continuous sine of TONE_HZ at rate,
 * amplitude TONE_AMP, identical in every channel: the phase is fitted by
 * least squares on the first 480 frames, then every sample must be within 1
 * of round(A sin(phase + 2 pi f n / rate)).
 */
static void check_sine(const int16_t *s, uint64_t frames, uint32_t channels, uint32_t rate)
{
	double w = 2 * M_PI * TONE_HZ / rate, ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
	for (uint64_t n = 0; n < 480; n++) {
		double sn = sin(w * (double)n), cn = cos(w * (double)n), y = s[n * channels];
		ss += sn * sn, sc += sn * cn, cc += cn * cn, ys += y * sn, yc += y * cn;
	}
	/* y = a sin + b cos; a = A cos(phase), b = A sin(phase). */
	double det = ss * cc - sc * sc;
	double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
	double amp = hypot(a, b), phase = atan2(b, a);
	if (fabs(amp - TONE_AMP) > 2)
		FAIL_AT("tone amplitude %.2f, want %.0f", amp, TONE_AMP);
	int worst = 0;
	for (uint64_t n = 0; n < frames; n++) {
		long want = lrint(TONE_AMP * sin(phase + w * (double)n));
		for (uint32_t c = 0; c < channels; c++) {
			int d = abs((int)(s[n * channels + c] - want));
			worst = d > worst ? d : worst;
			if (d > 1)
				FAIL_AT("sample %llu channel %u is %d, the sine says %ld",
					(unsigned long long)n, c, s[n * channels + c], want);
		}
	}
	printf("  %llu frames of the sine, worst difference %d LSB\n", (unsigned long long)frames, worst);
}

static void test_tone(void)
{
	char name[64], err[300], rate_s[16];
	snprintf(name, sizeof name, "t-paudio-tone-%d", (int)getpid());
	snprintf(err, sizeof err, "%s/tone.err", test_tmpdir());
	const uint32_t rate = 44100;
	snprintf(rate_s, sizeof rate_s, "%u", rate);
	const char *args[] = {"--size", "64x64", "--fps", "5", "--audio", "tone=997",
			      "--audio-rate", rate_s, name, NULL};
	pid_t pid = prog_spawn(args, -1, err);
	shmfb_reader *r = prog_open_when_ready(name);
	const shmfb_info *in = shmfb_reader_info(r);
	ASSERT_EQ(in->audio_rate, rate);
	ASSERT_EQ(in->audio_channels, 2);
	ASSERT_EQ(in->audio_format, SHMFB_SAMPLE_S16);

	uint64_t pos0, ns0, pos1, ns1;
	while (shmfb_audio_clock(r, &pos0, &ns0) != 0)
		usleep(1000);
	uint64_t wall0 = shmfb_now_ns();
	int16_t *s = read_audio(r, rate);
	check_sine(s, rate, 2, rate);
	free(s);
	while (shmfb_audio_clock(r, &pos1, &ns1) != 0)
		usleep(1000);
	uint64_t wall1 = shmfb_now_ns();
	/* The pairs lie on one line of slope 1/rate (their pts are scheduled times). */
	double by_pos = (double)(pos1 - pos0) * 1e9 / rate, by_ns = (double)(ns1 - ns0);
	printf("  clock: %llu frames in %.3f ms (rate says %.3f ms), wall %.3f ms\n",
	       (unsigned long long)(pos1 - pos0), by_ns / 1e6, by_pos / 1e6, (double)(wall1 - wall0) / 1e6);
	ASSERT_GT(pos1 - pos0, rate / 2);
	if (fabs(by_pos - by_ns) > 1e6)
		FAIL_AT("clock pairs: %.3f ms by position, %.3f ms by time", by_pos / 1e6, by_ns / 1e6);
	/* And that line is real time (generous: a loaded machine). */
	if (fabs(by_ns - (double)(wall1 - wall0)) > 60e6)
		FAIL_AT("audio clock moved %.3f ms while %.3f ms passed", by_ns / 1e6,
			(double)(wall1 - wall0) / 1e6);
	/* A block's pts is when it is due: never far ahead of now, nor behind. */
	int64_t lead = (int64_t)ns1 - (int64_t)shmfb_now_ns();
	ASSERT_LT(lead, 15 * SHMFB_MS);
	ASSERT_GT(lead, -200 * SHMFB_MS);
	shmfb_reader_close(r);

	/* shmfb cat --audio writes the same stream: --seconds, then --frames. */
	char cmd[2000], out[300];
	snprintf(out, sizeof out, "%s/cat.raw", test_tmpdir());
	snprintf(cmd, sizeof cmd, "%s/shmfb cat %s --audio --seconds 1 > %s", prog_bin_dir(), name, out);
	ASSERT_EQ(system(cmd), 0);
	size_t len;
	int16_t *c = (int16_t *)prog_slurp(out, &len);
	ASSERT_EQ(len, (size_t)rate * 4);
	check_sine(c, rate, 2, rate);
	snprintf(cmd, sizeof cmd, "%s/shmfb cat %s --audio --frames 4410 > %s", prog_bin_dir(), name, out);
	ASSERT_EQ(system(cmd), 0);
	c = (int16_t *)prog_slurp(out, &len);
	ASSERT_EQ(len, 4410 * 4);
	check_sine(c, 4410, 2, rate);
	prog_stop(pid);
}

/* ------------------------------------------------------------------- WAV */

static void put16(FILE *f, uint32_t v)
{
	fputc((int)(v & 0xff), f);
	fputc((int)(v >> 8 & 0xff), f);
}

static void put32(FILE *f, uint32_t v)
{
	put16(f, v & 0xffff);
	put16(f, v >> 16);
}

struct wav_spec {
	uint32_t tag, channels, rate, bits, frames;
	int extensible, list_chunk;
	int32_t data_size; /* -1: the real size */
	int no_data;
};

/* Frame i, channel c of the test's ramp: distinct for every i of a period. */
static int16_t ramp16(uint32_t i, uint32_t c)
{
	return (int16_t)((int)i * 13 - 16000 + (int)c * 3);
}

static float rampf(uint32_t i, uint32_t c, uint32_t frames)
{
	return (float)i / (float)frames - 0.5f + (float)c * 0.125f;
}

static void write_wav(const char *path, const struct wav_spec *w)
{
	FILE *f = fopen(path, "wb");
	ASSERT(f != NULL);
	uint32_t bytes = w->bits / 8, align = w->channels * bytes, data = w->frames * align;
	uint32_t fmt_size = w->extensible ? 40 : 16, list = w->list_chunk ? 8 + 10 : 0;
	fwrite("RIFF", 1, 4, f);
	put32(f, 4 + 8 + fmt_size + list + (w->no_data ? 0 : 8 + data));
	fwrite("WAVEfmt ", 1, 8, f);
	put32(f, fmt_size);
	put16(f, w->extensible ? 0xFFFE : w->tag);
	put16(f, w->channels);
	put32(f, w->rate);
	put32(f, w->rate * align);
	put16(f, align);
	put16(f, w->bits);
	if (w->extensible) {
		put16(f, 22);
		put16(f, w->bits);
		put32(f, 0);
		put16(f, w->tag); /* the sub-format GUID begins with the tag */
		fwrite("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 1, 14, f);
	}
	if (w->list_chunk) {
		fwrite("LIST", 1, 4, f);
		put32(f, 10);
		fwrite("INFOabcdef", 1, 10, f);
	}
	if (!w->no_data) {
		fwrite("data", 1, 4, f);
		put32(f, w->data_size >= 0 ? (uint32_t)w->data_size : data);
		for (uint32_t i = 0; i < w->frames; i++)
			for (uint32_t c = 0; c < w->channels; c++) {
				if (w->bits == 32) {
					float v = rampf(i, c, w->frames);
					uint32_t u;
					memcpy(&u, &v, 4);
					put32(f, u);
				} else if (w->bits == 16) {
					put16(f, (uint16_t)ramp16(i, c));
				} else {
					for (uint32_t k = 0; k < bytes; k++)
						fputc(0, f);
				}
			}
	}
	fclose(f);
}

/*
 * Plays a WAV and checks the ring holds the file's frames, exactly, in
 * order and looping: the first frame read says where in the file it is.
 */
static void test_wav(const struct wav_spec *w, const char *out_format)
{
	char name[64], err[300], path[300];
	snprintf(name, sizeof name, "t-paudio-wav-%d", (int)getpid());
	snprintf(err, sizeof err, "%s/wav.err", test_tmpdir());
	snprintf(path, sizeof path, "%s/ramp.wav", test_tmpdir());
	write_wav(path, w);
	char opt[400];
	snprintf(opt, sizeof opt, "wav=%s", path);
	const char *args[] = {"--size", "64x64", "--fps", "5", "--audio", opt, "--audio-format", out_format,
			      name, NULL};
	pid_t pid = prog_spawn(args, -1, err);
	shmfb_reader *r = prog_open_when_ready(name);
	const shmfb_info *in = shmfb_reader_info(r);
	ASSERT_EQ(in->audio_rate, w->rate);
	ASSERT_EQ(in->audio_channels, w->channels);
	int f32 = !strcmp(out_format, "f32");
	ASSERT_EQ(in->audio_format, f32 ? SHMFB_SAMPLE_F32 : SHMFB_SAMPLE_S16);
	uint64_t frames = w->frames * 5 / 2 + 7; /* across two loop points */
	uint8_t *got = read_audio(r, frames);
	/* What sample (i, c) must be in the output format. */
	int32_t want16[8];
	float wantf[8];
	uint32_t start = w->frames; /* found from frame 0 */
	for (uint32_t i = 0; i < w->frames && start == w->frames; i++) {
		for (uint32_t c = 0; c < w->channels; c++) {
			wantf[c] = w->bits == 32 ? rampf(i, c, w->frames) : ramp16(i, c) / 32768.0f;
			want16[c] = w->bits == 16 ? ramp16(i, c) : (int32_t)lrintf(rampf(i, c, w->frames) * 32768.0f);
		}
		if (f32 ? !memcmp(got, wantf, 4 * w->channels)
			: ((int16_t *)got)[0] == want16[0] && (w->channels < 2 || ((int16_t *)got)[1] == want16[1]))
			start = i;
	}
	if (start == w->frames)
		FAIL_AT("the first frame read is not one of the file's");
	for (uint64_t n = 0; n < frames; n++) {
		uint32_t i = (uint32_t)((start + n) % w->frames);
		for (uint32_t c = 0; c < w->channels; c++) {
			if (f32) {
				float v, want = w->bits == 32 ? rampf(i, c, w->frames) : ramp16(i, c) / 32768.0f;
				memcpy(&v, got + (n * w->channels + c) * 4, 4);
				if (memcmp(&v, &want, 4))
					FAIL_AT("frame %llu (file frame %u) channel %u: %.9g, want %.9g",
						(unsigned long long)n, i, c, v, want);
			} else {
				int16_t v = ((int16_t *)got)[n * w->channels + c];
				int32_t want = w->bits == 16 ? ramp16(i, c)
							     : (int32_t)lrintf(rampf(i, c, w->frames) * 32768.0f);
				if (v != want)
					FAIL_AT("frame %llu (file frame %u) channel %u: %d, want %d",
						(unsigned long long)n, i, c, v, want);
			}
		}
	}
	printf("  wav %u-bit %u ch %u Hz%s%s -> %s: %llu frames exact from file frame %u\n", w->bits,
	       w->channels, w->rate, w->extensible ? " extensible" : "", w->list_chunk ? " +LIST" : "",
	       out_format, (unsigned long long)frames, start);
	free(got);
	shmfb_reader_close(r);
	prog_stop(pid);
}

/* A WAV the producer must refuse: exit 1, one line naming the file and `why`. */
static void expect_bad_wav(const struct wav_spec *w, const char *why)
{
	char name[64], err[300], path[300], opt[400];
	snprintf(name, sizeof name, "t-paudio-bad-%d", (int)getpid());
	snprintf(err, sizeof err, "%s/bad.err", test_tmpdir());
	snprintf(path, sizeof path, "%s/bad.wav", test_tmpdir());
	if (w)
		write_wav(path, w);
	else
		unlink(path);
	snprintf(opt, sizeof opt, "wav=%s", path);
	const char *args[] = {"--size", "64x64", "--audio", opt, name, NULL};
	ASSERT_EQ(prog_wait(prog_spawn(args, -1, err)), 1);
	char *e = prog_slurp(err, NULL);
	printf("  %s", e);
	ASSERT(!strncmp(e, "shmfb-producer: ", 16));
	ASSERT_STR_CONTAINS(e, path);
	ASSERT_STR_CONTAINS(e, why);
	ASSERT(strchr(e, '\n') == e + strlen(e) - 1); /* one line */
	shmfb_reader *r;
	ASSERT_EQ(shmfb_open(name, &r), SHMFB_ENOENT);
}

static void test_wavs(void)
{
	struct wav_spec s16m = {1, 1, 44100, 16, 2000, 0, 0, -1, 0};
	test_wav(&s16m, "s16");
	struct wav_spec s16s = {1, 2, 48000, 16, 1500, 0, 1, -1, 0};
	test_wav(&s16s, "s16");
	test_wav(&s16s, "f32"); /* s16 file, f32 ring: s / 32768 */
	struct wav_spec f32s = {3, 2, 22050, 32, 1000, 1, 0, -1, 0};
	test_wav(&f32s, "f32");
	struct wav_spec f32m = {3, 1, 8000, 32, 700, 0, 1, -1, 0};
	test_wav(&f32m, "f32");

	struct wav_spec b = {1, 2, 48000, 24, 100, 0, 0, -1, 0};
	expect_bad_wav(&b, "24-bit");
	b = (struct wav_spec){2, 2, 48000, 4, 100, 0, 0, -1, 0}; /* ADPCM */
	expect_bad_wav(&b, "format tag 2");
	b = (struct wav_spec){1, 2, 48000, 16, 100, 0, 0, -1, 1};
	expect_bad_wav(&b, "no data chunk");
	b = (struct wav_spec){1, 2, 48000, 16, 100, 0, 0, (int32_t)0x7ff00000, 0}; /* claims 2 GB */
	expect_bad_wav(&b, "truncated");
	b = (struct wav_spec){1, 9, 48000, 16, 100, 0, 0, -1, 0};
	expect_bad_wav(&b, "9 channels");
	b = (struct wav_spec){1, 2, 4000, 16, 100, 0, 0, -1, 0};
	expect_bad_wav(&b, "sample rate 4000");
	b = (struct wav_spec){1, 2, 48000, 16, 0, 0, 0, -1, 0};
	expect_bad_wav(&b, "no samples");
	expect_bad_wav(NULL, "cannot open");
	/* Not a WAV at all, and a file cut inside its fmt chunk. */
	char path[300];
	snprintf(path, sizeof path, "%s/bad.wav", test_tmpdir());
	struct wav_spec ok = {1, 2, 48000, 16, 100, 0, 0, -1, 0};
	write_wav(path, &ok);
	ASSERT_EQ(truncate(path, 30), 0);
	char err[300], opt[400], name[64];
	snprintf(err, sizeof err, "%s/bad.err", test_tmpdir());
	snprintf(opt, sizeof opt, "wav=%s", path);
	snprintf(name, sizeof name, "t-paudio-bad-%d", (int)getpid());
	const char *args[] = {"--audio", opt, name, NULL};
	ASSERT_EQ(prog_wait(prog_spawn(args, -1, err)), 1);
	ASSERT_STR_CONTAINS(prog_slurp(err, NULL), "truncated in the fmt chunk");
	FILE *f = fopen(path, "wb");
	fputs("ID3 this is an mp3", f);
	fclose(f);
	ASSERT_EQ(prog_wait(prog_spawn(args, -1, err)), 1);
	ASSERT_STR_CONTAINS(prog_slurp(err, NULL), "not a WAV file");
}

/* --------------------------------------------------------------- av-sync */

#define AV_W 160
#define AV_H 120

/* A frame is one of the flashes when its lower half (under the stamp) is white. */
static int is_white(const uint8_t *rgba)
{
	uint64_t sum = 0;
	for (size_t i = (size_t)AV_W * AV_H / 2 * 4; i < (size_t)AV_W * AV_H * 4; i += 4)
		sum += rgba[i] + rgba[i + 1] + rgba[i + 2];
	return sum / ((size_t)AV_W * AV_H / 2 * 3) > 250;
}

static void test_av_sync(const char *fps)
{
	char name[64], err[300];
	snprintf(name, sizeof name, "t-paudio-av-%d", (int)getpid());
	snprintf(err, sizeof err, "%s/av.err", test_tmpdir());
	const char *args[] = {"--size", "160x120", "--fps", fps, "--av-sync", "--audio-channels", "1",
			      name, NULL};
	pid_t pid = prog_spawn(args, -1, err);
	shmfb_reader *r = prog_open_when_ready(name);
	const shmfb_info *in = shmfb_reader_info(r);
	static uint8_t frame[AV_W * AV_H * 4];
	static int16_t pcm[48000];
	uint64_t white[8], clicks[8];
	int nwhite = 0, nclicks = 0;
	uint64_t seen = 0, t_end = shmfb_now_ns() + 3300 * SHMFB_MS, first_audio = 0, last_audio = 0;
	uint64_t first_frame = 0, last_frame = 0;
	int16_t prev = 0;
	while (shmfb_now_ns() < t_end && nwhite < 8 && nclicks < 8) {
		if (shmfb_reader_wait(r, seen, 5 * SHMFB_MS, 0) == 0) {
			shmfb_frame f;
			if (shmfb_reader_copy_latest(r, frame, sizeof frame, &f) == 0 && f.index > seen) {
				seen = f.index;
				if (!first_frame)
					first_frame = f.pts_ns;
				last_frame = f.pts_ns;
				if (is_white(frame))
					white[nwhite++] = f.pts_ns;
			}
		}
		shmfb_audio_block b;
		int n = shmfb_audio_read(r, pcm, 48000, &b);
		ASSERT_GE(n, 0);
		ASSERT_EQ(b.lost, 0);
		uint64_t pos, ns;
		if (n == 0 || shmfb_audio_clock(r, &pos, &ns) != 0)
			continue;
		/* Sample p sounds at ns + (p - pos) / rate (the latest pair; no skips). */
		for (int i = 0; i < n; i++) {
			uint64_t p = b.position + (uint64_t)i;
			int64_t t = (int64_t)ns + ((int64_t)p - (int64_t)pos) * SHMFB_SEC / (int64_t)in->audio_rate;
			if (!first_audio)
				first_audio = (uint64_t)t;
			last_audio = (uint64_t)t;
			if (pcm[i] == 32767 && prev != 32767 && (b.position || i))
				clicks[nclicks++] = (uint64_t)t;
			prev = pcm[i];
		}
	}
	prog_stop(pid);
	shmfb_reader_close(r);
	printf("  --fps %s: %d white frames, %d clicks\n", fps, nwhite, nclicks);
	ASSERT_GE(nwhite, 2);
	ASSERT_GE(nclicks, 2);
	/* Every flash with audio around it has its click, and every click its flash. */
	int matched = 0;
	for (int i = 0; i < nwhite; i++) {
		if (white[i] < first_audio + 50 * SHMFB_MS || white[i] + 50 * SHMFB_MS > last_audio)
			continue;
		int found = 0;
		for (int k = 0; k < nclicks; k++) {
			int64_t d = (int64_t)clicks[k] - (int64_t)white[i];
			if (d > -SHMFB_MS && d < SHMFB_MS) {
				printf("    white frame pts %.6f s, click %+.3f ms\n", white[i] / 1e9, d / 1e6);
				found = 1;
			}
		}
		if (!found)
			FAIL_AT("white frame at %.6f s has no click within 1 ms", white[i] / 1e9);
		matched++;
	}
	for (int k = 0; k < nclicks; k++) {
		if (clicks[k] < first_frame + 50 * SHMFB_MS || clicks[k] + 50 * SHMFB_MS > last_frame)
			continue;
		int found = 0;
		for (int i = 0; i < nwhite; i++)
			found |= llabs((long long)clicks[k] - (long long)white[i]) < SHMFB_MS;
		if (!found)
			FAIL_AT("click at %.6f s has no white frame within 1 ms", clicks[k] / 1e9);
	}
	ASSERT_GE(matched, 1);
	/* Once a second. */
	for (int i = 1; i < nwhite; i++) {
		int64_t gap = (int64_t)(white[i] - white[i - 1]);
		ASSERT_GT(gap, 900 * SHMFB_MS);
		ASSERT_LT(gap, 1100 * SHMFB_MS);
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	int rc = prog_init("shmfb-producer");
	if (rc)
		return rc;
	printf("tone\n");
	test_tone();
	printf("wav\n");
	test_wavs();
	printf("av-sync\n");
	test_av_sync("30");
	test_av_sync("29.97");
	printf("producer audio ok\n");
	return 0;
}
