#!/usr/bin/env bash
# Trains the learned arrival predictor end to end: dumps factory traffic with `airan traffic`,
# then runs ai/training/train_arrival_predictor.py (PyTorch, one thread, fixed seeds) and
# writes the model (default data/models/arrival_predictor.json, the shipped one).
#
#   bash scripts/train-predictor.sh [--epochs N] [--out FILE] [--airan BIN] [--data-dir DIR]
#
# Needs python3-torch (bash scripts/setup.sh --with-training) and a built `airan`.
# Deterministic: the same dumps, seeds and torch version give the same weights.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
airan="$root/build/bin/airan"
data_dir="$root/build/predictor-data"
out="$root/data/models/arrival_predictor.json"
epochs=30
python=/usr/bin/python3  # Debian's python: the one that sees python3-torch

while (($#)); do
  case "$1" in
    --epochs) epochs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --airan) airan="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "train-predictor: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ ! -x "$airan" ]]; then
  echo "train-predictor: $airan not found; build it: cmake --build build --target airan" >&2
  exit 2
fi
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "train-predictor: $python cannot import torch; run: bash scripts/setup.sh --with-training" >&2
  exit 2
fi

# scenario:seed:seconds. Training and validation seeds never appear in the test set.
train=(factory-10:1:30 factory-10:2:30 factory-10:3:30 mixed:1:10)
validate=(factory-10:4:30 mixed:2:10)
test=(factory-10:101:30 mixed:102:10)

mkdir -p "$data_dir"
dump() {
  local scenario="${1%%:*}" rest="${1#*:}"
  local seed="${rest%%:*}" seconds="${rest#*:}"
  local file="$data_dir/$scenario-seed$seed.csv"
  if [[ ! -s "$file" || "$(head -c 100 "$file.info" 2>/dev/null)" != "$seconds s" ]]; then
    echo "train-predictor: airan traffic --scenario $scenario --seed $seed --duration $seconds > $file"
    "$airan" traffic --scenario "$scenario" --seed "$seed" --duration "$seconds" > "$file"
    echo "$seconds s" > "$file.info"
  fi
}
list() {  # scenario:seed[,...] from scenario:seed:seconds
  local IFS=,; local items=(); for s in "$@"; do items+=("${s%:*}"); done; echo "${items[*]}"
}
for s in "${train[@]}" "${validate[@]}" "${test[@]}"; do dump "$s"; done

mkdir -p "$(dirname "$out")"
"$python" "$root/ai/training/train_arrival_predictor.py" \
  --data-dir "$data_dir" --train "$(list "${train[@]}")" --validate "$(list "${validate[@]}")" \
  --test "$(list "${test[@]}")" --epochs "$epochs" --out "$out" \
  --dump-info "airan traffic --scenario S --seed N --duration T (traffic seed = scenario seed); S:N:T = ${train[*]} ${validate[*]} ${test[*]}"
