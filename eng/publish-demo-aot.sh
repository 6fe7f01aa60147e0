#!/usr/bin/env bash
# Publishes the demo with Native AOT for linux-x64, runs the native binary on a short workload, checks that it exits 0
# and that its summary reports hits, checks two bad-input exits, and prints the binary's size.
#
#   eng/publish-demo-aot.sh [OUTPUT_DIR]        (default: artifacts/demo-aot)
#
# Needs the .NET SDK and NuGet (the SDK restores the ILCompiler package itself), and a C toolchain for the native
# link: clang (any version), or gcc, which the SDK falls back to. With neither, or without zlib1g-dev, it installs
# clang and zlib1g-dev with apt-get when it runs as root, and otherwise says what to install.
# Trim and AOT warnings fail the publish: the repository treats warnings as errors, and so does the ILCompiler.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out=${1:-artifacts/demo-aot}
rid=linux-x64
project=src/ZeroAllocCache.Demo/ZeroAllocCache.Demo.csproj
binary=$out/ZeroAllocCache.Demo
started=$SECONDS

step() { printf '\n=== %s (%ss)\n' "$1" "$((SECONDS - started))"; }
fail() { printf 'publish-demo-aot: %s\n' "$1" >&2; exit 1; }

if ! command -v dotnet >/dev/null 2>&1; then
  fail "the .NET SDK (10.0.x) is required and was not found on PATH."
fi

has_zlib() {
  local dir
  for dir in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /lib/x86_64-linux-gnu; do
    [[ -e $dir/libz.so || -e $dir/libz.a ]] && return 0
  done
  return 1
}

# The highest-numbered clang-N on PATH, for machines that have clang only under its versioned name.
versioned_clang() {
  compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n | tail -n 1 || true
}

step "Native toolchain"
link_args=()
if ! command -v clang >/dev/null 2>&1 && [[ -z $(versioned_clang) ]] || ! has_zlib; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing clang and zlib1g-dev for the native link."
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang zlib1g-dev
  elif ! command -v gcc >/dev/null 2>&1 || ! has_zlib; then
    fail "Native AOT needs clang and zlib1g-dev: install them (sudo apt-get install clang zlib1g-dev) and run again."
  fi
fi

if command -v clang >/dev/null 2>&1; then
  echo "Linking with $(command -v clang)."
elif [[ -n $(versioned_clang) ]]; then
  echo "Linking with $(versioned_clang) (no plain 'clang' on PATH)."
  link_args+=("-p:CppCompilerAndLinker=$(versioned_clang)")
else
  echo "Linking with gcc (no clang on PATH)."
fi

step "Publish (Release, $rid, PublishAot)"
rm -rf "$out"
log=$(mktemp)
if ! dotnet publish "$project" -c Release -r "$rid" -o "$out" "${link_args[@]}" 2>&1 | tee "$log"; then
  fail "the Native AOT publish failed."
fi
# Belt and braces: warnings are errors here, but a warning that slipped through must still fail the check.
if grep -E ': warning [A-Z]+[0-9]+' "$log"; then
  fail "the publish printed warnings (above); the demo must publish without any."
fi
rm -f "$log"
[[ -x $binary ]] || fail "no native binary at $binary."

step "Run the native binary on a short workload"
run_log=$(mktemp)
set +e
"$binary" --requests 600 --latency 1 | tee "$run_log"
status=${PIPESTATUS[0]}
set -e
[[ $status -eq 0 ]] || fail "the native demo exited with $status, not 0."
hits=$(awk '$1 == "hits" { gsub(",", "", $2); print $2 }' "$run_log")
rm -f "$run_log"
[[ $hits =~ ^[0-9]+$ && $hits -gt 0 ]] || fail "the summary reports no hits."

step "Sweep the capacities and draw the chart (ScottPlot, natively)"
sweep_dir=$(mktemp -d)
"$binary" sweep --out "$sweep_dir" | tail -3
[[ -s "$sweep_dir/miss-ratio.png" && -s "$sweep_dir/miss-ratio.svg" ]] || fail "the native sweep wrote no chart."
rm -rf "$sweep_dir"

step "Bad input exits with code 2"
set +e
"$binary" --no-such-option >/dev/null 2>&1
unknown_option=$?
bad_workload=$(mktemp --suffix=.jsonl)
printf '{"model":"m","messages":[{"role":"user","content":"a"}]}\n{"model":"m","messages":\n' >"$bad_workload"
message=$("$binary" --workload "$bad_workload" 2>&1 >/dev/null)
malformed_line=$?
set -e
rm -f "$bad_workload"
[[ $unknown_option -eq 2 ]] || fail "an unknown option exited with $unknown_option, not 2."
[[ $malformed_line -eq 2 && $message == "error: $bad_workload:2: "* ]] \
  || fail "a malformed workload line exited with $malformed_line and said: $message"
echo "unknown option: exit 2; malformed line: exit 2, \"$message\""

size=$(stat -c %s "$binary")
printf '\nNative binary: %s, %s bytes (%s MiB); %s hits in the short run; %ss in all.\n' \
  "$binary" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')" "$hits" "$((SECONDS - started))"
