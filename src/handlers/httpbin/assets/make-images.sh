#!/usr/bin/env bash
# Redraws httpbin's /image/png, /image/jpeg and /image/webp from teapot.svg (/image/svg),
# a drawing of teapot's own. Run by hand after editing the drawing; the build embeds the
# four committed files (cmake/embed_files.cmake) and needs none of these tools:
#   apt-get install librsvg2-bin netpbm libjpeg-turbo-progs webp
set -euo pipefail
cd "$(dirname "$0")"
rsvg-convert -w 128 -h 128 teapot.svg -o teapot.png
# JPEG has no transparency: the rounded corners go white.
pngtopnm -mix -background '#ffffff' teapot.png | cjpeg -quality 85 -optimize > teapot.jpg
cwebp -quiet -q 80 teapot.png -o teapot.webp
ls -l teapot.*
