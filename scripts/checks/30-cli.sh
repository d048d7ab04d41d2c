#!/usr/bin/env bash
# ph-tap as a user runs it from a shell: the binary `cargo build` makes, found on PATH, with
# RUST_BACKTRACE=1 and RUST_LIB_BACKTRACE=1 exported as many developers have them. It checks what
# the Rust tests in ph-tap-cli/tests/ do not:
#   - `ph-tap --help`, `--version` and every subcommand's `--help` exit 0; a bare `ph-tap` exits 2,
#   - `ph-tap demo` and `ph-tap decode` of every committed capture exit 0, and each summary on
#     stderr agrees with the records on stdout and with the bytes read; the demo's shows what the
#     ph-tap README says the demo simulates,
#   - `ph-tap decode < FILE` (a shell redirect, not a pipe) prints what `ph-tap decode FILE` prints,
#   - error paths exit 1 with stdout empty and ONE stderr line starting `error: `,
#   - no run prints a panic or a backtrace.
# The byte-for-byte snapshots and the wording of each error are asserted in decode_captures.rs,
# demo.rs and cli_errors.rs (run by `cargo test`), not repeated here.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
    echo "cli check failed: $*" >&2
    exit 1
}

echo "--- cli: build ph-tap"
exe=$(cargo build -q -p ph-tap-cli --bin ph-tap --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -n "$exe" ] && [ -x "$exe" ] || fail "cargo build reported no ph-tap executable"
PATH="$(dirname "$exe"):$PATH"
[ "$(command -v ph-tap)" = "$exe" ] || fail "ph-tap on PATH is $(command -v ph-tap), not $exe"
export RUST_BACKTRACE=1 RUST_LIB_BACKTRACE=1
exec </dev/null # nothing below waits on a terminal; `decode <FILE` redirects its own stdin

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# run NAME CODE ARGS...: runs `ph-tap ARGS` (stdin from the caller) with stdout and stderr in
# $scratch/NAME.out and NAME.err; fails unless it exits with CODE, without a panic or backtrace.
run() {
    local name=$1 want=$2 code=0
    shift 2
    timeout 120 ph-tap "$@" >"$scratch/$name.out" 2>"$scratch/$name.err" || code=$?
    if [ "$code" -ne "$want" ]; then
        sed 's/^/  stderr: /' "$scratch/$name.err" >&2
        fail "ph-tap $* exited with $code, not $want"
    fi
    if grep -Eiq 'panicked at|stack backtrace|RUST_BACKTRACE' "$scratch/$name.err"; then
        sed 's/^/  stderr: /' "$scratch/$name.err" >&2
        fail "ph-tap $* printed a panic or a backtrace"
    fi
}

# one_error NAME CODE ARGS...: `run`, then stdout is empty and stderr is one `error: ` line.
one_error() {
    local name=$1
    run "$@"
    shift 2
    [ ! -s "$scratch/$name.out" ] || fail "ph-tap $* wrote to stdout: $(head -c 200 "$scratch/$name.out")"
    if [ "$(wc -l <"$scratch/$name.err")" -ne 1 ] || ! grep -q '^error: ' "$scratch/$name.err"; then
        sed 's/^/  stderr: /' "$scratch/$name.err" >&2
        fail "ph-tap $* did not give one line starting 'error: '"
    fi
    echo "  ph-tap $*: $(cat "$scratch/$name.err")"
}

# summary_agrees NAME BYTES: the summary at the end of NAME.err counts what NAME.out shows (human
# format, --no-time), and BYTES bytes. On a link of several streams each line starts with its
# stream's name (`stream N` for an unnamed one), which is taken off first; a reset is said by
# every stream and counted once.
summary_agrees() {
    awk -v bytes="$2" -v what="$1" '
        BEGIN { values = drops = bursts = links = unplaced = corrupt = resets = refused = 0 }
        FILENAME == ARGV[1] {
            if ($0 !~ /^(RING DROP|LINK LOSS|UNPLACED|CORRUPT FRAME|TARGET RESET|HELLO|SEQ WRAP|DUPLICATE|REFUSED)/)
                sub(/^(stream [0-9]+|[a-z][^ ]*) +/, "")
            if ($0 ~ /^TARGET RESET/) {
                if (!($0 in reset_lines)) resets++
                reset_lines[$0] = 1
                next
            }
            if ($0 ~ /^ *[0-9]+  /) values++
            else if ($0 ~ /^RING DROP /) { drops += $3; bursts++ }
            else if ($0 ~ /^LINK LOSS /) links += $3
            else if ($0 ~ /^UNPLACED /) unplaced += $2
            else if ($0 ~ /^CORRUPT FRAME/) corrupt++
            else if ($0 ~ /^REFUSED /) refused += $2
            next
        }
        /^--- ph-tap summary ---$/ { summary = 1; next }
        !summary { next }
        function want(field, got, expected) {
            seen[field] = 1
            if (got != expected) {
                printf "%s: summary says %s %s, the records and input say %s\n", what, field, got, expected
                bad = 1
            }
        }
        /^frames /         { want("frames", $2, values) }
        /^ring drops /     { want("ring drops", $3 " in " $5, drops " in " bursts) }
        /^link losses /    { want("link losses", $3, links) }
        /^corrupt frames / { want("corrupt frames", $3, corrupt) }
        /^unplaced /       { want("unplaced", $2, unplaced) }
        /^target resets /  { want("target resets", $3, resets) }
        /^refused /        { want("refused", $2, refused) }
        /^bytes /          { want("bytes", $2, bytes) }
        /^delivered /      {
            sent = values + drops + links + unplaced
            want("delivered", $2 " of " $4, (sent ? sprintf("%.2f%%", 100 * values / sent) : "-") " of " sent)
        }
        END {
            if (!summary) { printf "%s: no summary on stderr\n", what; exit 1 }
            if (unplaced && !seen["unplaced"]) want("unplaced", "(no line)", unplaced)
            if (refused && !seen["refused"]) want("refused", "(no line)", refused)
            if (values + drops + links + unplaced && !seen["delivered"]) want("delivered", "(no line)", "a line")
            n = split("frames,ring drops,link losses,corrupt frames,target resets,bytes", fields, ",")
            for (i = 1; i <= n; i++) if (!seen[fields[i]]) want(fields[i], "(no line)", "a line")
            exit bad
        }
    ' "$scratch/$1.out" "$scratch/$1.err" >&2 || fail "the summary of $1 does not add up"
}

