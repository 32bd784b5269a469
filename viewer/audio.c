/*
 * audio.c - the viewer's sound: the mapping's audio ring played through an
 * SDL audio device, and the A/V offset measured against the pictures shown.
 *
 * The device runs in callback mode and the callback pulls straight from the
 * ring with a reader of its own (shmfb_audio_read is real-time safe: no
 * locks, no allocation, no system call).  The main thread only swaps that
 * reader, with the device locked, when a new generation is attached.
 *
 * Keeping the queue short: the device asks for about a quarter of
 * --audio-latency at a time.  Playing starts (and restarts after an
 * underrun) only once the ring holds one callback's worth plus a margin,
 * so the total from write to sound is about --audio-latency.  If the ring
 * fills beyond that by more than another --audio-latency, or 100 ms if more
 * (the device's clock runs slower than the producer's: there is no
 * resampling), the excess is skipped, counted in skips and frames_skipped.
 *
 * Counted: an underrun is a callback that found fewer frames than it needed
 * while the producer was running (silence is filled in, and it counts once:
 * playing waits for the margin again); an overrun is a read that reported
 * frames lost because the ring overtook us (b.lost).
 *
 * A/V offset.  SDL2 has no device clock, so when a sample sounds is an
 * estimate: the time the callback ran, plus one device buffer (what the
 * device still has queued ahead of the buffer being filled), plus the
 * sample's place in the buffer.  Its pts comes from the ring's clock pair.
 * Two measures follow:
 *  - audio latency (pts -> estimated sound) against video latency (pts ->
 *    return of SDL_RenderPresent) gives a clock-based offset for any source;
 *  - with shmfb-producer --av-sync, the click (a sample at >= 90% of full
 *    scale after at least 200 ms without one) and the white frame that share
 *    a pts are found in the data, and av_offset = click sounded - flash
 *    presented, paired when within PAIR_WINDOW_NS of each other.  For each
 *    pair the difference of their pts (from the ring's clock pair and the
 *    frame) is kept too: near 0 when both were found where the producer
 *    put them, whatever the timing of the device.
 */
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "viewer.h"

#define PAIR_WINDOW_NS (400 * SHMFB_MS)  /* a click and a flash further apart are not a pair */
#define EXPIRE_NS (2 * SHMFB_SEC)        /* an event unpaired for this long is dropped */
#define CLICK_LEVEL 0.9                  /* of full scale */
#define CLICK_QUIET_DIV 5                /* 1/5 s without a loud sample before a click */

void audio_init(audio_out *ao, const char *name, int disabled, uint32_t latency_ms)
{
	memset(ao, 0, sizeof *ao);
	ao->name = name;
	ao->latency_ms = latency_ms;
	ao->state = disabled ? AUDIO_OFF : AUDIO_NONE;
	atomic_init(&ao->running, 0);
	atomic_init(&ao->played, 0);
	atomic_init(&ao->underruns, 0);
	atomic_init(&ao->overruns, 0);
	atomic_init(&ao->lost, 0);
	atomic_init(&ao->skips, 0);
	atomic_init(&ao->skipped, 0);
	atomic_init(&ao->latency_ns, 0);
	atomic_init(&ao->latency_seq, 0);
	atomic_init(&ao->click_head, 0);
	atomic_init(&ao->click_tail, 0);
}

/* ------------------------------------------------------------ the callback */

/* Is sample s of channel 0 at or above CLICK_LEVEL of full scale? */
static int loud(const audio_out *ao, const uint8_t *frame)
{
	if (ao->format == SHMFB_SAMPLE_F32) {
		float v;
		memcpy(&v, frame, sizeof v);
		return v >= CLICK_LEVEL || v <= -CLICK_LEVEL;
	}
	int16_t v = (int16_t)(frame[0] | frame[1] << 8);
	return v >= (int)(CLICK_LEVEL * 32768) || v <= -(int)(CLICK_LEVEL * 32768);
}

