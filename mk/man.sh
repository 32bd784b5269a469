#!/bin/sh
# man.sh PROGRAM "what it does" VERSION < usage > PROGRAM.1
# Turns a program's --help text into its manual page, so the two cannot
# drift apart (tests/man.sh renders the page with man -l and compares).
# The usage text's layout, which every program keeps:
#   usage: PROGRAM ...          the synopsis (first line)
#   text                        paragraphs
#   heading:                    a section of options (ends with ':')
#   PROGRAM SUB ...             a subcommand (shmfb), its synopsis continued
#        ...                    by lines indented 4 or more
#     -x, --opt ARG  text       an option; its description from the column
#                               after two spaces, continued by indented lines
#   Exit status: ...            the EXIT STATUS section
prog=$1
what=$2
version=$3
awk -v prog="$prog" -v what="$what" -v version="$version" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	sub(/^[.\047]/, "\\\\\\&&", s)
	return s
}
function flush_heading() {
	if (heading != "") {
		print ".SS \"" esc(heading) "\""
		heading = ""
	}
}
NR == 1 {
	sub(/^usage: /, "")
	print ".TH " toupper(prog) " 1 \"\" \"shmfb " version "\" \"User Commands\""
	print ".nh"
	print ".ad l"
	print ".SH NAME"
	print esc(prog) " \\- " esc(what)
	print ".SH SYNOPSIS"
	print esc($0)
	print ".SH DESCRIPTION"
	mode = "text"
	next
}
/^$/ { flush_heading(); mode = "blank"; next }
/^    / && heading != "" { t = $0; sub(/^ +/, "", t); heading = heading " " t; next }
/^    / { flush_heading(); t = $0; sub(/^ +/, "", t); print esc(t); next }
/^  -/ {
	flush_heading()
	t = $0
	sub(/^  /, "", t)
	opt = t
	desc = ""
	if (match(t, /  +/)) {
		opt = substr(t, 1, RSTART - 1)
		desc = substr(t, RSTART + RLENGTH)
	}
	print ".TP"
	print ".B " esc(opt)
	if (desc != "")
		print esc(desc)
	mode = "option"
	next
}
/^Exit status: / {
	flush_heading()
	sub(/^Exit status: /, "")
	print ".SH \"EXIT STATUS\""
	print esc($0)
	mode = "text"
	next
}
/^[^ ].*:$/ {
	flush_heading()
	sub(/:$/, "")
	print ".SH \"" esc(toupper($0)) "\""
	mode = "heading"
	next
}
index($0, prog " ") == 1 { flush_heading(); heading = $0; mode = "heading"; next }
{
	flush_heading()
	t = $0
	sub(/^ +/, "", t)
	if (mode != "text")
		print ".PP"
	print esc(t)
	mode = "text"
}
END { flush_heading() }
'
