#!/usr/bin/env bash
# publish-single-file.sh — `s3batch` as one self-contained executable, for machines without the .NET
# SDK or runtime: the runtime, ASP.NET Core (for `s3batch serve`) and SQLite's native library are
# bundled into the file (native libraries are extracted to a cache directory on first run).
#
# usage: src/Pipeline.Cli/publish-single-file.sh [--rid RID] [--out DIR]
#   --rid RID   the runtime identifier (default: linux-x64; also linux-arm64, osx-arm64, win-x64, ...)
#   --out DIR   where the executable goes (default: artifacts/s3batch/RID/ under the repository root;
#               a relative DIR is taken from the current directory)
#
# Prints the executable's path and size. With the SDK, `dotnet tool install -g S3Batch.Pipeline.Tool`
# is the usual way instead.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

RID=linux-x64
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) [ $# -ge 2 ] || { echo "publish-single-file.sh: --rid needs a value" >&2; exit 2; }; RID="$2"; shift ;;
    --rid=*) RID="${1#--rid=}" ;;
    --out) [ $# -ge 2 ] || { echo "publish-single-file.sh: --out needs a value" >&2; exit 2; }; OUT="$2"; shift ;;
    --out=*) OUT="${1#--out=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "publish-single-file.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$PROJECT_DIR/../.." && pwd)
[ -n "$OUT" ] || OUT="$ROOT/artifacts/s3batch/$RID"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

command -v dotnet >/dev/null 2>&1 || { echo "publish-single-file.sh: the .NET SDK (see global.json) is not on PATH" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "publish-single-file.sh: publishing s3batch for $RID (self-contained, single file, Release)" >&2
# Only properties that shape the executable's own publish: each -p here also reaches the referenced
# libraries' builds, which share their output directories with the solution's build (a property
# that changed how they compile, such as DebugType, would rebuild them in place). The publish goes
# to a staging directory; only the executable is kept.
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
dotnet publish "$PROJECT_DIR/Pipeline.Cli.csproj" -c Release -r "$RID" --self-contained true \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:EnableCompressionInSingleFile=true \
  -o "$STAGE" --nologo -clp:ErrorsOnly >&2

case "$RID" in win-*) NAME=s3batch.exe ;; *) NAME=s3batch ;; esac
[ -f "$STAGE/$NAME" ] || { echo "publish-single-file.sh: publish succeeded but $NAME is missing" >&2; exit 1; }
cp "$STAGE/$NAME" "$OUT/$NAME"
EXE="$OUT/$NAME"
echo "$EXE"
echo "s3batch: $(wc -c < "$EXE" | tr -d ' ') bytes, self-contained single file for $RID"
