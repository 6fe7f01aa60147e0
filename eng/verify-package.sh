#!/usr/bin/env bash
# Packs ZeroAllocCache into a temporary feed, then builds and runs tests/PackageConsumer against that package alone:
# a unique prerelease version that only the temporary feed has, a NuGet cache of its own, and the project copied out
# of the repository, so nothing can come from a project reference or an older cached package.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A version no other feed can have: the consumer can only restore the package packed here.
verify_version="0.0.0-verify.$(date +%s)"
echo "verify-package: packing ZeroAllocCache $verify_version"
dotnet pack "$root/src/ZeroAllocCache/ZeroAllocCache.csproj" -c Release -o "$work/feed" --nologo -v quiet \
    -p:Version="$verify_version"

package="$(find "$work/feed" -name 'ZeroAllocCache.*.nupkg' ! -name '*.snupkg' | head -n 1)"
version="$(basename "$package" .nupkg)"
version="${version#ZeroAllocCache.}"

# A package's file names are stored uncompressed in the zip directory.
if ! grep -aq 'analyzers/dotnet/cs/ZeroAllocCache.Generators.dll' "$package"; then
    echo "verify-package: $package has no analyzers/dotnet/cs/ZeroAllocCache.Generators.dll" >&2
    exit 1
fi

cp -R "$root/tests/PackageConsumer" "$work/consumer"
rm -rf "$work/consumer/bin" "$work/consumer/obj"
# The machine's own package sources, plus the temporary feed.
cat > "$work/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="verify-feed" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG

echo "verify-package: building and running PackageConsumer against ZeroAllocCache $version"
export NUGET_PACKAGES="$work/packages"
dotnet build "$work/consumer/PackageConsumer.csproj" -c Release --nologo -v quiet -p:ZeroAllocCacheVersion="$version"
dotnet run --project "$work/consumer/PackageConsumer.csproj" -c Release --no-build
echo "verify-package: passed"
