#!/usr/bin/env bash
# Keeps the benchmark suite from rotting without running it: builds it, runs one BenchmarkDotNet benchmark with the
# Dry job (one cold invocation per case, in process, so no second build), and runs the harnesses for a moment.
# Fails if the build fails, a benchmark throws, or the filter matches nothing. About a minute on a warm machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

project=benchmarks/ZeroAllocCache.Benchmarks
artifacts="${TMPDIR:-/tmp}/zeroalloccache-benchmarks-dry"

dotnet build "$project" -c Release
dotnet run -c Release --no-build --project "$project" -- \
  --filter '*HitPathBenchmarks.SeedPort_TryGet*' --job Dry --inProcess --artifacts "$artifacts"
dotnet run -c Release --no-build --project "$project" -- throughput 0.05 1
dotnet run -c Release --no-build --project "$project" -- memory
# The build comparison against itself: the project's own output holds a ZeroAllocCache.dll.
dotnet run -c Release --no-build --project "$project" -- compare 1000 "$project/bin/Release/net10.0"
