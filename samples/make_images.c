/*
 * make_images.c - writes the sample pictures for shmfb-producer --image,
 * made here rather than downloaded: colour bars (PNG), a gradient (JPEG),
 * a checkerboard (BMP), a translucent disc (PNG with alpha), a ramp (TGA),
 * a bright sky (HDR) and a tiny portrait picture (PPM, written by hand).
 *
 *   make samples      (runs it into build/samples/images)
 *   build/samples/make_images DIR
 *   shmfb-producer --image DIR --hold 2 cam0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <stb_image_write.h>

#define W 320
#define H 180

static unsigned char px[W * H * 4];

static void put(int x, int y, int r, int g, int b, int a)
{
	unsigned char *p = px + (y * W + x) * 4;
	p[0] = (unsigned char)r, p[1] = (unsigned char)g, p[2] = (unsigned char)b, p[3] = (unsigned char)a;
}

static int save(const char *dir, const char *file, int ok)
{
	printf("%s/%s%s\n", dir, file, ok ? "" : ": FAILED");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char path[1024];
	int bad = 0;

	static const int bars[7][3] = {{192, 192, 192}, {192, 192, 0}, {0, 192, 192}, {0, 192, 0},
				       {192, 0, 192},   {192, 0, 0},   {0, 0, 192}};
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const int *c = bars[x * 7 / W];
			put(x, y, c[0], c[1], c[2], 255);
		}
	snprintf(path, sizeof path, "%s/1-bars.png", dir);
	bad |= save(dir, "1-bars.png", stbi_write_png(path, W, H, 4, px, W * 4));

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			put(x, y, x * 255 / (W - 1), y * 255 / (H - 1), 128, 255);
	snprintf(path, sizeof path, "%s/2-gradient.jpg", dir);
	bad |= save(dir, "2-gradient.jpg", stbi_write_jpg(path, W, H, 4, px, 90));

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int v = ((x / 20 + y / 20) & 1) ? 230 : 25;
			put(x, y, v, v, v, 255);
		}
	snprintf(path, sizeof path, "%s/3-checker.bmp", dir);
	bad |= save(dir, "3-checker.bmp", stbi_write_bmp(path, W, H, 4, px));

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			double d = hypot(x - W / 2.0, y - H / 2.0) / (H / 2.0);
			put(x, y, 255, 160, 0, d < 1 ? (int)(255 * (1 - d * d)) : 0);
		}
	snprintf(path, sizeof path, "%s/4-disc-alpha.png", dir);
	bad |= save(dir, "4-disc-alpha.png", stbi_write_png(path, W, H, 4, px, W * 4));

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			put(x, y, x * 255 / (W - 1), x * 255 / (W - 1), x * 255 / (W - 1), 255);
	snprintf(path, sizeof path, "%s/5-ramp.tga", dir);
	bad |= save(dir, "5-ramp.tga", stbi_write_tga(path, W, H, 4, px));

	static float hdr[W * H * 3];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			float *f = hdr + (y * W + x) * 3;
			float sun = 8.0f / (1.0f + (float)hypot(x - 240, y - 50) / 6.0f);
			f[0] = 0.3f + sun, f[1] = 0.5f + sun, f[2] = 1.0f - (float)y / H + sun;
		}
	snprintf(path, sizeof path, "%s/6-sky.hdr", dir);
	bad |= save(dir, "6-sky.hdr", stbi_write_hdr(path, W, H, 3, hdr));

	/* Portrait, to show pillarboxing: a PPM needs no library at all. */
	snprintf(path, sizeof path, "%s/7-portrait.ppm", dir);
	FILE *f = fopen(path, "wb");
	int ok = f != NULL;
	if (f) {
		fprintf(f, "P6\n90 160\n255\n");
		for (int y = 0; y < 160; y++)
			for (int x = 0; x < 90; x++)
				fputc(y * 255 / 159, f), fputc(90, f), fputc(x * 255 / 89, f);
		ok = fclose(f) == 0;
	}
	bad |= save(dir, "7-portrait.ppm", ok);
	return bad;
}
