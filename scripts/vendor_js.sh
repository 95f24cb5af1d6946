#!/bin/sh
# Refresh the JavaScript library the web page draws the neighbourhood network with
# (vis-network, dual Apache-2.0/MIT), vendored into kg/serve/static/vendor/ so that nothing
# is fetched at run time. The version and the registry's integrity hash are pinned here:
# to upgrade, change both (npm view vis-network@X dist.integrity) and run this script.
#
# Usage: sh scripts/vendor_js.sh        (needs npm, openssl; writes only the vendor folder)
set -eu

PACKAGE=vis-network
VERSION=10.1.5
INTEGRITY=sha512-civ5BjoMdAEwRb/PZMmBZ3sD+NPymIWfkIeaoBDqQZKJ1YDq20X6vTB8u+UstwdWT9ftxRaSEflKFOUTw43I0w==

HERE=$(cd "$(dirname "$0")/.." && pwd)
TARGET="$HERE/kg/serve/static/vendor"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "$PACKAGE@$VERSION" >/dev/null
TARBALL="$PACKAGE-$VERSION.tgz"
GOT="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | base64 | tr -d '\n')"
if [ "$GOT" != "$INTEGRITY" ]; then
    echo "error: $TARBALL has integrity $GOT, expected $INTEGRITY" >&2
    exit 2
fi
tar -xzf "$TARBALL"
mkdir -p "$TARGET"
cp package/standalone/umd/vis-network.min.js "$TARGET/vis-network.min.js"
cp package/LICENSE-MIT "$TARGET/vis-network.LICENSE-MIT"
cp package/LICENSE-APACHE-2.0 "$TARGET/vis-network.LICENSE-APACHE-2.0"
printf '%s %s %s\n' "$PACKAGE" "$VERSION" "$INTEGRITY" > "$TARGET/VERSIONS"
echo "vendored $PACKAGE $VERSION into $TARGET"
