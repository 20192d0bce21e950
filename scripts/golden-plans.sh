#!/usr/bin/env bash
# Real Terraform plans for infracost's per-resource-type goldens, which engine/tests/golden.rs
# compares costfix against. For every golden directory <t>/ under
# fixtures/corpus/infracost/internal/providers/terraform/aws/testdata/ that has a <t>.tf, plan it
# in a temporary copy with a real Terraform and AWS provider, offline, and write <t>/plan.json next
# to the golden (`terraform show -json`, pretty-printed by jq, `timestamp` fixed and
# `relevant_attributes` sorted, so a rerun changes nothing unless Terraform's answer does). When
# Terraform cannot plan the .tf offline (old syntax, a type or argument provider 5.100.0 does not
# have, a module it cannot install, a provider that calls AWS at plan time, ...), write
# <t>/plan.skipped with the first lines of the error instead, and go on. The test reads whichever
# is there: plan.json, or the stand-in plan builder where plan.skipped says why.
#
#   scripts/golden-plans.sh                    # every golden directory in fixtures/
#   scripts/golden-plans.sh eip_test lb_test   # some
#   scripts/golden-plans.sh --shared [--out DIR]
#       also every golden directory of ../shared/corpus/infracost/.../testdata (SHARED_CORPUS to
#       change it) not yet copied to fixtures/: their plan.json / plan.skipped go to
#       DIR/<t>/ (default target/golden-plans/), to be committed with the golden once it is copied.
#
# The golden files are never edited: the temporary copy gets one more file, zz_costfix_override.tf,
# which, by Terraform's override-file rules, adds dummy credentials and the skip_* options to each
# of the file's `provider "aws"` blocks (aliases too) while keeping their region. Needs terraform
# (1.11.4 made the committed plans), jq, and the hashicorp/aws provider (5.100.0) in a filesystem
# mirror: TF_PLUGIN_MIRROR (default /opt/tf-plugins). Nothing is downloaded.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rel=infracost/internal/providers/terraform/aws/testdata
fixtures="$root/fixtures/corpus/$rel"
shared="${SHARED_CORPUS:-$root/../shared/corpus}/$rel"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
out="$root/target/golden-plans"
use_shared=0
names=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --shared) use_shared=1 ;;
    --out) out="$2"; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) names+=("${1%/}") ;;
  esac
  shift
done
command -v terraform >/dev/null || { echo "terraform not found" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 2; }
[ -d "$mirror/registry.terraform.io/hashicorp/aws" ] || { echo "no hashicorp/aws provider in $mirror" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=dummy AWS_SECRET_ACCESS_KEY=dummy AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION TF_WORKSPACE TF_CLI_ARGS \
  TF_CLI_ARGS_plan TF_CLI_ARGS_init TF_DATA_DIR

# Golden directories: <t>/ holding <t>.tf, from fixtures/ (and shared/ with --shared).
golden_dirs() {
  local d
  for d in "$@"; do
    [ -d "$d" ] || continue
    (cd "$d" && for t in */; do t="${t%/}"; [ -f "$t/$t.tf" ] && echo "$t"; done) || true
  done
}
if [ "${#names[@]}" -eq 0 ]; then
  if [ "$use_shared" = 1 ]; then
    mapfile -t names < <(golden_dirs "$fixtures" "$shared" | sort -u)
  else
    mapfile -t names < <(golden_dirs "$fixtures" | sort -u)
  fi
fi

# The override file: for each top-level `provider "aws"` block of the .tf files in $1, a block with
# the same alias adding dummy credentials and the skip_* options (region left as written).
write_override() {
  awk '
    /^provider[ \t]+"aws"[ \t]*\{/ { inblock = 1; alias = ""; next }
    inblock && /^[ \t]*alias[ \t]*=/ { a = $0; sub(/^[^=]*=[ \t]*"/, "", a); sub(/".*/, "", a); alias = a }
    inblock && /^\}/ { inblock = 0; print (alias == "" ? "-" : alias) }
  ' "$1"/*.tf | sort -u | while read -r alias; do
    echo 'provider "aws" {'
    [ "$alias" = - ] || echo "  alias                       = \"$alias\""
    cat <<'HCL'
  access_key                  = "mock_access_key"
  secret_key                  = "mock_secret_key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
HCL
  done >"$1/zz_costfix_override.tf"
}

# Terraform's complaint, without colour codes, box drawing, blank lines or this machine's DNS
# resolver address, at most 25 lines.
first_error() {
  sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^[│╷╵] \{0,1\}//' -e 's/^[╷╵]$//' \
    -e 's/ on [0-9a-f.:]*:53: / on the resolver: /g' "$1" |
    awk 'NF && !/^(Initializing|Terraform has been|- |You may now|If you ever|any changes|should now|rerun this|commands will|Terraform used the selected|Note: You didn.t|Saved the plan|To perform exactly)/' |
    sed -n '/Error/,$p' | head -n 25
}

# `timestamp` fixed; `relevant_attributes` (a set, in an order that changes from run to run) sorted.
normalize='.timestamp = "2026-01-01T00:00:00Z"
  | if .relevant_attributes then .relevant_attributes |= sort_by(.resource, (.attribute | tostring)) else . end'

planned=0 skipped=0
for t in "${names[@]}"; do
  if [ -f "$fixtures/$t/$t.tf" ]; then
    src="$fixtures/$t" dest="$fixtures/$t" shown="fixtures/corpus/$rel/$t"
  elif [ "$use_shared" = 1 ] && [ -f "$shared/$t/$t.tf" ]; then
    src="$shared/$t" dest="$out/$t" shown="$dest"
  else
    echo "no golden directory $t with $t.tf in fixtures/ (or shared/ with --shared)" >&2
    exit 2
  fi
  dir="$work/$t"
  mkdir -p "$dir"
  cp "$src"/*.tf "$dir/"
  write_override "$dir"
  mkdir -p "$dest"
  step=init
  if (cd "$dir" && terraform init -backend=false -input=false -no-color >log 2>&1) &&
    step=plan && (cd "$dir" && terraform plan -refresh=false -lock=false -input=false -no-color -out=plan.bin >log 2>&1); then
    (cd "$dir" && terraform show -json plan.bin) | jq "$normalize" >"$dest/plan.json.tmp"
    mv "$dest/plan.json.tmp" "$dest/plan.json"
    rm -f "$dest/plan.skipped"
    planned=$((planned + 1))
    echo "planned  $shown/plan.json"
  else
    {
      echo "terraform $(terraform version -json | jq -r .terraform_version), hashicorp/aws $(ls "$mirror/registry.terraform.io/hashicorp/aws" | sort -V | tail -n 1): \`terraform $step\` failed offline on $t.tf:"
      first_error "$dir/log"
    } >"$dest/plan.skipped"
    rm -f "$dest/plan.json"
    skipped=$((skipped + 1))
    echo "skipped  $shown/plan.skipped: $(sed -n 2p "$dest/plan.skipped")"
  fi
  rm -rf "$dir"
done
echo "$planned planned, $skipped skipped"