/* Hands a click's estimated sound time to the main thread (drops it if full). */
static void push_click(audio_out *ao, uint64_t t, int64_t pts)
{
	/* relaxed: only this (the callback's) thread stores click_head. */
	unsigned head = atomic_load_explicit(&ao->click_head, memory_order_relaxed);
	/* acquire: pairs with audio_tick's release store of click_tail; main
	 * has copied the slot out before we write it again. */
	if (head - atomic_load_explicit(&ao->click_tail, memory_order_acquire) >= AUDIO_CLICKS)
		return;
	ao->click_q[head % AUDIO_CLICKS] = (audio_event){t, pts};
	/* release: publishes the slot; pairs with audio_tick's acquire load. */
	atomic_store_explicit(&ao->click_head, head + 1, memory_order_release);
}

/* Looks for clicks in frames [0, n) that start sounding at t0, with pts pts0 (-1: unknown). */
static void find_clicks(audio_out *ao, const uint8_t *buf, uint32_t n, uint64_t t0, int64_t pts0)
{
	uint64_t quiet = ao->rate / CLICK_QUIET_DIV;
	for (uint32_t i = 0; i < n; i++) {
		if (!loud(ao, buf + (size_t)i * ao->frame_bytes)) {
			ao->loud_gap++;
			continue;
		}
		if (ao->loud_gap >= quiet) {
			int64_t d = (int64_t)i * (int64_t)SHMFB_SEC / (int64_t)ao->rate;
			push_click(ao, t0 + (uint64_t)d, pts0 < 0 ? -1 : pts0 + d);
		}
		ao->loud_gap = 0;
	}
}

/* Reads up to n frames into dst; notes overruns.  Position of the first in *pos. */
static uint32_t read_ring(audio_out *ao, uint8_t *dst, uint32_t n, uint64_t *pos)
{
	uint32_t got = 0;
	while (got < n) {
		shmfb_audio_block b;
		int rc = shmfb_audio_read(ao->reader, dst + (size_t)got * ao->frame_bytes, n - got, &b);
		if (rc < 0)
			break;
		if (b.lost) {
			/* relaxed: counters for reports; nothing hangs on them. */
			atomic_fetch_add_explicit(&ao->overruns, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&ao->lost, b.lost, memory_order_relaxed); /* relaxed: likewise */
		}
		if (rc == 0)
			break;
		if (got == 0 || b.lost)
			*pos = b.position - got; /* where frame 0 of dst would be: pts below */
		got += (uint32_t)rc;
	}
	return got;
}

/* Skips the excess when the ring holds far more than the target. */
static void trim(audio_out *ao, uint8_t *scratch, uint32_t scratch_frames)
{
	uint64_t avail = shmfb_audio_available(ao->reader);
	if (avail <= ao->trim_frames || avail > ao->capacity)
		return; /* fine, or an overrun the next read reports */
	uint64_t excess = avail - ao->start_frames, pos;
	/* relaxed: a counter for reports; nothing hangs on it. */
	atomic_fetch_add_explicit(&ao->skips, 1, memory_order_relaxed);
	while (excess > 0) {
		uint32_t n = excess < scratch_frames ? (uint32_t)excess : scratch_frames;
		uint32_t got = read_ring(ao, scratch, n, &pos);
		if (got == 0)
			break;
		/* relaxed: a counter for reports; nothing hangs on it. */
		atomic_fetch_add_explicit(&ao->skipped, got, memory_order_relaxed);
		excess -= got;
	}
}

/*
 * The pts of the frame at position pos, from the ring's clock pair, and its
 * estimated latency when it sounds at t.  Returns the pts, or -1 (no clock).
 */
