/*
 * test_producer_win32.c - shmfb-producer.exe on Windows: the pattern's
 * frames arrive with stamps that decode to their frame numbers, its audio
 * ring fills at its rate, and it exits 0 after --frames.  Built only for
 * Windows (run by make test-win32 under Wine).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "shmfb.h"
#include "test.h"
#include "util.h"

#define W 320
#define H 240

/* Starts bin\shmfb-producer.exe (beside this test's tests\ directory) with args. */
static PROCESS_INFORMATION start_producer(const char *args)
{
	char exe[MAX_PATH], cmd[1024];
	GetModuleFileNameA(NULL, exe, sizeof exe);
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(exe, '\\');
		ASSERT(slash != NULL);
		*slash = 0;
	}
	strncat(exe, "\\bin\\shmfb-producer.exe", sizeof exe - strlen(exe) - 1);
	snprintf(cmd, sizeof cmd, "\"%s\" %s", exe, args);
	STARTUPINFOA si;
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	PROCESS_INFORMATION pi;
	if (!CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
		FAIL_AT("cannot start %s: Windows error %lu", exe, (unsigned long)GetLastError());
	return pi;
}

static int finish(PROCESS_INFORMATION *pi, DWORD timeout_ms)
{
	if (WaitForSingleObject(pi->hProcess, timeout_ms) != WAIT_OBJECT_0) {
		TerminateProcess(pi->hProcess, 99);
		FAIL_AT("the producer did not exit within %lu ms", (unsigned long)timeout_ms);
	}
	DWORD code;
	GetExitCodeProcess(pi->hProcess, &code);
	CloseHandle(pi->hProcess);
	CloseHandle(pi->hThread);
	return (int)code;
}

static shmfb_reader *open_when_ready(const char *name)
{
	shmfb_reader *r = NULL;
	for (int i = 0; i < 1000; i++) {
		if (shmfb_open(name, &r) == 0)
			return r;
		test_sleep_ms(10);
	}
	FAIL_AT("%s never appeared: %s", name, shmfb_errdetail());
}

static void pattern_frames(void)
{
	const char *name = test_unique_name("prod");
	char args[256];
	snprintf(args, sizeof args, "--size %dx%d --fps 30 --frames 90 %s", W, H, name);
	PROCESS_INFORMATION pi = start_producer(args);
	shmfb_reader *r = open_when_ready(name);
	ASSERT_EQ(shmfb_reader_info(r)->width, W);
	static uint8_t buf[W * H * 4];
	uint64_t seen = 0;
	int decoded = 0;
	for (int i = 0; i < 10; i++) {
		ASSERT_OK(shmfb_reader_wait(r, seen, 5 * SHMFB_SEC, 0));
		shmfb_frame f;
		int rc = shmfb_reader_copy_latest(r, buf, sizeof buf, &f);
		if (rc == SHMFB_EAGAIN)
			continue;
		ASSERT_OK(rc);
		seen = f.index;
		shmfb_stamp s;
		ASSERT_OK(shmfb_stamp_decode(buf, W, H, W * 4, SHMFB_FMT_RGBA8, &s));
		ASSERT_EQ(s.frame_number, f.frame_number);
		decoded++;
	}
	ASSERT_GE(decoded, 5);
	shmfb_reader_close(r);
	ASSERT_EQ(finish(&pi, 20000), 0);
}

/*
 * The tone's ring fills at its rate.  Polled, not waited for: the Windows
 * backend keeps one chain of wake events per mapping, which the audio and
 * the video wakes would share (reported to the lead).
 */
static void tone(void)
{
	const char *name = test_unique_name("tone");
	char args[256];
	snprintf(args, sizeof args, "--size 64x64 --fps 5 --frames 15 --audio tone=1000 --audio-channels 1 %s",
		 name);
	PROCESS_INFORMATION pi = start_producer(args);
	shmfb_reader *r = open_when_ready(name);
	const shmfb_info *in = shmfb_reader_info(r);
	ASSERT_EQ(in->audio_rate, 48000);
	ASSERT_EQ(in->audio_channels, 1);
	ASSERT_EQ(in->audio_format, SHMFB_SAMPLE_S16);
	/* Half a second of audio arrives in about half a second (the tone's
	 * samples themselves are checked on Linux). */
	uint64_t t0 = shmfb_now_ns(), w0 = shmfb_audio_written(r);
	test_sleep_ms(500);
	uint64_t frames = shmfb_audio_written(r) - w0, ns = shmfb_now_ns() - t0;
	ASSERT_GT(frames, 0);
	double rate = (double)frames * 1e9 / (double)ns;
	if (rate < 48000 * 0.7 || rate > 48000 * 1.3)
		FAIL_AT("audio came at %.0f frames a second, want about 48000", rate);
	shmfb_reader_close(r);
	ASSERT_EQ(finish(&pi, 20000), 0);
}

static void bad_option(void)
{
	PROCESS_INFORMATION pi = start_producer("--mode 9 x");
	ASSERT_EQ(finish(&pi, 20000), 2);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	pattern_frames();
	tone();
	bad_option();
	return 0;
}
