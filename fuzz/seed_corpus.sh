#!/bin/bash
# Seeds one corpus folder per fuzz target: files from the test data of the
# kinds each parser reads (small ones, so that a run covers many inputs),
# plus the hand-made seeds in fuzz/seeds/.
# usage: seed_corpus.sh TESTDATA OUT
set -eu
testdata=${1:?testdata folder} out=${2:?corpus folder}
here=$(cd "$(dirname "$0")" && pwd)
small() { find "$testdata" -type f -size -400k "$@" -print0; }
copy() {  # copy TARGET < NUL-separated paths
  mkdir -p "$out/$1"
  while IFS= read -r -d '' f; do cp "$f" "$out/$1/$(echo "$f" | md5sum | cut -c1-12)-$(basename "$f")"; done
}
images=( \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.gif'
            -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.webp' -o -iname '*.bmp'
            -o -iname '*.pnm' -o -iname '*.pgm' -o -iname '*.ppm' \) )
# Images: every format once (formats/), plus up to 30 more small ones.
{ find "$testdata/formats" -type f "${images[@]}" -size -400k -print0
  small "${images[@]}" -not -path '*/formats/*' | head -z -n 30; } > /tmp/seed-images.$$
copy image < /tmp/seed-images.$$
copy containers < /tmp/seed-images.$$
# PDFs: the formats and the damaged ones in robustness/.
{ find "$testdata/formats" "$testdata/robustness" -type f -iname '*.pdf' -size -400k -print0; } > /tmp/seed-pdfs.$$
copy pdf < /tmp/seed-pdfs.$$
# Sniffing: every kind, including text and JSON files that are refused.
{ cat /tmp/seed-images.$$ /tmp/seed-pdfs.$$; small \( -iname '*.txt' -o -iname '*.json' -o -iname '*.md' \) | head -z -n 10; } | copy sniff
rm -f /tmp/seed-images.$$ /tmp/seed-pdfs.$$
for target in multipart chat_request page_json; do
  mkdir -p "$out/$target"
  cp "$here/seeds/$target"/* "$out/$target/"
done
for d in "$out"/*/; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
