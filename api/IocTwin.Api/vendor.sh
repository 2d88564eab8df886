#!/usr/bin/env bash
# Copies the browser libraries the screens use into wwwroot/lib, from exact npm versions.
# Run it again after changing a version below, and commit wwwroot/lib with it.
set -euo pipefail

LEAFLET=1.9.4
UPLOT=1.6.32
SIGNALR=10.0.11

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="$here/wwwroot/lib"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact --ignore-scripts \
  "leaflet@$LEAFLET" "uplot@$UPLOT" "@microsoft/signalr@$SIGNALR" >/dev/null

rm -rf -- "$lib"
mkdir -p "$lib/leaflet/images" "$lib/uplot" "$lib/signalr"

m="$work/node_modules"
cp "$m/leaflet/dist/leaflet.js" "$m/leaflet/dist/leaflet.css" "$m/leaflet/LICENSE" "$lib/leaflet/"
cp "$m/leaflet/dist/images/"*.png "$lib/leaflet/images/"
cp "$m/uplot/dist/uPlot.iife.min.js" "$m/uplot/dist/uPlot.min.css" "$m/uplot/LICENSE" "$lib/uplot/"
cp "$m/@microsoft/signalr/dist/browser/signalr.min.js" "$lib/signalr/"
# Source maps are not shipped: drop the references that would make browser developer tools ask for them.
sed -i '/^\/\/# sourceMappingURL=/d' "$lib"/*/*.js

license() { node -p "require('$m/$1/package.json').license"; }
cat >"$lib/VERSIONS" <<VERSIONS
leaflet $LEAFLET ($(license leaflet))
uplot $UPLOT ($(license uplot))
@microsoft/signalr $SIGNALR ($(license @microsoft/signalr))
VERSIONS
echo "vendored into $lib:"
cat "$lib/VERSIONS"
