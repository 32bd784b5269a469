#!/bin/sh
# gst_net.sh - docs/GSTREAMER.md's network recipes for real: two network
# namespaces joined by a veth pair (10.213.7.1 and .2, made here, removed at
# exit; no traffic leaves them).  In namespace A shmfbsrc reads a
# shmfb-producer's test pattern and sends it; in namespace B the receiver
# writes it into a shmfbsink; there the stamps must decode, in order, with
# their frame numbers.  Raw RTP always; H.264 over UDP and SRT when the
# encoder, decoder and SRT elements are installed.
# Needs root for the namespaces: skips (77) where they are not allowed.
TAG=gstnet
. "$(dirname "$0")/tools/gst_env.sh"
[ "$(id -u)" = 0 ] || { echo "network namespaces need root: skipped"; exit 77; }
command -v ip >/dev/null || { echo "ip (iproute2) not installed: skipped"; exit 77; }

NA=shmfb-gst-a-$$ NB=shmfb-gst-b-$$ VA=sgA$$ VB=sgB$$
A_IP=10.213.7.1 B_IP=10.213.7.2
net_cleanup() {
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	cleanup
}
trap net_cleanup EXIT INT TERM
ip netns add "$NA" 2>"$T/ns.err" || { echo "network namespaces not allowed here: $(cat "$T/ns.err")"; exit 77; }
ip netns add "$NB" || fail "second namespace"
ip link add "$VA" type veth peer name "$VB" 2>"$T/ns.err" ||
	{ echo "veth pairs not allowed here: $(cat "$T/ns.err")"; exit 77; }
ip link set "$VA" netns "$NA" && ip link set "$VB" netns "$NB" || fail "veth into the namespaces"
ip -n "$NA" addr add $A_IP/30 dev "$VA" && ip -n "$NB" addr add $B_IP/30 dev "$VB" || fail "addresses"
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set "$VA" up && ip -n "$NB" link set "$VB" up || fail "links up"
echo "namespaces $NA ($A_IP) and $NB ($B_IP) joined by a veth pair"

# The producer's pattern (RGBA with its stamp) at 160x120, 10 fps.
(exec "$P" --size 160x120 --fps 10 "$N" 2>/dev/null) & PIDS="$PIDS $!"
wait_for "$N"

# bridge WHAT SENDER RECEIVER: SENDER after "shmfbsrc location=$N !" runs in
# A, RECEIVER (ending in "! shmfbsink location=$N-far") in B; 20 frames
# must reach the far mapping with their stamps, in order.
bridge() {
	what=$1 send=$2 recv=$3
	"$S" rm "$N-far" >/dev/null 2>&1
	# shellcheck disable=SC2086 # the pipelines are meant to split
	ip netns exec "$NB" timeout -k 2 30 gst-launch-1.0 -q $recv ! shmfbsink location="$N-far" \
		>"$T/recv.out" 2>&1 & rp=$!
	PIDS="$PIDS $rp"
	sleep 0.5
	# shellcheck disable=SC2086
	ip netns exec "$NA" timeout -k 2 30 gst-launch-1.0 -q shmfbsrc location="$N" ! $send \
		>"$T/send.out" 2>&1 & sp=$!
	PIDS="$PIDS $sp"
	i=0
	until "$S" info "$N-far" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "$what: nothing arrived: $(cat "$T/recv.out" "$T/send.out")"
		sleep 0.05
	done
	ip netns exec "$NB" timeout -k 2 20 "$GT" frames "$N-far" 20 >"$T/far" 2>&1 ||
		fail "$what: far side: $(tail -n 3 "$T/far")"
	kill $sp $rp 2>/dev/null
	wait $sp $rp 2>/dev/null
	"$S" rm "$N-far" >/dev/null 2>&1 # its sink was killed: the name stays behind
	awk '$1 == "frame" {
		if ($7 < 0) bad = "a frame without a stamp"
		else if ($7 <= prev) bad = "stamp " $7 " after " prev
		prev = $7; n++
	} END { if (bad || n != 20) { print bad " (" n " frames)"; exit 1 } }' "$T/far" ||
		fail "$what: $(cat "$T/far")"
	echo "ok: $what: stamps $(awk '$1 == "frame" {print $7}' "$T/far" | paste -sd' ') decode on the far side"
}

bridge "raw RTP over UDP" \
	"rtpvrawpay ! udpsink host=$B_IP port=5004" \
	"udpsrc address=$B_IP port=5004 caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=RAW,sampling=RGBA,depth=(string)8,width=(string)160,height=(string)120,payload=96 ! rtpvrawdepay ! queue"

H264ENC=
for e in x264enc openh264enc; do gst-inspect-1.0 $e >/dev/null 2>&1 && { H264ENC=$e; break; }; done
if [ -n "$H264ENC" ] && gst-inspect-1.0 avdec_h264 >/dev/null 2>&1; then
	case $H264ENC in
	x264enc) enc="x264enc tune=zerolatency speed-preset=ultrafast bitrate=2000 key-int-max=10" ;;
	openh264enc) enc="openh264enc bitrate=2000000 gop-size=10" ;;
	esac
	bridge "H.264 over UDP ($H264ENC)" \
		"videoconvert ! video/x-raw,format=I420 ! $enc ! rtph264pay config-interval=-1 ! udpsink host=$B_IP port=5006" \
		"udpsrc address=$B_IP port=5006 caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96 ! rtph264depay ! avdec_h264 ! videoconvert ! video/x-raw,format=I420"
	if gst-inspect-1.0 srtsink >/dev/null 2>&1; then
		bridge "H.264 in MPEG-TS over SRT ($H264ENC)" \
			"videoconvert ! video/x-raw,format=I420 ! $enc ! h264parse config-interval=-1 ! mpegtsmux alignment=7 ! srtsink uri=srt://$B_IP:7001 wait-for-connection=false" \
			"srtsrc uri=srt://:7001?mode=listener ! tsdemux ! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=I420"
	else
		echo "srtsink not installed (gstreamer1.0-plugins-bad): SRT not checked"
	fi
else
	echo "no H.264 encoder (x264enc or openh264enc) or avdec_h264: H.264 and SRT not checked"
fi
echo "gst network bridge ok"
