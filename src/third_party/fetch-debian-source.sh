#!/usr/bin/env bash
# Download one Debian source package's upstream tarball with a private apt configuration (deb-src lines derived
# from this machine's own Debian sources; lists and cache under DEST), verify its pinned sha256, unpack the
# requested members into DEST/src. Nothing is installed system-wide and nothing is committed to the repository.
#   fetch-debian-source.sh PACKAGE ORIG_TARBALL_SHA256 DEST [TAR_MEMBER_PATTERN...]
set -euo pipefail
pkg=$1 sha=$2 dest=$3; shift 3
if [ -f "$dest/.ok-$sha" ]; then exit 0; fi
work="$dest/apt"; rm -rf "$work" "$dest/src"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources.list.d" "$work/dl" "$dest/src"

# deb-src entries from the system's deb entries (deb822 .sources files and one-line .list files)
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed -E 's/^Types:.*/Types: deb-src/' "$f" > "$work/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && sed -nE 's/^deb (.*)/deb-src \1/p' "$f" >> "$work/sources.list.d/system-src.list"
done
opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/sources.list.d"
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root -q)
if ! apt-get "${opts[@]}" update >"$work/update.log" 2>&1; then
  echo "fetch-debian-source: 'apt-get update' for deb-src failed (see $work/update.log)" >&2; exit 1
fi
(cd "$work/dl" && apt-get "${opts[@]}" source --download-only "$pkg" >"$work/source.log" 2>&1) || {
  echo "fetch-debian-source: could not download source package '$pkg' (see $work/source.log)" >&2; exit 1; }

orig=$(ls "$work"/dl/*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || { echo "fetch-debian-source: no .orig tarball for '$pkg'" >&2; exit 1; }
got=$(sha256sum "$orig" | cut -d' ' -f1)
if [ "$got" != "$sha" ]; then
  echo "fetch-debian-source: $orig has sha256 $got, expected $sha (pinned). Refusing to use it." >&2; exit 1
fi
tar -xf "$orig" -C "$dest/src" --strip-components=1 --wildcards "$@"
rm -rf "$work"
touch "$dest/.ok-$sha"
