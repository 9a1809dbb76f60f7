#!/usr/bin/env bash
# The layout's rules (docs/internals/architecture.md), checked by `make lint`:
#   1. src/domain/ is pure: it includes nothing from the store, HTTP, the API, the jobs, the
#      runtime threads, the channels or the process wiring, nor sqlite3, libpq, libcurl or
#      libmicrohttpd; it reads no clock (every function takes `now`) and does no file, socket or
#      environment I/O.
#   2. sqlite3 appears only under src/store/sqlite/, libpq only under src/store/pg/.
#   3. no source file (src/, tests/unit/) passes 1,000 lines.
#   (1b: src/store/ includes nothing from jobs/, runtime/, http/, api/, channels/, app/, cli/;
#    src/channels/ nothing from store/, jobs/, http/, api/, app/, cli/.)
# Prints every violation as FILE:LINE: rule, and exits 1 if there is any.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAX_LINES=1000
bad=0
report() { printf '%s\n' "$*"; bad=1; }

# 1. the pure domain
while IFS= read -r hit; do
    report "$hit: src/domain/ must not include this (pure rules only)"
done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((store|http|api|jobs|runtime|channels|app|cli)/|sqlite3\.h|libpq-fe\.h|curl/|microhttpd\.h)' \
    src/domain/*.[ch] 2>/dev/null)
# comments and string literals are blanked first (awk), so prose about "the time (UTC)" is not a call
while IFS= read -r hit; do
    report "$hit: src/domain/ must not read a clock (take \`now\` as a parameter) or do I/O"
done < <(for f in src/domain/*.[ch]; do
    awk -v f="$f" '
        { line = $0; out = ""
          while (length(line) > 0) {
              if (incomment) { i = index(line, "*/"); if (!i) { line = ""; break }
                               line = substr(line, i + 2); incomment = 0; continue }
              i = index(line, "/*"); j = index(line, "//")
              if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
              if (i) { out = out substr(line, 1, i - 1); line = substr(line, i + 2); incomment = 1; continue }
              out = out line; line = "" }
          gsub(/"([^"\\]|\\.)*"/, "\"\"", out)
          if (out ~ /(^|[^A-Za-z0-9_])(time|clock_gettime|gettimeofday|clock_now|clock_real|clock_mono_ms|clock_wall_ms|timespec_get|fopen|fdopen|open|openat|fread|fwrite|read|write|unlink|mkdir|socket|connect|getenv|system|popen)[ \t]*\(/)
              print f ":" NR ": " $0 }' "$f"
done)

# 1b. the folders below the callers: the store knows no job, thread, HTTP or channel; a channel
# builds requests and reads answers, it does not touch the store (the notifier records attempts)
while IFS= read -r hit; do
    report "$hit: src/store/ must not include this (it is below jobs/, runtime/, http/, api/, channels/, app/, cli/)"
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(jobs|runtime|http|api|channels|app|cli)/' \
    src/store --include='*.[ch]' 2>/dev/null)
while IFS= read -r hit; do
    report "$hit: src/channels/ must not include this (no store, jobs, HTTP or process wiring)"
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(store|jobs|http|api|app|cli)/' \
    src/channels --include='*.[ch]' 2>/dev/null)

# 2. sqlite3 only in its backend
while IFS= read -r hit; do
    report "$hit: sqlite3 outside src/store/sqlite/"
done < <(grep -rn 'sqlite3' src --include='*.[ch]' | grep -v '^src/store/sqlite/')
# ... and libpq only in its own
while IFS= read -r hit; do
    report "$hit: libpq outside src/store/pg/"
done < <(grep -rnE 'libpq-fe\.h|\bPG(conn|result)\b|\bPQ[a-z]+[[:space:]]*\(' src --include='*.[ch]' | grep -v '^src/store/pg/')

# 3. file length
while IFS= read -r f; do
    n=$(wc -l < "$f")
    [ "$n" -le "$MAX_LINES" ] || report "$f:$n: longer than $MAX_LINES lines (split it by concern)"
done < <(find src tests/unit -name '*.[ch]' | sort)

[ "$bad" -eq 0 ] && echo "layout: ok (domain pure, store and channels below their callers, sqlite3 only in src/store/sqlite/, libpq only in src/store/pg/, files <= $MAX_LINES lines)"
exit "$bad"
