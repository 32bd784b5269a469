/*
 * source.c - the viewer's connection to a mapping name.
 *
 * The main thread owns the reader.  A waiter thread per generation sleeps in
 * shmfb_reader_wait (a futex: no polling) and pushes one SDL user event when
 * a frame newer than the one the main thread has dealt with appears; it then
 * sleeps until the main thread says it handled that event.  So at most one
 * event is in flight, the waiter wakes at most once per frame shown, and a
 * paused producer costs nothing.
 *
 * Everything slower (is the producer alive? did the name get a new
 * generation?) is checked by source_poll, which the main thread calls a few
 * times a second.
 */
#include <stdio.h>
#include <string.h>

#include "viewer.h"

/* How long the waiter sleeps in one call, so that it notices `stop`. */
#define WAITER_SLICE_NS (100 * SHMFB_MS)
#define WAITER_SLICE_MS 100

void source_init(source *s, const char *name, Uint32 frame_event, SDL_sem *wake)
{
	memset(s, 0, sizeof *s);
	s->name = name;
	s->frame_event = frame_event;
	s->wake = wake;
	s->state = SOURCE_WAITING;
	atomic_init(&s->stop, 0);
	atomic_init(&s->seen, 0);
}

static int waiter_main(void *arg)
{
	source *s = arg;
	/* The reader and tag stay fixed for this thread's life: stop_waiter
	 * joins before either changes. */
	shmfb_reader *r = s->reader;
	int tag = s->tag;
	/* relaxed: a stop flag; stop_waiter joins us, nothing hangs on it. */
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		/* relaxed: a plain number; the consumed semaphore orders it. */
		uint64_t after = atomic_load_explicit(&s->seen, memory_order_relaxed);
		int rc = shmfb_reader_wait(r, after, WAITER_SLICE_NS, 0);
		if (rc == SHMFB_ETIMEDOUT)
			continue;
		if (rc < 0) { /* closed: source_poll notices; just do not spin */
			SDL_SemWaitTimeout(s->consumed, WAITER_SLICE_MS);
			continue;
		}
		SDL_Event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = s->frame_event;
		ev.user.code = tag;
		if (SDL_PushEvent(&ev) != 1) {
			SDL_Delay(WAITER_SLICE_MS); /* queue full or filtered: try later */
			continue;
		}
		if (s->wake)
			SDL_SemPost(s->wake);
		/* Sleep until the main thread has handled it (or we are stopped).
		 * relaxed: a stop flag, as above. */
		while (!atomic_load_explicit(&s->stop, memory_order_relaxed) &&
		       SDL_SemWaitTimeout(s->consumed, WAITER_SLICE_MS) == SDL_MUTEX_TIMEDOUT)
			;
	}
	return 0;
}

static void stop_waiter(source *s)
{
	if (!s->waiter)
		return;
	/* relaxed: a stop flag; the post and the join below order the rest. */
	atomic_store_explicit(&s->stop, 1, memory_order_relaxed);
	SDL_SemPost(s->consumed);
	SDL_WaitThread(s->waiter, NULL);
	SDL_DestroySemaphore(s->consumed);
	s->waiter = NULL;
	s->consumed = NULL;
}

static int start_waiter(source *s)
{
	s->tag++; /* from 1: 0 means no waiter */
	/* relaxed: no waiter runs; creating it orders these before its start. */
	atomic_store_explicit(&s->stop, 0, memory_order_relaxed);
	atomic_store_explicit(&s->seen, 0, memory_order_relaxed); /* relaxed: likewise */
	s->consumed = SDL_CreateSemaphore(0);
	if (!s->consumed)
		return -1;
	s->waiter = SDL_CreateThread(waiter_main, "shmfb-waiter", s);
	if (!s->waiter) {
		SDL_DestroySemaphore(s->consumed);
		s->consumed = NULL;
		return -1;
	}
	return 0;
}

/* Replaces the current generation (if any) by r. */
static int attach(source *s, shmfb_reader *r)
{
	stop_waiter(s);
	shmfb_reader_close(s->reader);
	s->reader = r;
	s->info = *shmfb_reader_info(r);
	s->state = SOURCE_RUNNING;
	s->problem[0] = 0;
	s->attaches++;
	if (start_waiter(s) < 0) {
		snprintf(s->problem, sizeof s->problem, "cannot start the waiter thread: %s", SDL_GetError());
		return SHMFB_ENOMEM;
	}
	return 1;
}