static int64_t note_latency(audio_out *ao, uint64_t pos, uint64_t t)
{
	uint64_t cpos, cns;
	int rc = shmfb_audio_clock(ao->reader, &cpos, &cns);
	if (rc == SHMFB_ETORN)
		rc = shmfb_audio_clock(ao->reader, &cpos, &cns);
	if (rc < 0)
		return -1;
	int64_t frames = (int64_t)(pos - cpos);
	int64_t pts = (int64_t)cns + frames * (int64_t)SHMFB_SEC / (int64_t)ao->rate;
	/* relaxed: published by the release add of latency_seq below. */
	atomic_store_explicit(&ao->latency_ns, (int64_t)t - pts, memory_order_relaxed);
	/* release: pairs with audio_tick's acquire load; latency_ns is stored. */
	atomic_fetch_add_explicit(&ao->latency_seq, 1, memory_order_release);
	return pts;
}

/* Fills as much of out as the ring allows; returns the frames filled. */
static uint32_t pull(audio_out *ao, uint8_t *out, uint32_t need, uint64_t now)
{
	/* relaxed: a flag that only says whether silence is an underrun;
	 * no data is published with it. */
	if (!ao->reader || !atomic_load_explicit(&ao->running, memory_order_relaxed)) {
		ao->prefilling = 1;
		return 0;
	}
	if (ao->prefilling) {
		if (shmfb_audio_available(ao->reader) < ao->start_frames)
			return 0;
		ao->prefilling = 0;
	}
	trim(ao, out, need);
	uint64_t pos = 0;
	uint32_t got = read_ring(ao, out, need, &pos);
	if (got < need) {
		/* relaxed: a counter for reports; nothing hangs on it. */
		atomic_fetch_add_explicit(&ao->underruns, 1, memory_order_relaxed);
		ao->prefilling = 1;
	}
	if (got) {
		uint64_t t0 = now + ao->device_delay_ns;
		/* relaxed: a counter for reports; nothing hangs on it. */
		atomic_fetch_add_explicit(&ao->played, got, memory_order_relaxed);
		int64_t pts0 = note_latency(ao, pos, t0);
		find_clicks(ao, out, got, t0, pts0);
	}
	return got;
}

static void SDLCALL audio_callback(void *userdata, Uint8 *out, int len)
{
	audio_out *ao = userdata;
	uint64_t now = shmfb_now_ns();
	uint32_t need = (uint32_t)len / ao->frame_bytes;
	uint32_t got = pull(ao, out, need, now);
	/* Silence is all-zero bytes in both s16 and f32. */
	memset(out + (size_t)got * ao->frame_bytes, 0, (size_t)len - (size_t)got * ao->frame_bytes);
}

/* ----------------------------------------------------------- the device */

static void close_device(audio_out *ao)
{
	if (ao->dev) {
		SDL_CloseAudioDevice(ao->dev); /* waits for the callback to finish */
		ao->dev = 0;
	}
	shmfb_reader_close(ao->reader);
	ao->reader = NULL;
}

/*
 * The device buffer asked for: about a quarter of the latency.
 *
 * A power of two, because SDL 2.26 rounds the buffer of a driver that cannot
 * take any size (its dummy driver) up to one, and that driver keeps the
 * byte size of the buffer asked for: SDL then allocates 1,920 bytes for 480
 * frames and has its audio thread fill 2,048 (a heap overflow, seen as
 * "free(): invalid pointer").  Asking for a power of two leaves nothing to
 * round.  The disk driver takes any size and paces itself with whole
 * millisecond sleeps: it gets a whole number of milliseconds instead, so it
 * keeps the true rate rather than drifting by the rounding.
 */
static uint16_t device_frames_for(uint32_t rate, uint32_t latency_ms, int whole_ms)
{
	uint32_t ms = latency_ms / 4 ? latency_ms / 4 : 1;
	uint64_t frames = (uint64_t)rate * ms / 1000;
	if (whole_ms) {
		while (frames > 16384 && ms > 1)
			frames = (uint64_t)rate * --ms / 1000;
		return (uint16_t)(frames < 64 ? 64 : frames);
	}
	uint32_t pow2 = 64;
	while (pow2 < 16384 && pow2 * 3 / 2 < frames) /* the nearest power of two */
		pow2 *= 2;
	return (uint16_t)pow2;
}

