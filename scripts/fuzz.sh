#!/bin/sh
# Long fuzz and property runs (`npm run fuzz`): 100,000 inputs per codec and per file reader, and
# larger property runs against the databases (the server too when DATABASE_URL is set).
# The suite runs the same tests CI-sized. Override with FUZZ_RUNS, FUZZ_SEED, PROPERTY_RUNS,
# PROPERTY_SEED; extra arguments go to vitest (e.g. a file filter).
set -e
export FUZZ_RUNS="${FUZZ_RUNS:-100000}"
export PROPERTY_RUNS="${PROPERTY_RUNS:-200}"
exec npx vitest run --testTimeout=0 test/unit/fuzz-types.test.ts test/fuzz test/property "$@"
