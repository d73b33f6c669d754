#!/bin/sh
# make test: installs into a scratch DESTDIR and builds a two-line host
# against the installed copy with pkg-config, as a user of the library would.
set -e
build=${1:-build}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
make -s --no-print-directory BUILD="$build" install DESTDIR="$stage" PREFIX=/usr/local >/dev/null
cat > "$stage/host.c" <<'C'
#include <brink.h>
#include <brink_session.h>
int main(void) { brink_engine *e; brink_session *s; if (brink_engine_open(&e, NULL) || brink_session_open(&s, NULL)) return 1; brink_engine_close(e); brink_session_close(s); return 0; }
C
export PKG_CONFIG_PATH="$stage/usr/local/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$stage"
cc -o "$stage/host" "$stage/host.c" $(pkg-config --cflags --libs brink)
LD_LIBRARY_PATH="$stage/usr/local/lib" "$stage/host"
# Only the API is exported from the shared library.
extra=$(nm -D --defined-only "$stage/usr/local/lib/libbrink.so" | awk '{print $3}' | grep -v '^brink_' || true)
if [ -n "$extra" ]; then echo "exported beyond brink_*: $extra" >&2; exit 1; fi
extra=$(nm -g --defined-only "$stage/usr/local/lib/libbrink.a" | awk 'NF == 3 {print $3}' | grep -v '^brink_' || true)
if [ -n "$extra" ]; then echo "libbrink.a defines beyond brink_*: $extra" >&2; exit 1; fi
# The Python package finds the staged library by itself (beside its
# prefix), not through BRINK_LIB or the linker's path.
env -u BRINK_LIB -u LD_LIBRARY_PATH PYTHONPATH="$stage/usr/local/lib/python3/dist-packages" \
  python3 -c 'import sys, brink; brink.version()
assert brink.library_path.startswith(sys.argv[1]), brink.library_path' "$stage"
echo "install: ok (header, libraries, brink.pc, CLI, Python package; only brink_* exported or defined)"
