#!/usr/bin/env bash
# package.sh — builds the Lambda deployment package: function.zip with the Native AOT `bootstrap`
# executable at its root (mode 755), which is what the provided.al2023 runtime starts.
#
# usage: src/Pipeline.Lambda.Bootstrap/package.sh [--arch x86_64|arm64] [--out DIR]
#   --arch x86_64  (default) publishes for linux-x64; works on any x86_64 Linux with clang and
#                  zlib1g-dev (the Native AOT linker's prerequisites).
#   --arch arm64   publishes for linux-arm64 (Graviton): natively on an arm64 Linux machine, or
#                  cross-compiled on x86_64 Linux with Debian's gcc-aarch64-linux-gnu and
#                  libc6-dev-arm64-cross (clang targets aarch64-linux-gnu and finds them itself;
#                  tests/run.sh installs them).
#   --out DIR      where function.zip goes (default: artifacts/lambda/ under the repository root;
#                  a relative DIR is taken from the current directory).
#
# The binary is published to the project's usual place (bin/Release/<tfm>/<rid>/publish/), the
# same one the Native AOT tests run, so one publish serves both. Prints the zip's path and size.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

ARCH=x86_64
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) [ $# -ge 2 ] || { echo "package.sh: --arch needs a value" >&2; exit 2; }; ARCH="$2"; shift ;;
    --arch=*) ARCH="${1#--arch=}" ;;
    --out) [ $# -ge 2 ] || { echo "package.sh: --out needs a value" >&2; exit 2; }; OUT="$2"; shift ;;
    --out=*) OUT="${1#--out=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "package.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

case "$ARCH" in
  x86_64) RID=linux-x64 ;;
  arm64) RID=linux-arm64 ;;
  *) echo "package.sh: --arch must be x86_64 or arm64 (Lambda's architecture names), not '$ARCH'" >&2; exit 2 ;;
esac

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$PROJECT_DIR/../.." && pwd)
if [ -z "$OUT" ]; then
  OUT="$ROOT/artifacts/lambda"
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ZIP="$OUT/function.zip"

command -v dotnet >/dev/null 2>&1 || { echo "package.sh: the .NET SDK (see global.json) is not on PATH" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

HOST_ARCH=$(uname -m)
echo "package.sh: publishing bootstrap for $RID (Native AOT, Release)" >&2
if ! dotnet publish "$PROJECT_DIR" -c Release -r "$RID" --nologo -clp:ErrorsOnly >&2; then
  echo "package.sh: dotnet publish failed for $RID." >&2
  if [ "$RID" = linux-arm64 ] && [ "$HOST_ARCH" != aarch64 ]; then
    echo "package.sh: this host is $HOST_ARCH. Cross-compiling Native AOT for arm64 needs clang, the GCC" >&2
    echo "  cross toolchain and the arm64 C library: apt-get install clang gcc-aarch64-linux-gnu" >&2
    echo "  libc6-dev-arm64-cross (or build on an arm64 machine: the same command works there unchanged)." >&2
  else
    echo "package.sh: Native AOT needs clang and zlib1g-dev (apt-get install clang zlib1g-dev)." >&2
  fi
  exit 1
fi

# The newest publish of this RID (a stale target framework's directory may linger beside it).
BINARY=$(ls -t "$PROJECT_DIR"/bin/Release/net*/"$RID"/publish/bootstrap 2>/dev/null | head -n 1 || true)
if [ -z "$BINARY" ] || [ ! -f "$BINARY" ]; then
  echo "package.sh: publish succeeded but no bootstrap under $PROJECT_DIR/bin/Release/*/$RID/publish/" >&2
  exit 1
fi

# Stage a copy so the zip's entry is exactly "bootstrap", mode 755, whatever the publish left.
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp "$BINARY" "$STAGE/bootstrap"
chmod 755 "$STAGE/bootstrap"
rm -f "$ZIP"
if ! command -v zip >/dev/null 2>&1; then
  echo "package.sh: zip is needed to write $ZIP (apt-get install zip)" >&2
  exit 1
fi
# -X: no uid/gid or extra timestamps; zip records the file's Unix mode (755) itself.
(cd "$STAGE" && zip -q -X -9 "$ZIP" bootstrap)

zip_bytes=$(wc -c < "$ZIP" | tr -d ' ')
bin_bytes=$(wc -c < "$STAGE/bootstrap" | tr -d ' ')
echo "$ZIP"
echo "function.zip: $zip_bytes bytes ($(awk -v b="$zip_bytes" 'BEGIN{printf "%.1f", b/1048576}') MiB; bootstrap $bin_bytes bytes, $ARCH, for provided.al2023)"
