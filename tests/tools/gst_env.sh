# gst_env.sh - sourced by tests/gst_*.sh: producer_env.sh's programs, names
# and cleanup, plus the plugin in a throwaway registry, gst_tool, and `gstl`,
# gst-launch-1.0 bounded by a timeout (seconds in GSTL_TIMEOUT, default 20).
# Skips (77) when the plugin was not built (no GStreamer dev packages) and
# under sanitizers (a sanitized plugin cannot load into gst-launch-1.0).
. "$(dirname "$0")/tools/producer_env.sh"
[ -n "${SAN:-}" ] && { echo "the GStreamer plugin is not tested under sanitizers"; exit 77; }
[ -f "$SHMFB_BUILD/gst/libgstshmfb.so" ] || { echo "GStreamer plugin not built (no GStreamer dev packages)"; exit 77; }
GT="$SHMFB_BUILD/tests/gst_tool"
[ -x "$GT" ] || { echo "gst_tool not built"; exit 77; }
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 not installed"; exit 77; }
export GST_PLUGIN_PATH="$SHMFB_BUILD/gst"
export GST_REGISTRY="$T/registry.bin"
export GST_REGISTRY_FORK=no
gstl() { timeout -k 2 "${GSTL_TIMEOUT:-20}" gst-launch-1.0 -q "$@"; }
# gst_wait_mapped PID NAME: until process PID has the mapping NAME mapped (5 s)
gst_wait_mapped() {
	i=0
	until grep -q "shmfb-$2" "/proc/$1/maps" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "pid $1 never mapped $2"
		sleep 0.05
	done
}