/* The buffering targets, from the latency and what SDL obtained. */
static void set_levels(audio_out *ao)
{
	uint32_t lat = (uint32_t)((uint64_t)ao->rate * ao->latency_ms / 1000);
	uint32_t block = ao->rate / 100; /* the producer writes ~10 ms at a time */
	uint32_t margin = lat > 2 * ao->device_frames ? lat - 2 * ao->device_frames : 0;
	if (margin < block)
		margin = block;
	ao->start_frames = ao->device_frames + margin;
	if (ao->start_frames > ao->capacity / 2)
		ao->start_frames = ao->capacity / 2;
	uint32_t slack = lat > block * 10 ? lat : block * 10; /* 100 ms of drift at least */
	ao->trim_frames = ao->start_frames + slack;
	if (ao->trim_frames > ao->capacity - ao->capacity / 4)
		ao->trim_frames = ao->capacity - ao->capacity / 4;
	ao->device_delay_ns = (uint64_t)ao->device_frames * SHMFB_SEC / ao->rate;
}

static void failed(audio_out *ao, const char *what)
{
	snprintf(ao->problem, sizeof ao->problem, "%s: %s", what, SDL_GetError());
	if (ao->state != AUDIO_FAILED) /* warn once */
		app_warn("no sound: %s", ao->problem);
	ao->state = AUDIO_FAILED;
}

/* The device, or 0 with *why set (and SDL_GetError saying more). */
static SDL_AudioDeviceID start_and_open(audio_out *ao, const SDL_AudioSpec *want, SDL_AudioSpec *have,
					const char **why)
{
	if (!ao->sdl_up) {
		if (SDL_InitSubSystem(SDL_INIT_AUDIO) < 0) {
			*why = "cannot start SDL audio";
			return 0;
		}
		ao->sdl_up = 1;
	}
	SDL_AudioSpec w = *want;
	const char *driver = SDL_GetCurrentAudioDriver();
	w.samples = device_frames_for(ao->rate, ao->latency_ms, driver && !strcmp(driver, "disk"));
	/* SDL converts rate, format and channels if the device differs; only
	 * the buffer size may change, and we use what we got. */
	SDL_AudioDeviceID dev = SDL_OpenAudioDevice(NULL, 0, &w, have, SDL_AUDIO_ALLOW_SAMPLES_CHANGE);
	if (!dev)
		*why = "cannot open the audio device";
	else if (!have->samples)
		have->samples = w.samples;
	return dev;
}

static int open_device(audio_out *ao)
{
	SDL_AudioSpec want, have;
	SDL_zero(want);
	SDL_zero(have);
	want.freq = (int)ao->rate;
	want.format = ao->format == SHMFB_SAMPLE_F32 ? AUDIO_F32LSB : AUDIO_S16LSB;
	want.channels = (Uint8)ao->channels;
	want.callback = audio_callback;
	want.userdata = ao;
	const char *why = NULL;
	/* ALSA says "no sound card" in eight lines of its own; failed() says it in one. */
	int saved = os_mute_stderr();
	ao->dev = start_and_open(ao, &want, &have, &why);
	os_unmute_stderr(saved);
	if (!ao->dev) {
		failed(ao, why); /* with stderr back */
		return -1;
	}
	ao->device_frames = have.samples;
	return 0;
}

/* Opens our own reader of the mapping; NULL when it has no audio. */
static shmfb_reader *open_reader(audio_out *ao, const shmfb_info *info)
{
	if (info->audio_rate == 0)
		return NULL;
	shmfb_reader *r;
	if (shmfb_open(ao->name, &r) < 0)
		return NULL; /* gone already: the next attach tries again */
	const shmfb_info *mine = shmfb_reader_info(r);
	if (mine->generation != info->generation || mine->audio_rate == 0) {
		shmfb_reader_close(r); /* replaced meanwhile: so will the source be */
		return NULL;
	}
	return r;
}

static void reset_levels_locked(audio_out *ao)
{
	ao->prefilling = 1;
	ao->loud_gap = 0;
}

