/*
 * wav.c - reads a PCM WAV file: RIFF/WAVE with a "fmt " chunk of 16-bit
 * integer or 32-bit float samples (plain or WAVE_FORMAT_EXTENSIBLE), 1 to
 * 8 channels, 8 to 192 kHz, and a "data" chunk.  Every size in the file is
 * checked against the file's real size before anything is allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "producer.h"

#define FMT_PCM 1
#define FMT_FLOAT 3
#define FMT_EXTENSIBLE 0xFFFE

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

struct wav_fmt {
	uint32_t tag, channels, rate, block_align, bits;
};

/* Checks the "fmt " chunk's contents; NULL when fine, else what is wrong. */
static const char *check_fmt(const uint8_t *c, uint32_t size, struct wav_fmt *f, char *buf, size_t n)
{
	if (size < 16)
		return "the fmt chunk is too short";
	f->tag = le16(c);
	f->channels = le16(c + 2);
	f->rate = le32(c + 4);
	f->block_align = le16(c + 12);
	f->bits = le16(c + 14);
	if (f->tag == FMT_EXTENSIBLE) {
		if (size < 40)
			return "the WAVE_FORMAT_EXTENSIBLE fmt chunk is too short";
		f->tag = le16(c + 24); /* the sub-format GUID starts with the plain tag */
	}
	if (f->tag != FMT_PCM && f->tag != FMT_FLOAT) {
		snprintf(buf, n, "unsupported encoding (format tag %u; only PCM and IEEE float)", f->tag);
		return buf;
	}
	if ((f->tag == FMT_PCM && f->bits != 16) || (f->tag == FMT_FLOAT && f->bits != 32)) {
		snprintf(buf, n, "unsupported %u-bit %s samples (16-bit integer or 32-bit float only)",
			 f->bits, f->tag == FMT_PCM ? "integer" : "float");
		return buf;
	}
	if (f->channels < 1 || f->channels > SHMFB_AUDIO_MAX_CHANNELS) {
		snprintf(buf, n, "%u channels (1 to %d supported)", f->channels, SHMFB_AUDIO_MAX_CHANNELS);
		return buf;
	}
	if (f->rate < SHMFB_AUDIO_MIN_RATE || f->rate > SHMFB_AUDIO_MAX_RATE) {
		snprintf(buf, n, "sample rate %u Hz (%d to %d supported)", f->rate,
			 SHMFB_AUDIO_MIN_RATE, SHMFB_AUDIO_MAX_RATE);
		return buf;
	}
	if (f->block_align != f->channels * f->bits / 8) {
		snprintf(buf, n, "block align %u disagrees with %u channels of %u bits", f->block_align,
			 f->channels, f->bits);
		return buf;
	}
	return NULL;
}

/* Fills why with "path: problem" and returns -1. */
static int fail(char *why, size_t n, const char *path, const char *problem)
{
	snprintf(why, n, "%s: %s", path, problem);
	return -1;
}

static int parse(FILE *fp, const char *path, long file_size, wav *out, char *why, size_t n)
{
	uint8_t hdr[12], ch[8];
	char buf[160];
	if (fread(hdr, 1, 12, fp) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
		return fail(why, n, path, "not a WAV file (no RIFF/WAVE header)");
	struct wav_fmt f = {0};
	int have_fmt = 0;
	uint64_t pos = 12;
	for (;;) {
		if (fread(ch, 1, 8, fp) != 8)
			return fail(why, n, path, have_fmt ? "no data chunk" : "no fmt chunk");
		pos += 8;
		uint32_t size = le32(ch + 4);
		uint64_t left = (uint64_t)file_size - pos;
		if (!memcmp(ch, "fmt ", 4)) {
			uint8_t c[64];
			if (size > left)
				return fail(why, n, path, "truncated in the fmt chunk");
			if (size > sizeof c)
				return fail(why, n, path, "the fmt chunk is too long");
			if (fread(c, 1, size, fp) != size)
				return fail(why, n, path, "truncated in the fmt chunk");
			const char *bad = check_fmt(c, size, &f, buf, sizeof buf);
			if (bad)
				return fail(why, n, path, bad);
			have_fmt = 1;
		} else if (!memcmp(ch, "data", 4)) {
			if (!have_fmt)
				return fail(why, n, path, "data chunk before the fmt chunk");
			if (size > left) {
				snprintf(buf, sizeof buf, "truncated: the data chunk claims %u bytes, the file has %llu",
					 size, (unsigned long long)left);
				return fail(why, n, path, buf);
			}
			if (size > WAV_MAX_DATA) {
				snprintf(buf, sizeof buf, "%u bytes of samples is over the limit of %u MiB", size,
					 WAV_MAX_DATA >> 20);
				return fail(why, n, path, buf);
			}
			uint32_t frames = size / f.block_align;
			if (frames == 0)
				return fail(why, n, path, "the data chunk holds no samples");
			out->data = malloc((size_t)frames * f.block_align);
			if (!out->data)
				return fail(why, n, path, "out of memory for its samples");
			if (fread(out->data, f.block_align, frames, fp) != frames) {
				free(out->data);
				out->data = NULL;
				return fail(why, n, path, "read error in the data chunk");
			}
			out->rate = f.rate;
			out->channels = f.channels;
			out->format = f.tag == FMT_FLOAT ? SHMFB_SAMPLE_F32 : SHMFB_SAMPLE_S16;
			out->frames = frames;
			return 0;
		} else {
			/* Another chunk (LIST, fact, ...): skip it and its pad byte. */
			uint64_t skip = (uint64_t)size + (size & 1);
			if (skip > left)
				return fail(why, n, path, "truncated: a chunk runs past the end of the file");
			if (fseek(fp, (long)skip, SEEK_CUR) != 0)
				return fail(why, n, path, "cannot seek past a chunk");
			pos += skip;
			continue;
		}
		pos += size;
		if (size & 1) {
			if (fseek(fp, 1, SEEK_CUR) != 0)
				return fail(why, n, path, "truncated after the fmt chunk");
			pos++;
		}
	}
}

int wav_load(const char *path, wav *out, char *why, size_t why_size)
{
	memset(out, 0, sizeof *out);
	FILE *fp;
	long size;
	int rc = file_open_sized(path, &fp, &size);
	if (rc == -1) {
		snprintf(why, why_size, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (rc < 0)
		return fail(why, why_size, path, "cannot find its size (not a regular file?)");
	rc = parse(fp, path, size, out, why, why_size);
	fclose(fp);
	return rc;
}

void wav_free(wav *w)
{
	free(w->data);
	w->data = NULL;
}
