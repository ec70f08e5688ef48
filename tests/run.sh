#!/usr/bin/env bash
# tests/run.sh — the project's test command (README, .ci/run).
#
# On a fresh machine it installs what the tests need, starts the real S3 server (Ceph RGW on
# loopback, tests/s3/start-s3.sh) when the suite has one, restores and builds the solution in
# Release, runs every test project, runs every benchmark once in BenchmarkDotNet's dry job, and
# ends with the line "N passed, N failed" summed over all test assemblies. Exit status is non-zero
# on any failure, any skipped test, or when no test ran.
#
# usage: tests/run.sh [--long] [--filter EXPR]
#   --long         long-run mode for the property/fuzz tests (PIPELINE_LONG_RUN=1, ~100x cases)
#   --filter EXPR  passed to dotnet test --filter (zero matching tests is a failure)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
CONFIG=Release
RESULTS="$ROOT/artifacts/test-results"
FILTER=""
while [ $# -gt 0 ]; do
  case "$1" in
    --long) export PIPELINE_LONG_RUN=1 ;;
    --filter) FILTER="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "tests/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_UI_LANGUAGE=en
# This script is the whole suite: tests that need a built artifact or the real S3 server fail (never
# skip) when it is missing, as they do under CI.
export CI=${CI:-true}

log() { printf '\n==> %s\n' "$*"; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "tests/run.sh: the .NET SDK (see global.json) is not on PATH" >&2
  exit 2
fi

# ---------------------------------------------------------------- system packages
# One list, tests/required-tools.txt, says what the tests call and how (an absolute path is checked
# as that file; a bare name on PATH). A foreign `aws` on PATH does not stand in for /usr/bin/aws.
missing_tools() {  # prints "package check" for every entry of the list that is not there
  local check pkg _
  while read -r check pkg _; do
    case "$check" in ''|'#'*) continue ;; esac
    if [ "${check#/}" != "$check" ]; then [ -e "$check" ] && continue
    else command -v "$check" >/dev/null 2>&1 && continue
    fi
    printf '%s %s\n' "$pkg" "$check"
  done < "$ROOT/tests/required-tools.txt"
}
if ! missing=$(missing_tools); then
  echo "tests/run.sh: cannot read tests/required-tools.txt" >&2; exit 2
fi
if [ -n "$missing" ]; then
  need=($(printf '%s\n' "$missing" | cut -d' ' -f1 | sort -u))
  log "installing ${need[*]} (apt) for: $(printf '%s\n' "$missing" | cut -d' ' -f2 | tr '\n' ' ')"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1; $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; } \
    || echo "tests/run.sh: could not install ${need[*]}; the tests that need them will fail" >&2
  still=$(missing_tools)
  if [ -n "$still" ]; then
    echo "tests/run.sh: still missing after apt-get: $(printf '%s\n' "$still" | cut -d' ' -f2 | tr '\n' ' ')(the tests that need them will fail)" >&2
  else
    echo "installed: ${need[*]}"
  fi
else
  echo "every tool in tests/required-tools.txt is present"
fi

# ---------------------------------------------------------------- the real S3 server
S3_STARTED=""
stop_s3() { [ -n "$S3_STARTED" ] && bash "$ROOT/tests/s3/stop-s3.sh" "$S3_DATA" >/dev/null 2>&1; return 0; }
trap stop_s3 EXIT
if [ -f tests/s3/start-s3.sh ]; then
  log "starting the real S3 server (Ceph RGW on loopback)"
  S3_DATA=${S3_DATA_DIR:-$ROOT/.s3/data}
  if s3_env=$(bash tests/s3/start-s3.sh "${S3_PORT:-7480}" "$S3_DATA"); then
    eval "$s3_env"
    export S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
    S3_STARTED=1
    echo "S3_ENDPOINT=$S3_ENDPOINT"
  else
    # Not fatal here: every test that needs the server then fails, naming what is missing.
    echo "tests/run.sh: the S3 server did not start; the tests that need it will fail" >&2
  fi
