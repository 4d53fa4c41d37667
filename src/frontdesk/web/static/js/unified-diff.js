// A unified diff (as difflib and diff -u write it) shown line by line: added lines green,
// removed lines red, each with its number in the old and the new text and its +/- sign
// kept, so the change reads without colour too.
import { h } from "./dom.js";

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Parse a unified diff into rows {kind, old, new, text} and count the changes. */
export function parseDiff(diff) {
  const rows = [];
  let added = 0;
  let removed = 0;
  let oldLine = 0;
  let newLine = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("--- ") || line.startsWith("+++ ") || line === "") continue;
    const hunk = line.match(HUNK);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push({ kind: "hunk", old: "", new: "", text: line });
    } else if (line.startsWith("+")) {
      rows.push({ kind: "add", old: "", new: newLine++, text: line.slice(1) });
      added++;
    } else if (line.startsWith("-")) {
      rows.push({ kind: "del", old: oldLine++, new: "", text: line.slice(1) });
      removed++;
    } else if (line.startsWith("\\")) {
      rows.push({ kind: "meta", old: "", new: "", text: line.slice(2) });
    } else {
      rows.push({ kind: "same", old: oldLine++, new: newLine++, text: line.slice(1) });
    }
  }
  return { rows, added, removed };
}

const SIGNS = { add: "+", del: "−", same: " ", hunk: "", meta: "" };

/** Render diff into container; returns {added, removed}. */
export function renderDiff(container, diff) {
  const { rows, added, removed } = parseDiff(diff);
  container.replaceChildren(
    ...rows.map((row) =>
      h("div", { class: `diff-row diff-${row.kind}` },
        h("span", { class: "diff-no", "aria-hidden": "true" }, String(row.old)),
        h("span", { class: "diff-no", "aria-hidden": "true" }, String(row.new)),
        h("span", { class: "diff-sign" }, SIGNS[row.kind]),
        h("span", { class: "diff-text" }, row.text),
      ),
    ),
  );
  return { added, removed };
}
