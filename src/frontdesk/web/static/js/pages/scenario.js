// The scenario editor: checks as you type with every problem shown in place, the
// versions, the changes against the published version, saving and publishing (admins),
// and the preview (scenario-preview.js). Shortcuts: Ctrl+S save, Ctrl+Enter check,
// F8 / Shift+F8 next / previous problem.
import { ApiError, get, post } from "../api.js";
import { CodeEditor, shortcut } from "../code-editor.js";
import { $, $$, debounce, fill, h } from "../dom.js";
import { clearErrors, errorText, showError } from "../forms.js";
import { fmt, t, tn } from "../i18n.js";
import { notify } from "../toast.js";
import { renderDiff } from "../unified-diff.js";
import { setupPreview } from "./scenario-preview.js";

const root = $("#scenario-editor");
const canPublish = JSON.parse(root.dataset.canPublish);
const state = {
  versions: JSON.parse(root.dataset.versions), // newest first
  published: JSON.parse(root.dataset.published), // the live version, or null
  open: JSON.parse(root.dataset.published), // the version in the editor; null: a new text
  saved: $("#scn-text").value, // the open version's text
  problems: [],
  checked: null, // the text the problems are of
};

const editor = new CodeEditor($("#scn-text"), $(".code-gutter"), {
  onChange: edited,
  keys: { F8: () => nextProblem(1), "Shift+F8": () => nextProblem(-1) },
});

/** Shortcuts anywhere on the page while no dialog is open. */
const PAGE_KEYS = {
  "Ctrl+S": () => (canPublish ? openSave() : notify(t("Only administrators can save scenarios."), "error")),
  "Ctrl+Enter": () => check(),
};

const dirty = () => editor.text !== state.saved;

// --- checking --------------------------------------------------------------------------

let checking = null; // the check in flight: {text, controller, answer}

/**
 * Ask the API for every problem of the text, and show them where they are. A check of
 * the same text already on its way is shared; one of an older text is dropped. Null when
 * this check was dropped for a newer text.
 */
function check() {
  const text = editor.text;
  if (checking && checking.text === text) return checking.answer;
  checking?.controller.abort();
  if (!text.trim()) {
    checking = null;
    showProblems([{ line: 1, column: 1, code: "empty", message: t("The scenario is empty.") }], text);
    return Promise.resolve(state.problems);
  }
  const controller = new AbortController();
  setStatus("checking");
  const answer = (async () => {
    try {
      const result = await post("/scenarios/validate", { text }, { signal: controller.signal });
      showProblems(result.problems, text);
    } catch (error) {
      if (error.name === "AbortError") return null;
      setStatus("error", errorText(error));
    } finally {
      if (checking?.controller === controller) checking = null;
    }
    return state.problems;
  })();
  checking = { text, controller, answer };
  return answer;
}

/** The problems of the text as it is now, however often it changes meanwhile. */
async function checkNow() {
  let problems = await check();
  while (problems === null) problems = await check();
  return problems;
}

const checkSoon = debounce(check, 400);

function showProblems(problems, text) {
  state.problems = problems;
  state.checked = text;
  editor.mark(problems);
  $("#scn-text").setAttribute("aria-invalid", problems.length ? "true" : "false");
  const box = $("#scn-problems");
  box.hidden = !problems.length;
  $("#scn-problems-title").textContent = tn("{n} problem", "{n} problems", problems.length);
  fill($("#scn-problem-list"), problems.map((problem) =>
    h("li", {},
      h("button", {
        type: "button",
        class: "scn-problem",
        dataset: { line: problem.line ?? "", column: problem.column ?? "" },
        onclick: () => editor.goTo(problem.line || 1, problem.column || 1),
      },
      h("span", { class: "scn-place" }, problem.line ? `${problem.line}:${problem.column}` : "—"),
      h("span", { class: "scn-message" }, problem.message)),
    ),
  ));
  setStatus(problems.length ? "problems" : "valid");
}

function nextProblem(direction) {
  const lines = state.problems.filter((p) => p.line).sort((a, b) => a.line - b.line || a.column - b.column);
  if (!lines.length) return;
  const area = $("#scn-text");
  const here = area.value.slice(0, area.selectionStart).split("\n").length;
  const next = direction > 0
    ? lines.find((p) => p.line > here) || lines[0]
    : [...lines].reverse().find((p) => p.line < here) || lines.at(-1);
  editor.goTo(next.line, next.column);
}

