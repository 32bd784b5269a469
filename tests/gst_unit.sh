#!/bin/sh
# gst_unit.sh - the GstHarness unit tests of shmfbsink and shmfbsrc
# (tests/gst/harness.c) with the plugin from this build.
TAG=gstunit
. "$(dirname "$0")/tools/gst_env.sh"
exec "$SHMFB_BUILD/tests/gst_harness"
