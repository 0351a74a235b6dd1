#!/usr/bin/env pwsh
# Runs the Rekey build (the Cake host in build/). Every argument goes to it: ./build.ps1 --help
$ErrorActionPreference = 'Stop'

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error "build.ps1: the .NET SDK is not installed or not on PATH. Install the .NET 10 SDK (https://dotnet.microsoft.com/download), then run ./build.ps1 again." -ErrorAction Continue
    exit 127
}

dotnet run --project (Join-Path $PSScriptRoot 'build/Build.csproj') --configuration Release -- $args
exit $LASTEXITCODE
