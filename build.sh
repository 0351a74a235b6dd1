#!/usr/bin/env bash
# Runs the Rekey build (the Cake host in build/). Every argument goes to it: ./build.sh --help
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK is not installed or not on PATH." >&2
  echo "Install the .NET 10 SDK (https://dotnet.microsoft.com/download), then run ./build.sh again." >&2
  exit 127
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec dotnet run --project "$root/build/Build.csproj" --configuration Release -- "$@"
