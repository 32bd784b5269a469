/*
 * test_producer_win32.c - shmfb-producer.exe on Windows: the pattern's
 * frames arrive with stamps that decode to their frame numbers, its audio
 * ring fills at its rate, raw frames from a pipe arrive byte for byte,
 * shmfb.exe cat ends quietly when its pipe's reader goes, a directory
 * plays as a slideshow, --mode warns that it has no effect, and
 * it exits 0 after --frames.  Built only for Windows (run by make
 * test-win32 under Wine).
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

/*
 * Starts bin\PROG (beside this test's tests\ directory) with args; stdin
 * from `in`, stdout to `out` and stderr to `err` when they are not NULL,
 * and with the Windows process creation flags `flags`.
 */
static PROCESS_INFORMATION start_program(const char *prog, const char *args, HANDLE in, HANDLE out, HANDLE err,
					 DWORD flags)
{
	char exe[MAX_PATH], cmd[1024];
	GetModuleFileNameA(NULL, exe, sizeof exe);
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(exe, '\\');
		ASSERT(slash != NULL);
		*slash = 0;
	}
	strncat(exe, "\\bin\\", sizeof exe - strlen(exe) - 1);
	strncat(exe, prog, sizeof exe - strlen(exe) - 1);
	snprintf(cmd, sizeof cmd, "\"%s\" %s", exe, args);
	STARTUPINFOA si;
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	int redirect = in || out || err;
	if (redirect) {
		si.dwFlags = STARTF_USESTDHANDLES;
		si.hStdInput = in ? in : GetStdHandle(STD_INPUT_HANDLE);
		si.hStdOutput = out ? out : GetStdHandle(STD_OUTPUT_HANDLE);
		si.hStdError = err ? err : GetStdHandle(STD_ERROR_HANDLE);
	}
	PROCESS_INFORMATION pi;
	if (!CreateProcessA(exe, cmd, NULL, NULL, redirect, flags, NULL, NULL, &si, &pi))
		FAIL_AT("cannot start %s: Windows error %lu", exe, (unsigned long)GetLastError());
	return pi;
}

static PROCESS_INFORMATION start_producer_with(const char *args, HANDLE in, HANDLE err, DWORD flags)
{
	return start_program("shmfb-producer.exe", args, in, NULL, err, flags);
}

static PROCESS_INFORMATION start_producer(const char *args)
{
	return start_producer_with(args, NULL, NULL, 0);
}

