/*
 * iceoryx_peer.c - shmfb-bench-iceoryx: iceoryx's zero-copy publish /
 * subscribe for shmfb bench's section 7, as a program of its own (neither
 * the library nor the shmfb command links iceoryx).  The bench starts
 * iox-roudi with a memory pool for the frames, then one publisher and the
 * subscribers as processes of this program, and stops RouDi afterwards.
 *
 *   shmfb-bench-iceoryx pub RATE WINDOW_S BYTES OUT SUB_OUT...
 *   shmfb-bench-iceoryx sub ID WINDOW_S OUT
 *
 * A subscriber creates OUT.ready once RouDi has connected it to the
 * publisher; the publisher starts only when every SUB_OUT.ready exists.
 * (Waiting for "has subscribers" plus a fixed delay was not enough: on a
 * loaded machine a late subscriber connected after the end mark, waited for
 * it in vain and failed the bench.)  Then the publisher loans a chunk, writes the frame into it (a memcpy of BYTES,
 * what a producer drawing in place costs), stamps its number and the clock
 * in its first 16 bytes last, and publishes it, on the schedule of
 * delivery.c (RATE 0: as fast as it can) for the window; then a chunk
 * numbered ~0 says the end.  A subscriber sleeps on a WaitSet, takes every
 * chunk queued (queue of 2, oldest discarded when full: a subscriber never
 * holds the publisher back, as shmfb's readers cannot), notes the clock
 * minus the stamp (publish to wake and take), and releases it.
 *
 * OUT: "sent N" (publisher); "received N" and one "lat NS" line per chunk
 * (subscriber).  Exit 0, or 1 with a message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"

#include "iceoryx_binding_c/publisher.h"
#include "iceoryx_binding_c/runtime.h"
#include "iceoryx_binding_c/subscriber.h"
#include "iceoryx_binding_c/wait_set.h"

#define END_MARK UINT64_MAX
#define MAX_SAMPLES 200000
#define CONNECT_TIMEOUT_NS 10000000000ull

/* Whether the subscriber writing to `out` has said it is connected. */
static int is_ready(const char *out)
{
	char ready[4200];
	peer_ready_path(ready, sizeof ready, out);
	return access(ready, F_OK) == 0;
}

/* Waits until every subscriber's OUT.ready exists; 0, or -1 on timeout. */
static int wait_subscribers(char **subs, int n)
{
	uint64_t give_up = peer_now_ns() + CONNECT_TIMEOUT_NS;
	for (int i = 0; i < n; i++)
		while (!is_ready(subs[i])) {
			if (peer_now_ns() > give_up)
				return -1;
			peer_sleep_until(peer_now_ns() + 2000000ull);
		}
	return 0;
}

static int publish(iox_pub_t pub, const unsigned char *src, uint32_t bytes, uint64_t number)
{
	void *chunk = NULL;
	if (iox_pub_loan_chunk(pub, &chunk, bytes) != AllocationResult_SUCCESS)
		return -1;
	memcpy(chunk, src, bytes);
	uint64_t stamp[2] = {number, peer_now_ns()};
	memcpy(chunk, stamp, sizeof stamp);
	iox_pub_publish_chunk(pub, chunk);
	return 0;
}

static int run_pub(double rate, double window, uint32_t bytes, const char *out, char **subs, int n)
{
	iox_runtime_init("shmfb-bench-pub");
	iox_pub_options_t o;
	iox_pub_options_init(&o);
	o.historyCapacity = 0;
	o.subscriberTooSlowPolicy = ConsumerTooSlowPolicy_DISCARD_OLDEST_DATA;
	iox_pub_storage_t storage;
	iox_pub_t pub = iox_pub_init(&storage, "shmfb", "bench", "frames", &o);
	unsigned char *src = malloc(bytes);
	if (!src)
		return 1;
	for (uint32_t i = 0; i < bytes; i++)
		src[i] = (unsigned char)(i * 2654435761u >> 24);
	if (wait_subscribers(subs, n) < 0) {
		fprintf(stderr, "shmfb-bench-iceoryx: a subscriber did not connect within 10 s\n");
		return 1;
	}
	/* Warm-up (peer.h), with 30 chunks at least: every chunk of the pool is touched once. */
	uint64_t warm = peer_now_ns();
	for (int i = 0; i < 30 || peer_warming(i, warm); i++) {
		publish(pub, src, bytes, 0);
		peer_sleep_until(peer_now_ns() + 3000000ull);
	}
	uint64_t period = rate > 0 ? (uint64_t)(1e9 / rate) : 0, win = (uint64_t)(window * 1e9);
	uint64_t t0 = peer_now_ns(), sent = 0;
	for (uint64_t i = 0;; i++) {
		if (period)
			peer_sleep_until(t0 + i * period);
		if (peer_now_ns() - t0 >= win)
			break;
		if (publish(pub, src, bytes, i + 1) < 0) {
			fprintf(stderr, "shmfb-bench-iceoryx: no chunk to loan (RouDi's memory pool is too small)\n");
			return 1;
		}
		sent++;
	}
	for (int i = 0; i < 3; i++) { /* the end, sent a few times: a queue may drop one */
		publish(pub, src, bytes, END_MARK);
		peer_sleep_until(peer_now_ns() + 20000000ull);
	}
	FILE *f = fopen(out, "w");
	if (!f)
		return 1;
	fprintf(f, "sent %llu\n", (unsigned long long)sent);
	iox_pub_deinit(pub);
	iox_runtime_shutdown();
	return fclose(f) == 0 ? 0 : 1;
}

