#!/bin/bash
# The grep-able proof of issue 14 (the AST test test_vocabulary.py is the guard; this is the same question
# asked with grep, for a closing note): bot names, reason values and status words as string literals in
# src/, outside the enum definitions (indented NAME = "value" lines), the storage/wire codecs and field names
# (dict keys, subscripts, .get("x"), "x" in ...). Empty output = none. Run from the repo root:
#   tests/unit/architecture/vocabulary_grep.sh            (the files on disk)
#   tests/unit/architecture/vocabulary_grep.sh 8c52399    (a commit, e.g. before issue 14 items 1-2)
REV=${1:-WORKTREE}
g() { if [ "$REV" = WORKTREE ]; then grep -rnE "$1" src/kalshi_bots --include=*.py; else git grep -nE "$1" "$REV" -- 'src/kalshi_bots/*.py' | sed "s/^$REV://"; fi; }
CODECS='^src/kalshi_bots/(adapters/store/|adapters/kalshi/wire(_account)?\.py|sandbox/)'
ENUMDEF='^\S+:[0-9]+:\s+[A-Z][A-Z0-9_]* = "'
FIELD='["'"'"'](VAL)["'"'"']\s*:|\[["'"'"'](VAL)["'"'"']\]|\.get\(["'"'"'](VAL)["'"'"']|["'"'"'](VAL)["'"'"'] (not )?in '
BOTS='btc-hourly|eth-hourly|weather|discovered'
REASONS=$(.venv/bin/python -c "from kalshi_bots.domain import reasons as r; print('|'.join(sorted({m.value for f in (r.NoTradeReason, r.ErrorReason, r.RunReason, r.OrderReason, r.PriceProblem) for m in f})))")
STATUS='ok|error|error-transient|no-trade|skipped|running|abandoned|pending|executed|failed|rejected|resting|canceled|filled|not-filled|refused|unknown|trade'
echo "== bot names"; g "[\"'](${BOTS})[\"']" | grep -vE "$CODECS" | grep -vE "$ENUMDEF" | grep -vE "${FIELD//VAL/$BOTS}"
echo "== reasons"; g "[\"'](${REASONS})[\"']" | grep -vE "$CODECS" | grep -vE "$ENUMDEF" | grep -vE "${FIELD//VAL/$REASONS}"
echo "== status literals compared in app/ and entrypoints/"
Q="[\"']"
CMP="(==|!=)\s*${Q}(${STATUS})${Q}|${Q}(${STATUS})${Q}\s*(==|!=)|\bin\s*[\(\[{]([^)}]*,\s*)?${Q}(${STATUS})${Q}|startswith\(${Q}(${STATUS})"
g "$CMP" | grep -E '^src/kalshi_bots/(app|entrypoints)/'
