#!/usr/bin/env pwsh
# Runs the Rekey build (the Cake host in build/). Every argument goes to it: ./build.ps1 --help
#
# The host is compiled first, then run as this script's one child, whose exit code is passed on; on Linux and
# macOS, build.sh replaces its own process with the host instead, so the pid a CI runner signals is the host.
$ErrorActionPreference = 'Stop'

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error "build.ps1: the .NET SDK is not installed or not on PATH. Install the .NET 10 SDK (https://dotnet.microsoft.com/download), then run ./build.ps1 again." -ErrorAction Continue
    exit 127
}

$program = Join-Path $PSScriptRoot 'build/bin/Release/net10.0/Build.dll'

# No build servers: they would outlive the build, holding the caller's output open.
$compiled = & dotnet build (Join-Path $PSScriptRoot 'build/Build.csproj') --configuration Release --nologo --verbosity quiet --disable-build-servers 2>&1
if ($LASTEXITCODE -ne 0) {
    $compiled | Write-Host
    Write-Error "build.ps1: the build host did not compile (above); fix the error, then run ./build.ps1 again." -ErrorAction Continue
    exit 1
}

# The host resolves relative paths (artifacts, plans) from the repository root; Ctrl+C reaches it directly,
# since it shares this console, and it stops at a safe point (exit 130).
Push-Location $PSScriptRoot
try {
    & dotnet $program @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
