/*
 * audio.c - shmfb-producer's audio: a sine tone or a looped WAV file, and
 * the clicks of --av-sync, written into the mapping's audio ring from a
 * second thread in blocks of about 10 ms.
 *
 * The audio has its own timeline: sample t sounds at start + t / rate
 * (CLOCK_MONOTONIC, the same start as the video's frame 0).  Block [t, t+n)
 * is written when its first sample is due, with that time as its pts, so
 * the ring's clock pair always says exactly where each sample belongs.  A
 * thread that falls more than LATE_NS behind (a stall) skips the timeline
 * forward to the present instead of bursting, so samples stay on time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "producer.h"

#define BLOCKS_PER_SEC 100
#define LATE_NS (100 * SHMFB_MS)
#define TONE_AMPLITUDE 0.5
#define CLICK_MS 1
#define TWO_PI 6.283185307179586476925
#define MAX_BLOCK (SHMFB_AUDIO_MAX_RATE / BLOCKS_PER_SEC)

struct audio {
	struct audio_options o;
	uint32_t rate, channels;
	shmfb_sampfmt format;
	wav wav;
	shmfb_writer *w;
	uint64_t start;      /* time of timeline sample 0 */
	os_thread *thread;
	atomic_int stop;
	uint64_t next_click; /* the k of the next --av-sync click, from 1 */
	float block[MAX_BLOCK * SHMFB_AUDIO_MAX_CHANNELS];
	uint8_t out[MAX_BLOCK * SHMFB_AUDIO_MAX_CHANNELS * 4];
};

/* floor(a * b / c) without overflow. */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return (uint64_t)((unsigned __int128)a * b / c);
}

static uint64_t sample_time(const audio *a, uint64_t t)
{
	return a->start + muldiv(t, (uint64_t)SHMFB_SEC, a->rate);
}

int av_sync_flash(uint64_t tick, uint32_t num, uint32_t den)
{
	/* Tick n flashes when a whole second falls in ((n-1)/fps, n/fps]. */
	return tick >= 1 && muldiv(tick, den, num) != muldiv(tick - 1, den, num);
}

/* Timeline sample of click k: that of the first frame at or after k seconds. */
static uint64_t click_sample(const audio *a, uint64_t k)
{
	uint64_t num = a->o.fps_num, den = a->o.fps_den;
	uint64_t tick = (k * num + den - 1) / den;               /* ceil(k * fps) */
	uint64_t ns = muldiv(tick, (uint64_t)SHMFB_SEC * den, num); /* its pts - start */
	/* The sample nearest that time. */
	return (uint64_t)(((unsigned __int128)ns * a->rate + SHMFB_SEC / 2) / SHMFB_SEC);
}

int audio_open(audio **out, const struct audio_options *o, char *why, size_t n)
{
	audio *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(why, n, "out of memory");
		return 1;
	}
	a->o = *o;
	a->format = o->format ? o->format : SHMFB_SAMPLE_S16;
	a->next_click = 1;
	if (o->kind == AUDIO_WAV) {
		if (wav_load(o->wav_path, &a->wav, why, n) < 0) {
			free(a);
			return 1;
		}
		a->rate = o->rate ? o->rate : a->wav.rate;
		a->channels = a->wav.channels;
	} else {
		a->rate = o->rate ? o->rate : 48000;
		a->channels = o->channels ? o->channels : 2;
		if (o->tone_mhz == 0 || o->tone_mhz * 2 >= (uint64_t)a->rate * 1000) {
			snprintf(why, n, "--audio tone=%.3f: the frequency must be above 0 and below half the rate (%u Hz)",
				 (double)o->tone_mhz / 1000, a->rate / 2);
			free(a);
			return 2;
		}
	}
	atomic_init(&a->stop, 0);
	*out = a;
	return 0;
}

void audio_params(const audio *a, uint32_t *rate, uint32_t *channels, shmfb_sampfmt *format)
{
	*rate = a->rate;
	*channels = a->channels;
	*format = a->format;
}

/* Sample t of the tone: its phase is exact (integer millihertz), however long it runs. */
static float tone_at(const audio *a, uint64_t t)
{
	uint64_t period = (uint64_t)a->rate * 1000;
	uint64_t ph = (uint64_t)((unsigned __int128)a->o.tone_mhz * t % period);
	return (float)(TONE_AMPLITUDE * sin(TWO_PI * (double)ph / (double)period));
}