void audio_attach(audio_out *ao, const shmfb_info *info)
{
	if (ao->state == AUDIO_OFF)
		return;
	shmfb_reader *r = open_reader(ao, info);
	const shmfb_info *ri = r ? shmfb_reader_info(r) : NULL;
	int same = ao->dev && ri && ri->audio_rate == ao->rate && ri->audio_channels == ao->channels &&
		   ri->audio_format == ao->format;
	if (same) {
		/* Same sound format: swap the reader under the device's lock. */
		SDL_LockAudioDevice(ao->dev);
		shmfb_reader *old = ao->reader;
		ao->reader = r;
		ao->capacity = ri->audio_capacity;
		set_levels(ao);
		reset_levels_locked(ao);
		SDL_UnlockAudioDevice(ao->dev);
		shmfb_reader_close(old);
		return;
	}
	close_device(ao);
	if (!r) {
		if (ao->state != AUDIO_FAILED)
			ao->state = AUDIO_NONE;
		return;
	}
	ao->rate = ri->audio_rate;
	ao->channels = ri->audio_channels;
	ao->format = ri->audio_format;
	ao->frame_bytes = ri->audio_frame_bytes;
	ao->capacity = ri->audio_capacity;
	if (open_device(ao) < 0) {
		shmfb_reader_close(r);
		return;
	}
	/* The callback does not run until unpaused: no lock needed yet. */
	ao->reader = r;
	set_levels(ao);
	reset_levels_locked(ao);
	ao->state = AUDIO_PLAYING;
	SDL_PauseAudioDevice(ao->dev, 0);
}

void audio_set_running(audio_out *ao, int running)
{
	/* relaxed: see pull; the callback reads nothing else because of it. */
	atomic_store_explicit(&ao->running, running, memory_order_relaxed);
}

void audio_release(audio_out *ao)
{
	shmfb_reader *old = ao->reader;
	if (!old)
		return;
	/* The callback plays silence without a reader; the device stays open
	 * for the next generation. */
	if (ao->dev)
		SDL_LockAudioDevice(ao->dev);
	ao->reader = NULL;
	if (ao->dev)
		SDL_UnlockAudioDevice(ao->dev);
	shmfb_reader_close(old);
}

void audio_close(audio_out *ao)
{
	close_device(ao);
	if (ao->sdl_up)
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
	ao->sdl_up = 0;
}

/* ------------------------------------------------------ offsets (main) */

