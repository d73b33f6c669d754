#!/bin/sh
# Installs the Debian packages brink needs when they are missing.  Not root:
# prints the exact command and fails, so nothing half-installs.
pkgs="build-essential pkg-config liblua5.4-dev libcriterion-dev libjansson-dev libedit-dev lua-check parallel slurm-wlm munge locales python3 libmicrohttpd-dev libqrencode-dev chromium"
# `deps.sh fuzz`: clang and its libFuzzer runtime too, for make fuzz.
[ "$1" = fuzz ] && pkgs="$pkgs clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "brink needs these Debian packages:$missing" >&2
  echo "run as root: apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
  echo "apt-get install failed for:$missing" >&2; exit 1; }
