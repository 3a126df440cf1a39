#!/usr/bin/env bash
# Rebuilds assets/vendor from the npm packages pinned in package-lock.json. The output is committed, so
# neither a build nor a run of Vigil needs npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../vendor
rm -rf "$out" && mkdir -p "$out"
npx sass --no-source-map --style=compressed --load-path=. vigil.scss "$out/vigil.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/govuk-frontend.min.js"
cp -r node_modules/govuk-frontend/dist/govuk/assets/images "$out/"
printf "GOV.UK Frontend %s, MIT licence, Crown copyright (Government Digital Service).\n" \
  "$(node -p "require('govuk-frontend/package.json').version")" > "$out/GOVUK-FRONTEND-LICENSE.txt"
# The crown, the GOV.UK logotype and the GDS Transport font files are reserved for government services;
# Vigil ships none of them and uses Arial.
rm -f "$out"/images/govuk-crest* "$out"/images/govuk-icon* "$out"/images/govuk-opengraph* "$out"/images/favicon*
grep -q "GDS Transport" "$out/vigil.css" && { echo "GDS Transport found in the CSS" >&2; exit 1; }
echo "built $out"
