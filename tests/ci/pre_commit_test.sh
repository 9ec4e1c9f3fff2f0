#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml for real: validates the manifest, then runs both hooks with
# `pre-commit try-repo <this checkout>` in a temporary git repository holding a bad manifest, a
# good one, a Dockerfile and a broken manifest that is not among the files passed (context
# only: it must not be reported). The `kubeward` hook (language: rust) is built by pre-commit in
# a fresh PRE_COMMIT_HOME with `cargo install`, sharing CARGO_TARGET_DIR so only the kubeward
# crate itself is compiled again; `kubeward-system` runs the binary CI built, put on PATH.
# Needs pre-commit (pip install pre-commit). Usage: bash tests/ci/pre_commit_test.sh
set -euo pipefail
checkout=$(cd "$(dirname "$0")/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$checkout/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/pre-commit-home"
# try-repo commits a shadow copy of a checkout with uncommitted changes: give git an identity.
export GIT_AUTHOR_NAME=kubeward-ci GIT_AUTHOR_EMAIL=ci@kubeward.invalid
export GIT_COMMITTER_NAME=kubeward-ci GIT_COMMITTER_EMAIL=ci@kubeward.invalid

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok - $what"
  else
    failed=$((failed + 1))
    echo "not ok - $what"
    echo "--- output ---"
    cat "$work/out"
    echo "--------------"
  fi
}
contains() { grep -qF -- "$1" "$work/out"; }
lacks() { ! grep -qF -- "$1" "$work/out"; }

pre-commit validate-manifest "$checkout/.pre-commit-hooks.yaml" > "$work/out" 2>&1 && code=0 || code=$?
check "pre-commit validate-manifest accepts .pre-commit-hooks.yaml" [ "$code" -eq 0 ]

repo="$work/repo"
mkdir -p "$repo/deploy"
cd "$repo"
git init -q .
cat > deploy/bad.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: first
  password: second
YAML
cat > deploy/good.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27.2
      resources:
        limits: {cpu: 100m, memory: 64Mi}
  restartPolicy: Never
YAML
cat > Dockerfile <<'DOCKERFILE'
FROM nginx:1.27.2
LABEL description="static: files"
DOCKERFILE
cat > broken.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: x
 data: {}
YAML
echo "notes" > README.md
git add .

try() { # try HOOK FILE... -> $work/out, $code
  local hook=$1
  shift
  pre-commit try-repo "$checkout" "$hook" --files "$@" > "$work/out" 2>&1 && code=0 || code=$?
}

# try-repo installs the hook in a fresh store on every call: for the rust hook that is a
# `cargo install` of this checkout each time (~40 s with the shared target directory), so the
# rust hook runs the main case once and the system hook runs every case.
for hook in kubeward kubeward-system; do
  if [ "$hook" = kubeward-system ]; then
    export PATH="$target_dir/release:$PATH"
  fi
  start=$SECONDS
  try "$hook" deploy/bad.yaml deploy/good.yaml Dockerfile
  echo "# $hook: try-repo took $((SECONDS - start)) s"
  check "$hook: a bad manifest fails the hook" [ "$code" -eq 1 ]
  check "$hook: the failure names the hook" contains "- hook id: $hook"
  check "$hook: the duplicate key is reported where it is" contains "╭─[deploy/bad.yaml:7:3]"
  check "$hook: with its rule" contains "duplicate-key"
  check "$hook: the Dockerfile is read, not parsed as YAML; the context is not reported" \
    contains "2 errors, 0 warnings, 0 infos in 3 files (1 without Kubernetes objects), 2 objects"
  check "$hook: a broken file that was not passed is context only" lacks "broken.yaml"
done

try kubeward-system deploy/good.yaml
check "a good manifest passes despite the broken one beside it" [ "$code" -eq 0 ]
check "reported as passed" contains "Passed"

try kubeward-system README.md
check "files that are not YAML, JSON or Dockerfiles are not passed" \
  contains "(no files to check)Skipped"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