function setStatus(kind, detail = "") {
  const badge = $("#scn-status");
  const count = state.problems.length;
  const [text, style] = {
    checking: [t("Checking…"), "badge"],
    valid: [t("No problems"), "badge badge-ok"],
    problems: [tn("{n} problem", "{n} problems", count), "badge badge-alarm"],
    error: [t("Not checked: {reason}", { reason: detail }), "badge badge-warn"],
  }[kind];
  badge.className = style;
  badge.textContent = text;
}

// --- what is open -------------------------------------------------------------------------

function edited() {
  showState();
  checkSoon();
  if (!$("#scn-changes").hidden) diffSoon();
}

function showState() {
  const parts = [state.open ? t("Version {version}", { version: state.open }) : t("New scenario")];
  if (state.open && state.open === state.published) parts.push(t("published"));
  else if (state.open) parts.push(t("not published"));
  if (dirty()) parts.push(t("unsaved changes"));
  $("#scn-state").textContent = parts.join(" · ");
  const publish = $("#scn-publish");
  if (publish) {
    const live = state.open !== null && state.open === state.published && !dirty();
    publish.disabled = live;
    publish.title = live ? t("This version is published.") : "";
  }
}

function renderVersions() {
  const rows = state.versions.map((v) => {
    const open = v.version === state.open;
    const live = v.version === state.published;
    return h("tr", { class: open ? "is-open" : null, "aria-current": open ? "true" : null },
      h("td", {},
        h("button", {
          type: "button",
          class: "btn btn-small scn-open",
          "aria-label": t("Open version {version}", { version: v.version }),
          onclick: () => openVersion(v.version),
        }, String(v.version))),
      h("td", {}, fmt.datetime(v.created_at)),
      h("td", {}, v.author),
      h("td", { class: "scn-comment" }, v.comment || "—"),
      h("td", {},
        v.published_at ? fmt.datetime(v.published_at) : "—",
        live ? h("span", { class: "badge badge-ok scn-live" }, t("In use")) : null),
    );
  });
  fill($("#scn-version-rows"), rows.length ? rows : h("tr", {}, h("td", { colspan: 5, class: "empty" }, t("No versions yet."))));
}

async function reloadVersions() {
  state.versions = (await get("/scenarios")).reverse();
  renderVersions();
}

async function openVersion(version) {
  if (dirty() && !(await confirmDiscard(version))) return;
  try {
    const found = await get(`/scenarios/${version}`);
    editor.text = found.text;
    state.open = version;
    state.saved = found.text;
  } catch (error) {
    notify(errorText(error), "error");
    return;
  }
  renderVersions();
  showState();
  check();
  if (!$("#scn-changes").hidden) refreshDiff();
  editor.goTo(1, 1);
}

function confirmDiscard(version) {
  const dialog = $("#scn-discard-dialog");
  $("#scn-discard-text").textContent = t("Your changes are not saved. Open version {version} and lose them?", { version });
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "discard"), { once: true });
  });
}

// --- changes against the published version -------------------------------------------------

async function diffOf(text, container, summary) {
  if (!text.trim()) {
    container.replaceChildren();
    summary.textContent = t("The scenario is empty.");
    return;
  }
  const answer = await post("/scenarios/diff", { text });
  const counts = renderDiff(container, answer.diff);
  if (answer.published === null) summary.textContent = t("Nothing is published yet: all of it is new.");
  else if (!answer.diff) summary.textContent = t("No changes against the published version {version}.", { version: answer.published });
  else {
    const added = tn("{n} line added", "{n} lines added", counts.added);
    const removed = tn("{n} line removed", "{n} lines removed", counts.removed);
    summary.textContent = t("Against the published version {version}: {added}, {removed}.", {
      version: answer.published, added, removed,
    });
  }
}

async function refreshDiff() {
  try {
    await diffOf(editor.text, $("#scn-diff"), $("#scn-diff-summary"));
  } catch (error) {
    $("#scn-diff-summary").textContent = errorText(error);
  }
}

const diffSoon = debounce(refreshDiff, 400);

// --- tabs ----------------------------------------------------------------------------------

const tabs = $$("[role=tab]", root);

function selectTab(tab, focus = false) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $("#" + other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  if (tab.id === "scn-tab-changes") refreshDiff();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    selectTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length], true);
  });
}

// --- saving and publishing (admins) ---------------------------------------------------------

