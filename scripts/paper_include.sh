#!/usr/bin/env bash
# Copies every results table into PAPER.md: the lines between
#     <!-- include results/NAME.md -->   and   <!-- end include -->
# are replaced by the current contents of results/NAME.md, so the paper quotes exactly what
# the scripts printed last. A missing results file leaves a line saying which command makes it.
# Usage: scripts/paper_include.sh [PAPER.md]   (make paper runs it last)
set -eu
cd "$(dirname "$0")/.."
paper=${1:-PAPER.md}
tmp=$(mktemp "$paper.XXXXXX")
trap 'rm -f "$tmp"' EXIT
awk '
  /^<!-- include [^ ]+ -->$/ {
    print; file = $3; skipping = 1
    if ((getline line < file) > 0) {
      print line
      while ((getline line < file) > 0) print line
      close(file)
    } else {
      print "_(" file " is missing: run `make paper`)_"
    }
    next
  }
  /^<!-- end include -->$/ { skipping = 0 }
  !skipping { print }
' "$paper" > "$tmp"
mv "$tmp" "$paper"
trap - EXIT