/* Frame f of the WAV (looped) as floats in [-1, 1). */
static void wav_frame(const audio *a, uint64_t t, float *dst)
{
	const wav *w = &a->wav;
	uint64_t f = t % w->frames;
	if (w->format == SHMFB_SAMPLE_F32) {
		memcpy(dst, w->data + f * w->channels * 4, w->channels * 4);
	} else {
		const uint8_t *p = w->data + f * w->channels * 2;
		for (uint32_t c = 0; c < w->channels; c++)
			dst[c] = (float)(int16_t)(p[2 * c] | p[2 * c + 1] << 8) / 32768.0f;
	}
}

/* Overwrites the part of the block [t, t + n) that a click covers. */
static void add_clicks(audio *a, uint64_t t, uint32_t n)
{
	if (!a->o.av_sync)
		return;
	uint64_t len = a->rate * CLICK_MS / 1000;
	for (;;) {
		uint64_t c = click_sample(a, a->next_click);
		if (c + len <= t) { /* skipped over (a stall) */
			a->next_click++;
			continue;
		}
		if (c >= t + n)
			return;
		for (uint64_t s = c > t ? c : t; s < c + len && s < t + n; s++)
			for (uint32_t ch = 0; ch < a->channels; ch++)
				a->block[(s - t) * a->channels + ch] = 1.0f;
		if (c + len > t + n)
			return; /* continues in the next block */
		a->next_click++;
	}
}

/* Converts the float block into the ring's format, the rule docs/PRODUCER.md gives. */
static void encode(audio *a, uint32_t n)
{
	size_t count = (size_t)n * a->channels;
	if (a->format == SHMFB_SAMPLE_F32) {
		memcpy(a->out, a->block, count * 4);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		long v = lrintf(a->block[i] * 32768.0f);
		int16_t s = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		a->out[2 * i] = (uint8_t)((uint16_t)s & 0xff);
		a->out[2 * i + 1] = (uint8_t)((uint16_t)s >> 8);
	}
}

static void render(audio *a, uint64_t t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		float *f = a->block + (size_t)i * a->channels;
		if (a->o.kind == AUDIO_WAV) {
			wav_frame(a, t + i, f);
		} else {
			float v = tone_at(a, t + i);
			for (uint32_t c = 0; c < a->channels; c++)
				f[c] = v;
		}
	}
	add_clicks(a, t, n);
	encode(a, n);
}

static void audio_thread(void *arg)
{
	audio *a = arg;
	uint32_t block = a->rate / BLOCKS_PER_SEC;
	uint64_t t = 0;
	/* relaxed: a stop flag; audio_free joins us, nothing hangs on it. */
	while (!atomic_load_explicit(&a->stop, memory_order_relaxed) && !producer_stopping()) {
		uint64_t due = sample_time(a, t), now = shmfb_now_ns();
		if (now > due + LATE_NS) {
			/* Skip to the block now due: a gap, not a burst of stale audio. */
			t = muldiv(now - a->start, a->rate, (uint64_t)SHMFB_SEC) / block * block;
			due = sample_time(a, t);
		}
		render(a, t, block);
		/* relaxed: as above. */
		while (shmfb_now_ns() < due && !atomic_load_explicit(&a->stop, memory_order_relaxed) &&
		       !producer_stopping())
			os_sleep_until(due); /* again if a signal woke it early */
		if (shmfb_now_ns() < due)
			break;
		shmfb_writer_audio_write(a->w, a->out, block, due);
		t += block;
	}
}

int audio_start(audio *a, shmfb_writer *w, uint64_t start_ns)
{
	a->w = w;
	a->start = start_ns;
	return os_thread_start(&a->thread, audio_thread, a);
}

void audio_free(audio *a)
{
	if (!a)
		return;
	if (a->thread) {
		/* relaxed: a stop flag; the join below orders everything else. */
		atomic_store_explicit(&a->stop, 1, memory_order_relaxed);
		os_thread_join(a->thread);
	}
	wav_free(&a->wav);
	free(a);
}
