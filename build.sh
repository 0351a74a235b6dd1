#!/usr/bin/env bash
# Runs the Rekey build (the Cake host in build/). Every argument goes to it: ./build.sh --help
#
# The host is compiled first, then this script's own process becomes it (exec): the pid a user or a CI
# runner signals is the process doing the work, so SIGINT/SIGTERM stop the run at a safe point (exit 130)
# and kill -9 stops it dead. `dotnet run` would start the build as a child that outlives a killed parent.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK is not installed or not on PATH." >&2
  echo "Install the .NET 10 SDK (https://dotnet.microsoft.com/download), then run ./build.sh again." >&2
  exit 127
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
program="$root/build/bin/Release/net10.0/Build.dll"

# No build servers: they would stay behind in the caller's process group, holding its output open.
if ! compiled="$(dotnet build "$root/build/Build.csproj" --configuration Release --nologo --verbosity quiet --disable-build-servers 2>&1)"; then
  printf '%s\n' "$compiled" >&2
  echo "build.sh: the build host did not compile (above); fix the error, then run ./build.sh again." >&2
  exit 1
fi

if [[ ! -f "$program" ]]; then
  echo "build.sh: $program is missing after the build; run 'dotnet build build/Build.csproj -c Release' to see why." >&2
  exit 1
fi

# The host resolves relative paths (artifacts, plans) from the repository root, as it always has.
cd "$root"
exec dotnet "$program" "$@"