static int run_sub(const char *id, double window, const char *out)
{
	char name[64];
	snprintf(name, sizeof name, "shmfb-bench-sub-%s", id);
	iox_runtime_init(name);
	iox_sub_options_t o;
	iox_sub_options_init(&o);
	o.queueCapacity = 2;
	o.historyRequest = 0;
	o.queueFullPolicy = QueueFullPolicy_DISCARD_OLDEST_DATA;
	iox_sub_storage_t storage;
	iox_sub_t sub = iox_sub_init(&storage, "shmfb", "bench", "frames", &o);
	iox_ws_storage_t ws_storage;
	iox_ws_t ws = iox_ws_init(&ws_storage);
	iox_ws_attach_subscriber_state(ws, sub, SubscriberState_HAS_DATA, 0, NULL);
	static uint64_t lat[MAX_SAMPLES];
	uint64_t received = 0, give_up = peer_now_ns() + CONNECT_TIMEOUT_NS;
	while (iox_sub_get_subscription_state(sub) != SubscribeState_SUBSCRIBED && peer_now_ns() < give_up)
		peer_sleep_until(peer_now_ns() + 1000000ull);
	char ready[4200];
	peer_ready_path(ready, sizeof ready, out);
	FILE *rf = fopen(ready, "w");
	if (!rf || fclose(rf) != 0) {
		fprintf(stderr, "shmfb-bench-iceoryx: cannot create %s\n", ready);
		return 1;
	}
	give_up = peer_now_ns() + CONNECT_TIMEOUT_NS + (uint64_t)((window + 5) * 1e9);
	int done = 0;
	while (!done && peer_now_ns() < give_up) {
		iox_notification_info_t events[2];
		uint64_t missed = 0;
		struct timespec timeout = {0, 100000000};
		if (iox_ws_timed_wait(ws, timeout, events, 2, &missed) == 0)
			continue;
		const void *chunk;
		while (iox_sub_take_chunk(sub, &chunk) == ChunkReceiveResult_SUCCESS) {
			uint64_t t = peer_now_ns(), stamp[2];
			memcpy(stamp, chunk, sizeof stamp);
			iox_sub_release_chunk(sub, chunk);
			if (stamp[0] == END_MARK) {
				done = 1;
				break;
			}
			if (stamp[0] == 0)
				continue; /* warm-up */
			if (received < MAX_SAMPLES)
				lat[received] = t > stamp[1] ? t - stamp[1] : 0;
			received++;
		}
	}
	FILE *f = fopen(out, "w");
	if (!f)
		return 1;
	fprintf(f, "received %llu\n", (unsigned long long)received);
	for (uint64_t i = 0; i < received && i < MAX_SAMPLES; i++)
		fprintf(f, "lat %llu\n", (unsigned long long)lat[i]);
	iox_ws_deinit(ws);
	iox_sub_deinit(sub);
	iox_runtime_shutdown();
	if (!done)
		fprintf(stderr, "shmfb-bench-iceoryx: subscriber %s never saw the publisher's end\n", id);
	return fclose(f) == 0 && done ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "pub"))
		return run_pub(atof(argv[2]), atof(argv[3]), (uint32_t)strtoul(argv[4], NULL, 10), argv[5], argv + 6,
			       argc - 6);
	if (argc == 5 && !strcmp(argv[1], "sub"))
		return run_sub(argv[2], atof(argv[3]), argv[4]);
	fprintf(stderr, "usage: shmfb-bench-iceoryx pub RATE WINDOW_S BYTES OUT SUB_OUT... | sub ID WINDOW_S OUT\n");
	return 2;
}
