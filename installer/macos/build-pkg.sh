#!/bin/sh
# Builds the macOS installer package (on macOS: pkgbuild and productbuild exist only there).
#   installer/macos/build-pkg.sh BIN_DIR [OUTDIR]      (what the macOS workflow runs)
#   installer/macos/build-pkg.sh --bin-dir DIR [--version V] [-o OUTDIR] [--stage-only DIR]
# BIN_DIR holds the built tally-agent (and tally-agent-helper when it exists). The version
# defaults to the project's (CMakeLists.txt). Writes OUTDIR/tally-agent-<V>.pkg (default
# dist/). Signing: set TALLY_PKG_SIGN_IDENTITY to
# a "Developer ID Installer: …" identity. --stage-only lays out the payload and scripts in DIR
# and stops (what the Linux tests check).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin_dir='' version='' out=dist stage_only=''
case ${1:-} in
-* | '') ;;
*)
    bin_dir=$1
    out=${2:-dist}
    shift $#
    ;;
esac
while [ $# -gt 0 ]; do
    case $1 in
    --bin-dir) bin_dir=${2:?--bin-dir needs a value} ;;
    --version) version=${2:?--version needs a value} ;;
    -o) out=${2:?-o needs a value} ;;
    --stage-only) stage_only=${2:?--stage-only needs a value} ;;
    *)
        echo "usage: build-pkg.sh BIN_DIR [OUTDIR] | --bin-dir DIR [--version V] [-o OUTDIR]" \
            "[--stage-only DIR]" >&2
        exit 64
        ;;
    esac
    shift 2
done
if [ -z "$bin_dir" ]; then
    echo "build-pkg: the directory of the built tally-agent is required" >&2
    exit 64
fi
if [ -z "$version" ]; then
    version=$(sed -n 's/^project(tally VERSION \([0-9.]*\).*/\1/p' "$here/../../CMakeLists.txt")
fi
if [ ! -x "$bin_dir/tally-agent" ]; then
    echo "build-pkg: $bin_dir/tally-agent does not exist" >&2
    exit 1
fi

if [ -n "$stage_only" ]; then
    work=$stage_only
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
payload=$work/root
scripts=$work/scripts
mkdir -p "$payload/Library/Tally/bin" "$payload/Library/LaunchDaemons" \
    "$payload/Library/Logs/Tally" "$scripts"
install -m 0755 "$bin_dir/tally-agent" "$payload/Library/Tally/bin/"
if [ -x "$bin_dir/tally-agent-helper" ]; then
    install -m 0755 "$bin_dir/tally-agent-helper" "$payload/Library/Tally/bin/"
fi
install -m 0755 "$here/../linux/package-hook" "$payload/Library/Tally/bin/package-hook"
install -m 0755 "$here/uninstall" "$payload/Library/Tally/bin/uninstall"
install -m 0644 "$here/com.tally.agent.plist" "$payload/Library/LaunchDaemons/"
install -m 0755 "$here/preinstall" "$here/postinstall" "$here/../linux/package-hook" "$scripts/"
if [ -n "$stage_only" ]; then
    echo "staged in $work"
    exit 0
fi

mkdir -p "$out"
component=$work/tally-agent-component.pkg
# --ownership recommended: the payload is installed as root:wheel whatever the build user.
pkgbuild --root "$payload" --identifier com.tally.agent --version "$version" \
    --scripts "$scripts" --install-location / --ownership recommended "$component"
if [ -n "${TALLY_PKG_SIGN_IDENTITY:-}" ]; then
    productbuild --package "$component" --sign "$TALLY_PKG_SIGN_IDENTITY" \
        "$out/tally-agent-$version.pkg"
else
    productbuild --package "$component" "$out/tally-agent-$version.pkg"
fi
echo "wrote $out/tally-agent-$version.pkg"
