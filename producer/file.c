/*
 * file.c - opening an input file whose size is needed first: pictures
 * (image.c) and WAV files (wav.c).
 */
#include <stdio.h>

#include "producer.h"

int file_open_sized(const char *path, FILE **f, long *size)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	long len = -1;
	if (fseek(fp, 0, SEEK_END) == 0)
		len = ftell(fp);
	if (len < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return -2;
	}
	*f = fp;
	*size = len;
	return 0;
}
