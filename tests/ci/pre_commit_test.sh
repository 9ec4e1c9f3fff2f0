#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml for real: validates the manifest, then runs both hooks with
# `pre-commit try-repo <this checkout>` in a temporary git repository holding a bad manifest, a
# good one, a Dockerfile and a broken manifest that is not among the files passed (context
# only: it must not be reported). The `kubeward` hook (language: rust) is built by pre-commit in
# a fresh PRE_COMMIT_HOME with `cargo install`, sharing CARGO_TARGET_DIR so only the kubeward
# crate itself is compiled again; `kubeward-system` runs the binary CI built, put on PATH.
# The prebuilt hook of the pre-commit mirror (`pre-commit-mirror/`, published by the release
# workflow as its own repository) is run from a git repository made of that folder, with pip
# restricted to a local directory holding the wheel CI built (KUBEWARD_WHEEL_DIR, default
# $CARGO_TARGET_DIR/wheels, where `maturin build` puts it) and setuptools for the stub: the hook
# installs that wheel, not anything from an index. The versions the mirror pins and the README
# shows must be Cargo.toml's.
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
pre-commit validate-manifest "$checkout/pre-commit-mirror/.pre-commit-hooks.yaml" > "$work/out" 2>&1 && code=0 || code=$?
check "pre-commit validate-manifest accepts the mirror's .pre-commit-hooks.yaml" [ "$code" -eq 0 ]

# The versions users copy match the crate's.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$checkout/Cargo.toml" | head -n 1)
grep -n "kubeward==\|^version" "$checkout/pre-commit-mirror/pyproject.toml" > "$work/out"
check "the mirror pins kubeward==$version" contains "\"kubeward==$version\""
check "the mirror's own version is $version" contains "version = \"$version\""
# Every `rev: vX.Y.Z`, `kubeward@vX.Y.Z` and release link users copy from the READMEs.
grep -ohE "(rev: |kubeward@|releases/tag/)v[0-9]+\.[0-9]+\.[0-9]+" "$checkout/README.md" \
  "$checkout/pre-commit-mirror/README.md" | sed 's/.*v/v/' | sort -u > "$work/out"
check "the READMEs' revs, action refs and release links are all v$version" \
  [ "$(cat "$work/out")" = "v$version" ]

# The mirror as its own repository, and a pip that only sees the local wheel.
mirror="$work/mirror"
cp -R "$checkout/pre-commit-mirror" "$mirror"
git -C "$mirror" init -q .
git -C "$mirror" add -A
git -C "$mirror" commit -qm mirror
wheels=${KUBEWARD_WHEEL_DIR:-$target_dir/wheels}
links="$work/links"
mkdir -p "$links"
cp "$wheels"/kubeward-"$version"-*.whl "$links"/ 2>/dev/null || true
ls "$links" > "$work/out"
check "a kubeward $version wheel was built (maturin build) in $wheels" contains "kubeward-$version-"
python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
  --dest "$links" "setuptools>=70.1"

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

try() { # try HOOK FILE... -> $work/out, $code; the hook `mirror:kubeward` is the mirror's
  local hook=$1 repo=$checkout
  shift
  case "$hook" in
    mirror:*)
      hook=${hook#mirror:}
      repo=$mirror
      ;;
  esac
  pre-commit try-repo "$repo" "$hook" --files "$@" > "$work/out" 2>&1 && code=0 || code=$?
}

# try-repo installs the hook in a fresh store on every call: for the rust hook that is a
# `cargo install` of this checkout each time (~40 s with the shared target directory), so the
# rust hook runs the main case once and the system hook runs every case. The mirror's hook
# runs with pip limited to the local links (no index).
for hook in kubeward mirror:kubeward kubeward-system; do
  if [ "$hook" = kubeward-system ]; then
    export PATH="$target_dir/release:$PATH"
  fi
  start=$SECONDS
  if [ "$hook" = mirror:kubeward ]; then
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$links" PIP_LOG="$work/pip.log" \
      try "$hook" deploy/bad.yaml deploy/good.yaml Dockerfile
  else
    try "$hook" deploy/bad.yaml deploy/good.yaml Dockerfile
  fi
  echo "# $hook: try-repo took $((SECONDS - start)) s"
  if [ "$hook" = mirror:kubeward ]; then
    # try-repo's store is temporary: pip's log says what the hook's environment got.
    cp "$work/out" "$work/out.hook"
    cp "$work/pip.log" "$work/out" 2>/dev/null || : > "$work/out"
    check "mirror:kubeward: pip installed the local wheel into the hook's environment" \
      contains "Processing $links/kubeward-$version-"
    check "mirror:kubeward: ... and kubeward $version with the stub" \
      contains "Successfully installed kubeward-$version kubeward-pre-commit-$version"
    cp "$work/out.hook" "$work/out"
  fi
  check "$hook: a bad manifest fails the hook" [ "$code" -eq 1 ]
  check "$hook: the failure names the hook" contains "- hook id: ${hook#mirror:}"
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