fi

# ---------------------------------------------------------------- build
log "restore and build ($CONFIG)"
if ! dotnet build Pipeline.sln -c "$CONFIG" -m:1 --nologo -clp:ErrorsOnly; then
  echo "tests/run.sh: the build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# The Lambda tests run the real Native AOT bootstrap as Lambda would, and check the deployment
# package: publish it and zip it (artifacts/lambda/function.zip) first.
log "publish the Native AOT bootstrap and package function.zip (linux-x64)"
if ! bash src/Pipeline.Lambda.Bootstrap/package.sh --arch x86_64 >/dev/null; then
  # Not fatal here: the Native AOT and package tests then fail, naming what is missing.
  echo "tests/run.sh: packaging the Native AOT bootstrap failed (clang and zlib1g-dev are needed)" >&2
fi

# Pipeline.Packaging.Tests check the bootstrap cross-compiled for linux-arm64 (run through qemu-user)
# and s3batch as one self-contained file: build both.
log "publish the Native AOT bootstrap for linux-arm64 (artifacts/lambda/arm64/function.zip)"
if ! bash src/Pipeline.Lambda.Bootstrap/package.sh --arch arm64 --out artifacts/lambda/arm64 >/dev/null; then
  echo "tests/run.sh: packaging the linux-arm64 bootstrap failed (gcc-aarch64-linux-gnu and libc6-dev-arm64-cross are needed)" >&2
fi
log "publish s3batch as a self-contained single file (artifacts/s3batch/linux-x64/s3batch)"
if ! bash src/Pipeline.Cli/publish-single-file.sh --rid linux-x64 >/dev/null; then
  echo "tests/run.sh: publishing the single-file s3batch failed" >&2
fi

# ---------------------------------------------------------------- tests
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
passed=0 failed=0 skipped=0 total=0 status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  log "test $name"
  args=(test "$project" -c "$CONFIG" --no-build --nologo --results-directory "$RESULTS"
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal")
  [ -n "$FILTER" ] && args+=(--filter "$FILTER")
  dotnet "${args[@]}" 2>&1 | grep -vE '^\s*$|^\s*Passed [A-Za-z]' || true
  rc=${PIPESTATUS[0]}
  trx="$RESULTS/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "tests/run.sh: $name produced no results (exit $rc): counted as one failure" >&2
    failed=$((failed + 1)); status=1
    continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get error); n=$(get notExecuted)
  t=${t:-0} p=${p:-0} f=${f:-0} e=${e:-0} n=${n:-0}
  total=$((total + t)); passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + n))
  [ "$rc" -ne 0 ] && status=1
  echo "$name: $p passed, $((f + e)) failed, $n skipped"
done

# ---------------------------------------------------------------- benchmarks (dry)
if [ -z "$FILTER" ]; then
  log "benchmarks, dry job (every benchmark runs once; no timing is checked)"
  if dotnet run --project bench/Pipeline.Bench -c "$CONFIG" --no-build -- --filter '*' --job dry --inProcess \
      > "$RESULTS/bench-dry.log" 2>&1; then
    tail -n 1 "$RESULTS/bench-dry.log"
    passed=$((passed + 1))
  else
    tail -n 30 "$RESULTS/bench-dry.log"
    echo "tests/run.sh: the benchmark dry run failed (log: artifacts/test-results/bench-dry.log)" >&2
    failed=$((failed + 1)); status=1
  fi
  total=$((total + 1))
fi

# ---------------------------------------------------------------- verdict
[ "$skipped" -gt 0 ] && { echo "tests/run.sh: $skipped test(s) were skipped; skips are not allowed" >&2; status=1; }
[ "$total" -eq 0 ] && { echo "tests/run.sh: no test ran" >&2; status=1; }
[ "$failed" -gt 0 ] && status=1
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