# field NAME LABEL: the first number on the summary line LABEL of NAME.err.
field() {
    sed -n "s/^$2  *\([0-9][0-9]*\).*/\1/p" "$scratch/$1.err"
}

echo "--- cli: help and version"
run help 0 --help
grep -q '^Usage: ph-tap ' "$scratch/help.out" || fail "ph-tap --help shows no usage line"
subcommands=$(sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$scratch/help.out" | grep -vx help || true)
for sub in run attach list decode demo plot; do # the subcommands the ph-tap README documents
    grep -qx "$sub" <<<"$subcommands" || fail "ph-tap --help does not list '$sub'"
done
for sub in $subcommands; do
    run "help-$sub" 0 "$sub" --help
    grep -q "^Usage: ph-tap $sub" "$scratch/help-$sub.out" || fail "ph-tap $sub --help shows no usage line"
done
echo "  ph-tap --help, and --help of:" $subcommands
run version 0 --version
version=$(sed -n 's/^version = "\(.*\)"/\1/p' ph-tap-cli/Cargo.toml)
[ "$(cat "$scratch/version.out")" = "ph-tap $version" ] ||
    fail "ph-tap --version says '$(cat "$scratch/version.out")', ph-tap-cli/Cargo.toml says $version"
run bare 2
grep -q '^Usage: ph-tap ' "$scratch/bare.err" || fail "a bare ph-tap shows no usage on stderr"

echo "--- cli: demo"
run demo 0 demo --tick-ms 0 --no-time --color never --save "$scratch/demo.bin"
summary_agrees demo "$(wc -c <"$scratch/demo.bin")"
# The ph-tap README: a bursty producer, a lossy link that also damages frames, one reset.
[ "$(field demo 'ring drops')" -gt 0 ] || fail "the demo's summary shows no ring drops"
[ "$(field demo 'link losses')" -gt 0 ] || fail "the demo's summary shows no link losses"
[ "$(field demo 'corrupt frames')" -gt 0 ] || fail "the demo's summary shows no corrupt frames"
[ "$(field demo 'target resets')" -eq 1 ] || fail "the demo's summary does not show one target reset"
sed -n '/^--- ph-tap summary ---$/,$s/^/  /p' "$scratch/demo.err"

echo "--- cli: decode the committed captures"
captures=(ph-tap-cli/tests/data/*.bin)
[ -e "${captures[0]}" ] || fail "no captures in ph-tap-cli/tests/data/"
for bin in "${captures[@]}"; do
    name=$(basename "$bin" .bin)
    run "$name" 0 decode --no-time --color never "$bin"
    summary_agrees "$name" "$(wc -c <"$bin")"
    run "$name-stdin" 0 decode --no-time --color never <"$bin"
    cmp -s "$scratch/$name.out" "$scratch/$name-stdin.out" &&
        cmp -s "$scratch/$name.err" "$scratch/$name-stdin.err" ||
        fail "ph-tap decode <$bin does not print what ph-tap decode $bin prints"
    echo "  $bin: $(field "$name" frames) frames, summary agrees, same from stdin"
done

echo "--- cli: error paths"
one_error missing 1 decode /nonexistent.bin
one_error chip 1 attach --chip nosuchchip
one_error run-chip 1 run --chip nosuchchip "$scratch/none.elf"
one_error run-elf 1 run --chip nRF52840_xxAA "$scratch/none.elf"
one_error run-host 1 run --chip nRF52840_xxAA "$exe"
# A port nothing listens on: one the kernel just handed out and that was closed again (port 1
# when python3 is missing).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 1)
one_error tcp 1 attach --tcp "127.0.0.1:$port"
run list 0 list
if [ -s "$scratch/list.out" ]; then
    echo "  a debug probe is connected: skipping ph-tap attach with no probe"
else
    one_error noprobe 1 attach --chip nRF52840_xxAA
    grep -q '^error: no debug probe found' "$scratch/noprobe.err" ||
        fail "ph-tap attach with no probe does not say 'no debug probe found'"
fi