/* Tries to open NAME; returns the reader if it is a generation we do not have. */
static int try_open(source *s, shmfb_reader **out)
{
	*out = NULL;
	shmfb_reader *r;
	int rc = shmfb_open(s->name, &r);
	if (rc < 0)
		return rc;
	if (s->attaches && shmfb_reader_info(r)->generation == s->info.generation) {
		shmfb_reader_close(r); /* the same one, e.g. closed but kept */
		return 0;
	}
	*out = r;
	return 1;
}

static int poll_waiting(source *s)
{
	shmfb_reader *r;
	int rc = try_open(s, &r);
	if (rc == 1)
		return attach(s, r);
	if (rc == SHMFB_ENOENT) {
		if (!s->attaches)
			s->state = SOURCE_WAITING;
		return 0;
	}
	if (rc < 0) {
		/* Something is there that we cannot use.  Before the first
		 * attach that is the user's error; later keep the last frame
		 * and keep trying. */
		snprintf(s->problem, sizeof s->problem, "%s", shmfb_errdetail());
		if (s->attaches == 0)
			return rc;
		s->state = SOURCE_BROKEN;
	}
	return 0;
}

int source_corrupt(source *s, int rc)
{
	if (rc != SHMFB_EBACKWARDS && rc != SHMFB_EBADLATEST && rc != SHMFB_EBADSTATE && rc != SHMFB_EBADCLAIM)
		return 0;
	s->state = SOURCE_CORRUPT;
	snprintf(s->problem, sizeof s->problem, "%s", shmfb_errdetail());
	return 1;
}

int source_poll(source *s)
{
	if (!s->reader)
		return poll_waiting(s);
	int rc = shmfb_reader_status(s->reader);
	if (source_corrupt(s, rc))
		return poll_waiting(s); /* a new generation may replace it */
	switch (rc) {
	case 0:
		s->state = SOURCE_RUNNING;
		s->problem[0] = 0;
		return 0;
	case SHMFB_ESTALE:
		s->state = SOURCE_STALE;
		snprintf(s->problem, sizeof s->problem, "%s", shmfb_errdetail());
		return 0;
	default:
		/* closed, dead or replaced: keep the last frame and look for a
		 * new generation under the name. */
		s->state = rc == SHMFB_EDEAD ? SOURCE_DEAD : SOURCE_CLOSED;
		snprintf(s->problem, sizeof s->problem, "%s", shmfb_errdetail());
		return poll_waiting(s);
	}
}

int source_event_current(const source *s, const SDL_Event *ev)
{
	return s->waiter && ev->user.code == s->tag;
}

void source_handled(source *s, int tag, uint64_t seen)
{
	if (tag != s->tag || !s->waiter)
		return; /* an event of a waiter since replaced */
	/* relaxed: the post below orders it before the waiter's next load. */
	atomic_store_explicit(&s->seen, seen, memory_order_relaxed);
	SDL_SemPost(s->consumed);
}

void source_close(source *s)
{
	stop_waiter(s);
	shmfb_reader_close(s->reader);
	s->reader = NULL;
}

const char *source_state_word(source_state st)
{
	switch (st) {
	case SOURCE_WAITING: return "waiting";
	case SOURCE_RUNNING: return "running";
	case SOURCE_STALE: return "stale";
	case SOURCE_CLOSED: return "closed";
	case SOURCE_DEAD: return "dead";
	case SOURCE_BROKEN: return "broken";
	case SOURCE_CORRUPT: return "corrupt";
	}
	return "?";
}

const char *source_state_text(const source *s, char *buf, size_t n)
{
	switch (s->state) {
	case SOURCE_WAITING:
		snprintf(buf, n, "waiting for %s", s->name);
		break;
	case SOURCE_RUNNING:
		snprintf(buf, n, "running (pid %u)", s->info.producer_pid);
		break;
	case SOURCE_STALE:
		snprintf(buf, n, "producer pid %u has gone silent", s->info.producer_pid);
		break;
	case SOURCE_CLOSED:
		snprintf(buf, n, "producer stopped; last frame kept");
		break;
	case SOURCE_DEAD:
		snprintf(buf, n, "producer pid %u died; last frame kept", s->info.producer_pid);
		break;
	case SOURCE_BROKEN:
		snprintf(buf, n, "unusable mapping: %s", s->problem);
		break;
	case SOURCE_CORRUPT:
		snprintf(buf, n, "mapping corrupt; last frame kept: %s", s->problem);
		break;
	}
	return buf;
}