async function save(comment) {
  const text = editor.text;
  const version = await post("/scenarios", { text, comment });
  state.open = version.version;
  state.saved = text;
  await reloadVersions();
  showState();
  return version.version;
}

/** A refusal of the text: its problems shown in place, and a line for the dialog. */
function refusal(form, error) {
  if (error instanceof ApiError && Array.isArray(error.problem.problems)) {
    showProblems(error.problem.problems, editor.text);
    showError(form, new Error(t("The scenario has problems: fix them first.")));
  } else {
    showError(form, error);
  }
}

function openSave() {
  const dialog = $("#scn-save-dialog");
  const form = $("#scn-save-form");
  clearErrors(form);
  form.comment.value = "";
  dialog.showModal();
  form.comment.focus();
}

function publishNote(publication) {
  return [
    t("Version {version} is published.", { version: publication.version }),
    tn(
      "{n} contact waiting keeps its place in line and the treatment it was given.",
      "{n} contacts waiting keep their place in line and the treatment they were given.",
      publication.waiting,
    ),
    t("Every new contact is decided by version {version}.", { version: publication.version }),
  ].join(" ");
}

async function openPublish() {
  const problems = await checkNow();
  if (problems.length) {
    notify(t("The scenario has problems: fix them first."), "error");
    return;
  }
  const saving = dirty() || state.open === null;
  const dialog = $("#scn-publish-dialog");
  const form = $("#scn-publish-form");
  clearErrors(form);
  $("#scn-publish-title").textContent = saving
    ? t("Publish the changes")
    : t("Publish version {version}", { version: state.open });
  $("#scn-publish-intro").textContent = saving
    ? t("Your changes are saved as a new version and published at once: every new contact is decided by it.")
    : t("Every new contact will be decided by version {version}.", { version: state.open });
  $("#scn-publish-comment-field").hidden = !saving;
  form.comment.value = "";
  $("#scn-publish-note").hidden = true;
  $("#scn-publish-confirm").hidden = false;
  $("#scn-publish-cancel").textContent = t("Cancel");
  try {
    await diffOf(editor.text, $("#scn-publish-diff"), $("#scn-publish-summary"));
  } catch (error) {
    showError(form, error);
  }
  dialog.showModal();
  (saving ? form.comment : $("#scn-publish-confirm")).focus();
}

function setupAdmin() {
  $("#scn-save").addEventListener("click", openSave);
  $("#scn-publish").addEventListener("click", openPublish);
  for (const button of $$("dialog [data-close]", root)) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }

  const saveForm = $("#scn-save-form");
  saveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(saveForm);
    const button = $("button[type=submit]", saveForm);
    button.disabled = true;
    try {
      const version = await save(saveForm.comment.value.trim());
      $("#scn-save-dialog").close();
      notify(t("Saved as version {version}.", { version }), "ok");
    } catch (error) {
      refusal(saveForm, error);
    } finally {
      button.disabled = false;
    }
  });

  const publishForm = $("#scn-publish-form");
  publishForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(publishForm);
    const button = $("#scn-publish-confirm");
    button.disabled = true;
    try {
      const version = dirty() || state.open === null
        ? await save(publishForm.comment.value.trim())
        : state.open;
      const publication = await post(`/scenarios/${version}/publish`);
      state.published = publication.version;
      state.open = publication.version;
      await reloadVersions();
      showState();
      const note = publishNote(publication);
      for (const element of [$("#scn-publish-note"), $("#scn-published-note")]) {
        element.textContent = note;
        element.hidden = false;
      }
      $("#scn-publish-comment-field").hidden = true;
      button.hidden = true;
      $("#scn-publish-cancel").textContent = t("Close");
      $("#scn-publish-cancel").focus();
      notify(t("Version {version} is published.", { version: publication.version }), "ok");
    } catch (error) {
      refusal(publishForm, error);
    } finally {
      button.disabled = false;
    }
  });
}

// --- start ------------------------------------------------------------------------------------

$("#scn-check").addEventListener("click", () => check());
document.addEventListener("keydown", (event) => {
  const action = PAGE_KEYS[shortcut(event)];
  if (!action || $("dialog[open]")) return;
  event.preventDefault();
  action();
});
window.addEventListener("beforeunload", (event) => {
  if (dirty()) event.preventDefault();
});
if (canPublish) setupAdmin();
setupPreview({ editor, showProblems });
renderVersions();
showState();
check();
