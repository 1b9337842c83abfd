#!/usr/bin/env bash
# kubemoat paths -f html (issue 21): Debian's chromium, so that the HTML attack-path report is opened,
# clicked and screenshotted in a real browser (test/unit/paths-html.test.ts drives it with
# playwright-core, which downloads no browser of its own), and a font for it to draw text with (a
# bare machine may have none: the report then renders as empty boxes). Idempotent; quiet when done.
set -euo pipefail
# package -> a file it installs
declare -A PKGS=(
  [chromium]=/usr/bin/chromium
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
)
missing=()
for p in "${!PKGS[@]}"; do
  [[ -e ${PKGS[$p]} ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  printf 'setup.d/60-chromium: installing %s\n' "${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
