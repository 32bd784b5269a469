/*
 * gstpeer.c - GStreamer transports of section 6, measured by a peer program
 * (placeholder until the peer lands: the transports are skipped).
 */
#include <stdio.h>

#include "bench.h"

int bench_gst_delivery(const bench_opts *o, bench_results *res, bench_delivery_run *run)
{
	(void)o;
	(void)res;
	run->skipped = 1;
	snprintf(run->note, sizeof run->note, "skipped: the GStreamer peer is not built");
	return 1;
}
