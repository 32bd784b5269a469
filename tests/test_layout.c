/*
 * test_layout.c - docs/FORMAT.md and core/src/layout.h describe the same
 * bytes.  Every row of the document's two tables must name a field of the
 * struct at that offset and size, and every field must have its row.
 */
#include <stdio.h>

#include "layout.h"
#include "test.h"

struct field {
	const char *name;
	size_t offset, size;
	int found;
};

#define H(f) {#f, offsetof(struct shmfb__header, f), sizeof(((struct shmfb__header *)0)->f), 0}
#define M(f) {#f, offsetof(struct shmfb__slot_meta, f), sizeof(((struct shmfb__slot_meta *)0)->f), 0}

static struct field header[] = {
	H(magic), H(version), H(header_size), H(total_size), H(slot_count), H(flags),
	H(slot[0].offset), H(slot[0].size), H(slot[1].offset), H(slot[1].size),
	H(slot[2].offset), H(slot[2].size), H(width), H(height), H(pixel_format),
	H(plane_count), H(plane[0].offset), H(plane[0].stride), H(plane[1].offset),
	H(plane[1].stride), H(plane[2].offset), H(plane[2].stride), H(plane[3].offset),
	H(plane[3].stride), H(frame_bytes), H(fps_num), H(fps_den), H(producer_pid),
	H(heartbeat_timeout_ms), H(generation), H(create_ns), H(audio_offset), H(audio_size),
	H(audio_rate), H(audio_channels), H(audio_format), H(audio_capacity), H(color_matrix),
	H(color_range), H(color_transfer), H(color_primaries), H(chroma_site), H(reserved0), H(state),
	H(wake), H(latest), H(heartbeat_ns), H(reserved1), H(meta[0]), H(meta[1]),
	H(meta[2]), H(audio_written), H(audio_claimed), H(audio_wake), H(reserved_a),
	H(audio_clock_seq), H(audio_clock_pos), H(audio_clock_ns), H(reserved2), H(name), H(reserved3),
};
static struct field meta[] = {
	M(seq), M(index), M(frame_number), M(pts_ns), M(publish_ns), M(bytes_used), M(reserved),
};

/* Parses "| 12 | 4 | header_size | ..." ; 1 if the line is such a row. */
static int parse_row(const char *line, size_t *off, size_t *size, char *name, size_t cap)
{
	unsigned long o, s;
	char n[128];
	if (sscanf(line, " | %lu | %lu | %127[^ |] |", &o, &s, n) != 3)
		return 0;
	*off = o;
	*size = s;
	snprintf(name, cap, "%s", n);
	return 1;
}

static void check_table(struct field *t, size_t n, const char *row_name, size_t off, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].name, row_name))
			continue;
		if (t[i].offset != off || t[i].size != size)
			FAIL_AT("FORMAT.md says %s at %zu size %zu; layout.h has %zu size %zu", row_name,
				off, size, t[i].offset, t[i].size);
		t[i].found++;
		return;
	}
	FAIL_AT("FORMAT.md row '%s' is not a field of layout.h", row_name);
}

int main(void)
{
	FILE *f = fopen("docs/FORMAT.md", "r");
	ASSERT(f);
	char line[1024], name[128];
	struct field *table = NULL;
	size_t n = 0, rows = 0, end = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "## Header", 9)) {
			table = header, n = sizeof header / sizeof header[0];
			end = 0;
		} else if (!strncmp(line, "## Slot metadata", 16)) {
			table = meta, n = sizeof meta / sizeof meta[0];
			end = 0;
		} else if (!strncmp(line, "## ", 3)) {
			table = NULL;
		}
		size_t off, size;
		if (table && parse_row(line, &off, &size, name, sizeof name)) {
			ASSERT_EQ(off, end); /* rows are contiguous: no byte undocumented */
			end = off + size;
			check_table(table, n, name, off, size);
			rows++;
		}
	}
	fclose(f);
	for (size_t i = 0; i < sizeof header / sizeof header[0]; i++)
		if (header[i].found != 1)
			FAIL_AT("header field %s has %d rows in FORMAT.md", header[i].name, header[i].found);
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
		if (meta[i].found != 1)
			FAIL_AT("slot meta field %s has %d rows in FORMAT.md", meta[i].name, meta[i].found);
	ASSERT_EQ(rows, sizeof header / sizeof header[0] + sizeof meta / sizeof meta[0]);
	/* And the totals: one page, one cache line a slot. */
	ASSERT_EQ(sizeof(struct shmfb__header), 4096);
	ASSERT_EQ(sizeof(struct shmfb__slot_meta), 64);
	ASSERT(!memcmp(SHMFB__MAGIC, "\x53\x48\x4d\x46\x42\x0d\x0a\x1a", 8));
	return 0;
}
