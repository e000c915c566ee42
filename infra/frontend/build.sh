#!/usr/bin/env bash
# Build Patchwork's GOV.UK Frontend assets into platform/config/static/govuk/.
#
# The outputs are committed, so you only need to run this (and only need Node
# and npm) when you upgrade govuk-frontend or change patchwork.scss:
#
#     infra/frontend/build.sh
#
# What it does:
#   1. npm ci (exact versions from package-lock.json)
#   2. compiles patchwork.scss -> govuk-frontend.min.css (system fonts, no GDS Transport)
#   3. copies the package's ES module bundle -> govuk-frontend.min.js (+ its source map,
#      which Django's manifest storage needs because the bundle names it)
#   4. copies assets/ (images + manifest.json) WITHOUT fonts/ and WITHOUT any
#      GOV.UK crown or crest image; manifest.json lists only the icons we copied
#   5. checks the CSS has no GDS Transport @font-face and no /fonts/ URLs
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/platform/config/static/govuk"
dist="$here/node_modules/govuk-frontend/dist/govuk"

cd "$here"
npm ci --no-audit --no-fund

version="$(node -p 'require("govuk-frontend/package.json").version')"
echo "Building GOV.UK Frontend $version into ${out#"$repo"/}"

rm -rf "$out"
mkdir -p "$out/assets/images"

# 2. CSS
npx --no-install sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  patchwork.scss "$out/govuk-frontend.min.css"

# 3. JavaScript (ES module: exports initAll, createAll and the components)
cp "$dist/govuk-frontend.min.js" "$dist/govuk-frontend.min.js.map" "$out/"

# 4. Assets. Every GOV.UK-branded image (favicons, app icons, mask icon,
#    Open Graph image, royal crest) shows the crown or the crest, which are
#    reserved for gov.uk, so anything matching these patterns is left behind.
shopt -s nullglob
for image in "$dist"/assets/images/*; do
  name="$(basename "$image")"
  case "$name" in
    favicon.* | govuk-* | *crown* | *crest*) continue ;;
  esac
  cp "$image" "$out/assets/images/"
done
shopt -u nullglob

# manifest.json, keeping only icons whose files were copied.
node - "$dist/assets/manifest.json" "$out/assets" <<'JS'
const fs = require("fs");
const path = require("path");
const [source, assets] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(source, "utf8"));
manifest.icons = (manifest.icons || []).filter((icon) =>
  fs.existsSync(path.join(assets, icon.src))
);
fs.writeFileSync(path.join(assets, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
JS

# Every image in GOV.UK Frontend 6.x is crown- or crest-branded, so images/ is
# usually empty; Git would not keep an empty folder, so remove it.
if [ -z "$(ls -A "$out/assets/images")" ]; then
  rmdir "$out/assets/images"
fi

# 5. Checks.
css="$out/govuk-frontend.min.css"
fail=0
if grep -q "GDS Transport" "$css"; then
  echo "error: compiled CSS still mentions GDS Transport" >&2
  fail=1
fi
if grep -q "@font-face" "$css"; then
  echo "error: compiled CSS contains an @font-face rule" >&2
  fail=1
fi
if grep -q "/fonts/" "$css"; then
  echo "error: compiled CSS refers to /fonts/ (would 404)" >&2
  fail=1
fi
# Every url() in the CSS must be a data: URI or a file we ship.
while IFS= read -r url; do
  case "$url" in
    data:* | "") continue ;;
    /static/govuk/*)
      if [ ! -e "$out/${url#/static/govuk/}" ]; then
        echo "error: compiled CSS refers to $url, which is not shipped" >&2
        fail=1
      fi
      ;;
    *)
      echo "error: compiled CSS refers to unexpected URL $url" >&2
      fail=1
      ;;
  esac
done < <(grep -oE 'url\([^)]*\)' "$css" | sed -E 's/^url\(["'"'"']?//; s/["'"'"']?\)$//' | sort -u)
if [ -e "$out/assets/fonts" ] || find "$out" -iname '*crown*' -o -iname '*crest*' | grep -q .; then
  echo "error: fonts or crown/crest images were copied" >&2
  fail=1
fi
[ "$fail" -eq 0 ] || exit 1

echo "Done:"
find "$out" -type f | sed "s|^$repo/||" | sort
