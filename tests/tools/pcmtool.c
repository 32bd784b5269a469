/*
 * pcmtool.c - checks raw PCM written by SDL's disk audio driver for the
 * viewer's audio tests.
 *
 *   pcmtool sine FILE CHANNELS HZ RATE
 *
 * FILE is interleaved signed 16-bit little-endian.  Leading and trailing
 * silence (the device running before the first and after the last frame)
 * is ignored.  In between, channel 0 must be one continuous sine of HZ:
 * the amplitude and phase are fitted on the first millisecond, and every
 * later sample must equal that sine continued, within TOLERANCE; every
 * other channel must equal channel 0.  Prints
 *   samples=N lead=L amplitude=A breaks=B gaps=G channel_mismatch=M
 * where a break is a place the sine does not continue (refitted after it)
 * and a gap a run of GAP_RUN or more zero samples.  Exit 0 when breaks,
 * gaps and channel mismatches are all 0 and there are at least a second
 * of samples; 1 otherwise; 2 on bad arguments or an unreadable file.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOLERANCE 48 /* of 32768: rounding is 1; a jump is thousands */
#define GAP_RUN 8    /* a 1 kHz sine at 48 kHz has single zero samples only */
#define TWO_PI 6.283185307179586476925

typedef struct fit {
	double amp, phase; /* value at sample n: amp * sin(phase + w * (n - at)) */
	size_t at;
} fit;

/* Least squares of a*sin + b*cos over len samples from at. */
static fit fit_sine(const int16_t *x, size_t at, size_t len, double w)
{
	double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
	for (size_t i = 0; i < len; i++) {
		double s = sin(w * (double)i), c = cos(w * (double)i);
		ss += s * s;
		cc += c * c;
		sc += s * c;
		xs += x[at + i] * s;
		xc += x[at + i] * c;
	}
	double det = ss * cc - sc * sc;
	double a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
	fit f = {hypot(a, b), atan2(b, a), at};
	return f;
}

static int16_t *load(const char *path, size_t channels, size_t *frames)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	size_t n = size > 0 ? (size_t)size / (2 * channels) : 0;
	int16_t *all = malloc(n * channels * 2 + 2);
	uint8_t *raw = malloc(n * channels * 2 + 2);
	if (!all || !raw || fread(raw, 2 * channels, n, f) != n) {
		fclose(f);
		free(all);
		free(raw);
		return NULL;
	}
	fclose(f);
	for (size_t i = 0; i < n * channels; i++)
		all[i] = (int16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
	free(raw);
	*frames = n;
	return all;
}

static int check_sine(const char *path, size_t channels, double hz, double rate)
{
	size_t frames;
	int16_t *all = load(path, channels, &frames);
	if (!all) {
		fprintf(stderr, "pcmtool: cannot read %s\n", path);
		return 2;
	}
	int16_t *x = malloc(frames * sizeof *x + 2);
	size_t mismatch = 0;
	for (size_t i = 0; i < frames; i++) {
		x[i] = all[i * channels];
		for (size_t c = 1; c < channels; c++)
			mismatch += all[i * channels + c] != x[i];
	}
	size_t lead = 0, end = frames;
	while (lead < frames && x[lead] == 0)
		lead++;
	while (end > lead && x[end - 1] == 0)
		end--;
	double w = TWO_PI * hz / rate;
	size_t window = (size_t)(rate / 1000);
	size_t breaks = 0, gaps = 0, zeros = 0;
	double amp = 0;
	if (end - lead < window) {
		printf("samples=%zu lead=%zu: too short\n", end - lead, lead);
		free(all);
		free(x);
		return 1;
	}
	for (size_t i = lead; i < end; i++) {
		zeros = x[i] == 0 ? zeros + 1 : 0;
		if (zeros == GAP_RUN)
			gaps++;
	}
	fit f = fit_sine(x, lead, window, w);
	amp = f.amp;
	for (size_t i = lead; i < end; i++) {
		double want = f.amp * sin(f.phase + w * (double)(i - f.at));
		if (fabs(x[i] - want) <= TOLERANCE)
			continue;
		breaks++;
		if (breaks <= 5)
			fprintf(stderr, "pcmtool: break at sample %zu (%.3f s): %d, expected %.0f\n", i,
				i / rate, x[i], want);
		/* Pick the sine up again after the break (past any silence). */
		size_t j = i;
		while (j < end && x[j] == 0)
			j++;
		if (end - j < window)
			break;
		f = fit_sine(x, j, window, w);
		i = j + window - 1;
	}
	printf("samples=%zu lead=%zu amplitude=%.0f breaks=%zu gaps=%zu channel_mismatch=%zu\n",
	       end - lead, lead, amp, breaks, gaps, mismatch);
	free(all);
	free(x);
	return breaks || gaps || mismatch || (double)(end - lead) < rate ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "sine")) {
		int ch = atoi(argv[3]);
		double hz = atof(argv[4]), rate = atof(argv[5]);
		if (ch < 1 || ch > 8 || hz <= 0 || rate < 1000 || hz * 2 >= rate) {
			fprintf(stderr, "pcmtool: bad channels, frequency or rate\n");
			return 2;
		}
		return check_sine(argv[2], (size_t)ch, hz, rate);
	}
	fprintf(stderr, "usage: pcmtool sine FILE CHANNELS HZ RATE\n");
	return 2;
}