static int finish(PROCESS_INFORMATION *pi, DWORD timeout_ms)
{
	if (WaitForSingleObject(pi->hProcess, timeout_ms) != WAIT_OBJECT_0) {
		TerminateProcess(pi->hProcess, 99);
		FAIL_AT("the program did not exit within %lu ms", (unsigned long)timeout_ms);
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

/* The tone's ring fills at its rate (its samples are checked on Linux). */
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

/* Byte i of raw frame k, as the test writes it into the producer's stdin. */
static uint8_t raw_byte(uint32_t k, uint32_t i)
{
	return (uint8_t)(k * 31u + i * 7u + (i >> 8));
}

/*
 * --raw through a pipe, as from ffmpeg: three whole 64x48 frames and a
 * short fourth.  Each frame arrives as written, the short one is never
 * published, and the producer exits 1 for it.
 */
static void raw_pipe(void)
{
	enum { RW = 64, RH = 48, N = RW * RH * 4, FRAMES = 3, SHORT = 100 };
	const char *name = test_unique_name("raw");
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	HANDLE rd, wr;
	ASSERT(CreatePipe(&rd, &wr, &sa, 4 * N)); /* room for all of it: no writer thread */
	SetHandleInformation(wr, HANDLE_FLAG_INHERIT, 0);
	static uint8_t frame[N];
	for (uint32_t k = 0; k <= FRAMES; k++) {
		for (uint32_t i = 0; i < N; i++)
			frame[i] = raw_byte(k, i);
		DWORD put;
		ASSERT(WriteFile(wr, frame, k < FRAMES ? N : SHORT, &put, NULL));
	}
	char args[256];
	snprintf(args, sizeof args, "--size %dx%d --fps 10 --raw %s", RW, RH, name);
	PROCESS_INFORMATION pi = start_producer_with(args, rd, NULL, 0);
	CloseHandle(rd);
	CloseHandle(wr); /* end of input after the short frame */
	shmfb_reader *r = open_when_ready(name);
	uint64_t seen = 0, last = 0;
	int checked = 0;
	while (last + 1 < FRAMES) {
		ASSERT_OK(shmfb_reader_wait(r, seen, 5 * SHMFB_SEC, 0));
		shmfb_frame f;
		int rc = shmfb_reader_copy_latest(r, frame, N, &f);
		if (rc == SHMFB_EAGAIN)
			continue;
		ASSERT_OK(rc);
		seen = f.index;
		last = f.frame_number;
		ASSERT_LT(last, FRAMES);
		for (uint32_t i = 0; i < N; i++)
			if (frame[i] != raw_byte((uint32_t)last, i))
				FAIL_AT("raw frame %llu: byte %u is %u, written %u", (unsigned long long)last, i,
					frame[i], raw_byte((uint32_t)last, i));
		checked++;
	}
	ASSERT_EQ(finish(&pi, 20000), 1);
	ASSERT_EQ(shmfb_reader_latest_index(r), FRAMES);
	shmfb_reader_close(r);
	fprintf(stderr, "raw: %d frames checked byte for byte, the short one not published\n", checked);
}

/*
 * shmfb.exe cat into a pipe whose reader goes away, as `shmfb cat X | head
 * -c 100` does: Windows has no SIGPIPE, and the failed write must end cat
 * quietly with 0, as the closed pipe does on Linux, not as an error.
 */
static void cat_closed_pipe(void)
{
	const char *name = test_unique_name("epipe");
	char args[256];
	snprintf(args, sizeof args, "--size 64x48 --fps 30 %s", name);
	PROCESS_INFORMATION prod = start_producer(args);
	shmfb_reader_close(open_when_ready(name));
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	HANDLE rd, wr;
	ASSERT(CreatePipe(&rd, &wr, &sa, 4096));
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
	char err_path[MAX_PATH];
	snprintf(err_path, sizeof err_path, "%s.err", test_unique_name("epipe"));
	HANDLE err = CreateFileA(err_path, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_ALWAYS, 0, NULL);
	ASSERT(err != INVALID_HANDLE_VALUE);
	snprintf(args, sizeof args, "cat %s", name);
	PROCESS_INFORMATION cat = start_program("shmfb.exe", args, NULL, wr, err, 0);
	CloseHandle(wr);
	CloseHandle(err);
	static uint8_t got[100];
	DWORD have = 0, n;
	while (have < sizeof got && ReadFile(rd, got + have, (DWORD)(sizeof got - have), &n, NULL) && n)
		have += n;
	ASSERT_EQ(have, sizeof got);
	CloseHandle(rd); /* the reader goes away */
	int code = finish(&cat, 10000);
	FILE *f = fopen(err_path, "rb");
	char said[256] = "";
	size_t len = f ? fread(said, 1, sizeof said - 1, f) : 0;
	if (f)
		fclose(f);
	DeleteFileA(err_path);
	TerminateProcess(prod.hProcess, 0);
	finish(&prod, 5000);
	shmfb_unlink(name);
	if (code != 0 || len)
		FAIL_AT("cat into a closed pipe: exit %d, said: %s", code, said);
	fprintf(stderr, "cat: a closed pipe ends it quietly with 0\n");
}

/* A w x h BMP of one colour (24-bit, bottom-up rows padded to 4 bytes). */
static void write_bmp(const char *path, int w, int h, uint8_t r, uint8_t g, uint8_t b)
{
	int row = (w * 3 + 3) & ~3, size = 54 + row * h;
	uint8_t hdr[54] = {'B', 'M'};
	uint32_t fields[][2] = {{2, (uint32_t)size}, {10, 54}, {14, 40}, {18, (uint32_t)w}, {22, (uint32_t)h},
				{26, 1 | 24u << 16}, {34, (uint32_t)(row * h)}};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		for (int k = 0; k < 4; k++)
			hdr[fields[i][0] + k] = (uint8_t)(fields[i][1] >> (8 * k));
	FILE *f = fopen(path, "wb");
	ASSERT(f != NULL);
	fwrite(hdr, 1, sizeof hdr, f);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < row; x++)
			fputc(x >= w * 3 ? 0 : x % 3 == 0 ? b : x % 3 == 1 ? g : r, f);
	fclose(f);
}

/*
 * --image DIR: a slideshow of the directory's two BMPs (a third file that
 * is not an image is skipped); the middle of the frame shows each colour.
 */
static void image_dir(void)
{
	enum { IW = 64, IH = 48 };
	char dir[MAX_PATH], path[MAX_PATH + 16];
	GetTempPathA(sizeof dir, dir);
	strncat(dir, test_unique_name("img"), sizeof dir - strlen(dir) - 1);
	ASSERT(CreateDirectoryA(dir, NULL));
	snprintf(path, sizeof path, "%s\\a.bmp", dir);
	write_bmp(path, 4, 4, 200, 30, 10);
	snprintf(path, sizeof path, "%s\\b.bmp", dir);
	write_bmp(path, 4, 4, 20, 40, 220);
	snprintf(path, sizeof path, "%s\\c.bmp", dir);
	FILE *junk = fopen(path, "wb");
	ASSERT(junk != NULL);
	fputs("not an image", junk);
	fclose(junk);

	const char *name = test_unique_name("show");
	char args[MAX_PATH + 128];
	snprintf(args, sizeof args, "--size %dx%d --fps 30 --hold 0.2 --frames 60 --image \"%s\" %s", IW, IH, dir,
		 name);
	PROCESS_INFORMATION pi = start_producer(args);
	shmfb_reader *r = open_when_ready(name);
	static uint8_t buf[IW * IH * 4];
	int saw_a = 0, saw_b = 0;
	uint64_t seen = 0;
	while (!(saw_a && saw_b) && shmfb_reader_wait(r, seen, 5 * SHMFB_SEC, 0) == 0) {
		shmfb_frame f;
		if (shmfb_reader_copy_latest(r, buf, sizeof buf, &f) != 0)
			continue;
		seen = f.index;
		const uint8_t *mid = buf + ((IH / 2) * IW + IW / 2) * 4;
		saw_a |= mid[0] == 200 && mid[1] == 30 && mid[2] == 10;
		saw_b |= mid[0] == 20 && mid[1] == 40 && mid[2] == 220;
	}
	ASSERT(saw_a && saw_b);
	shmfb_reader_close(r);
	ASSERT_EQ(finish(&pi, 20000), 0);
	const char *files[] = {"a.bmp", "b.bmp", "c.bmp"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s\\%s", dir, files[i]);
		DeleteFileA(path);
	}
	RemoveDirectoryA(dir);
}

static void bad_option(void)
{
	PROCESS_INFORMATION pi = start_producer("--mode 9 x");
	ASSERT_EQ(finish(&pi, 20000), 2);
}

/* --mode has no meaning for a Windows mapping: it runs, and says so. */
static void mode_warns(void)
{
	char path[MAX_PATH], args[256];
	GetTempPathA(sizeof path, path);
	strncat(path, test_unique_name("mode-err"), sizeof path - strlen(path) - 1);
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	HANDLE err = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
				 CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY, NULL);
	ASSERT(err != INVALID_HANDLE_VALUE);
	snprintf(args, sizeof args, "--mode 0640 --size 64x64 --frames 3 %s", test_unique_name("mode"));
	PROCESS_INFORMATION pi = start_producer_with(args, NULL, err, 0);
	ASSERT_EQ(finish(&pi, 20000), 0);
	char text[1024] = {0};
	DWORD got = 0;
	SetFilePointer(err, 0, NULL, FILE_BEGIN);
	ReadFile(err, text, sizeof text - 1, &got, NULL);
	CloseHandle(err);
	DeleteFileA(path);
	ASSERT_STR_CONTAINS(text, "--mode 0640: mappings here have no permission bits");
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	pattern_frames();
	tone();
	raw_pipe();
	cat_closed_pipe();
	image_dir();
	bad_option();
	mode_warns();
	return 0;
}