static void window_add(audio_window *w, int64_t ns)
{
	int64_t us = ns / 1000;
	if (us > INT32_MAX)
		us = INT32_MAX;
	if (us < INT32_MIN)
		us = INT32_MIN;
	w->us[w->pos] = (int32_t)us;
	w->pos = (w->pos + 1) % AUDIO_RING;
	if (w->n < AUDIO_RING)
		w->n++;
	w->count++;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* Value at rank pct (0..100) of the window, in ms; 0 when empty. */
static double window_rank_ms(const audio_window *w, double pct)
{
	if (!w->n)
		return 0;
	int32_t tmp[AUDIO_RING];
	memcpy(tmp, w->us, w->n * sizeof *tmp);
	qsort(tmp, w->n, sizeof *tmp, cmp_i32);
	size_t k = (size_t)(pct / 100.0 * (w->n - 1) + 0.5);
	return tmp[k] / 1000.0;
}

double audio_window_median_ms(const audio_window *w)
{
	return window_rank_ms(w, 50);
}

static void remove_at(audio_event *v, unsigned *n, unsigned i)
{
	memmove(v + i, v + i + 1, (*n - i - 1) * sizeof *v);
	(*n)--;
}

/* Pairs each click with the nearest flash within the window; expires the rest. */
static void pair_events(audio_out *ao, uint64_t now)
{
	for (unsigned c = 0; c < ao->nclicks;) {
		int best = -1;
		uint64_t best_d = PAIR_WINDOW_NS;
		for (unsigned f = 0; f < ao->nflashes; f++) {
			uint64_t t1 = ao->clicks[c].at_ns, t2 = ao->flashes[f].at_ns;
			uint64_t d = t1 > t2 ? t1 - t2 : t2 - t1;
			if (d < best_d) {
				best_d = d;
				best = (int)f;
			}
		}
		if (best < 0) {
			c++;
			continue;
		}
		const audio_event *ck = &ao->clicks[c], *fl = &ao->flashes[best];
		window_add(&ao->av_offset, (int64_t)(ck->at_ns - fl->at_ns));
		if (ck->pts_ns >= 0 && fl->pts_ns >= 0)
			window_add(&ao->av_pts_delta, ck->pts_ns - fl->pts_ns);
		remove_at(ao->flashes, &ao->nflashes, (unsigned)best);
		remove_at(ao->clicks, &ao->nclicks, c);
	}
	for (unsigned i = 0; i < ao->nclicks;)
		if (ao->clicks[i].at_ns + EXPIRE_NS < now)
			remove_at(ao->clicks, &ao->nclicks, i);
		else
			i++;
	for (unsigned i = 0; i < ao->nflashes;)
		if (ao->flashes[i].at_ns + EXPIRE_NS < now)
			remove_at(ao->flashes, &ao->nflashes, i);
		else
			i++;
}

void audio_video_shown(audio_out *ao, int white, uint64_t pts_ns, uint64_t present_ns)
{
	if (ao->state != AUDIO_PLAYING)
		return;
	window_add(&ao->video_latency, (int64_t)(present_ns - pts_ns));
	/* The first white frame of a run is the flash. */
	if (white && !ao->last_white) {
		if (ao->nflashes == AUDIO_FLASHES)
			remove_at(ao->flashes, &ao->nflashes, 0);
		ao->flashes[ao->nflashes++] = (audio_event){present_ns, (int64_t)pts_ns};
		pair_events(ao, present_ns);
	}
	ao->last_white = white;
}

void audio_tick(audio_out *ao, uint64_t now_ns)
{
	if (ao->state != AUDIO_PLAYING)
		return;
	/* acquire: pairs with note_latency's release add; latency_ns is as new. */
	unsigned seq = atomic_load_explicit(&ao->latency_seq, memory_order_acquire);
	if (seq != ao->latency_seen) {
		ao->latency_seen = seq;
		/* relaxed: ordered by the acquire load of latency_seq above. */
		window_add(&ao->audio_latency, atomic_load_explicit(&ao->latency_ns, memory_order_relaxed));
	}
	/* relaxed: only this (the main) thread stores click_tail. */
	unsigned tail = atomic_load_explicit(&ao->click_tail, memory_order_relaxed);
	/* acquire: pairs with push_click's release store; the slot is written. */
	while (tail != atomic_load_explicit(&ao->click_head, memory_order_acquire)) {
		if (ao->nclicks == AUDIO_CLICKS)
			remove_at(ao->clicks, &ao->nclicks, 0);
		ao->clicks[ao->nclicks++] = ao->click_q[tail % AUDIO_CLICKS];
		tail++;
		/* release: the slot is copied out and may be reused; pairs with
		 * push_click's acquire load of click_tail. */
		atomic_store_explicit(&ao->click_tail, tail, memory_order_release);
	}
	pair_events(ao, now_ns);
}

/* --------------------------------------------------------------- reports */

const char *audio_state_word(audio_state st)
{
	switch (st) {
	case AUDIO_OFF: return "off";
	case AUDIO_NONE: return "none";
	case AUDIO_PLAYING: return "playing";
	case AUDIO_FAILED: return "failed";
	}
	return "?";
}

/* A counter the callback bumps, for the reports. */
static unsigned long long counter(const atomic_uint_fast64_t *c)
{
	/* relaxed: a statistic; nothing is read because of its value. */
	return (unsigned long long)atomic_load_explicit(c, memory_order_relaxed);
}

void audio_overlay_line(const audio_out *ao, char *buf, size_t n)
{
	switch (ao->state) {
	case AUDIO_OFF:
		snprintf(buf, n, "audio off (--no-audio)");
		return;
	case AUDIO_NONE:
		snprintf(buf, n, "audio: none in the mapping");
		return;
	case AUDIO_FAILED:
		snprintf(buf, n, "audio failed: %s", ao->problem);
		return;
	case AUDIO_PLAYING:
		break;
	}
	/* Short enough for a 640-pixel window: "~" marks the clock estimate. */
	char av[32];
	if (ao->av_offset.n)
		snprintf(av, sizeof av, "A/V %+.0f ms", audio_window_median_ms(&ao->av_offset));
	else if (ao->audio_latency.n && ao->video_latency.n)
		snprintf(av, sizeof av, "A/V ~%+.0f ms",
			 audio_window_median_ms(&ao->audio_latency) -
				 audio_window_median_ms(&ao->video_latency));
	else
		snprintf(av, sizeof av, "A/V -");
	const char *fmt = shmfb_sampfmt_name(ao->format);
	snprintf(buf, n, "audio %gk %s x%u  %.0f ms  under %llu over %llu  %s", ao->rate / 1000.0,
		 fmt ? fmt : "?", ao->channels, audio_window_median_ms(&ao->audio_latency),
		 counter(&ao->underruns), counter(&ao->overruns), av);
}

static void json_window(FILE *f, const char *key, const audio_window *w)
{
	fprintf(f, "\"%s\": {\"count\": %llu", key, (unsigned long long)w->count);
	if (w->n)
		fprintf(f, ", \"p50\": %.3f, \"min\": %.3f, \"max\": %.3f", window_rank_ms(w, 50),
			window_rank_ms(w, 0), window_rank_ms(w, 100));
	fputc('}', f);
}

void audio_write_json(const audio_out *ao, FILE *f)
{
	fprintf(f, "  \"audio\": {\"state\": \"%s\"", audio_state_word(ao->state));
	if (ao->rate) {
		const char *fmt = shmfb_sampfmt_name(ao->format);
		fprintf(f, ", \"rate\": %u, \"channels\": %u, \"format\": \"%s\"", ao->rate, ao->channels,
			fmt ? fmt : "?");
		fprintf(f, ",\n    \"device_frames\": %u, \"start_frames\": %u, \"device_delay_ms\": %.3f",
			ao->device_frames, ao->start_frames, ao->device_delay_ns / 1e6);
	}
	fprintf(f, ",\n    \"frames_played\": %llu, \"underruns\": %llu, \"overruns\": %llu, "
		   "\"frames_lost\": %llu, \"skips\": %llu, \"frames_skipped\": %llu",
		counter(&ao->played), counter(&ao->underruns), counter(&ao->overruns), counter(&ao->lost),
		counter(&ao->skips), counter(&ao->skipped));
	fprintf(f, ",\n    ");
	json_window(f, "latency_ms", &ao->audio_latency);
	fprintf(f, ",\n    ");
	json_window(f, "video_latency_ms", &ao->video_latency);
	fprintf(f, ",\n    \"av_clock_offset_ms\": ");
	if (ao->audio_latency.n && ao->video_latency.n)
		fprintf(f, "%.3f", audio_window_median_ms(&ao->audio_latency) -
					   audio_window_median_ms(&ao->video_latency));
	else
		fprintf(f, "null");
	fprintf(f, ",\n    ");
	json_window(f, "av_offset_ms", &ao->av_offset);
	fprintf(f, ",\n    ");
	json_window(f, "av_pts_delta_ms", &ao->av_pts_delta);
	if (ao->state == AUDIO_FAILED) {
		fprintf(f, ",\n    \"problem\": ");
		/* The message is SDL's: keep it JSON-safe. */
		fputc('"', f);
		for (const char *s = ao->problem; *s; s++)
			fputc(*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ? '\'' : *s, f);
		fputc('"', f);
	}
	fputc('}', f);
}
