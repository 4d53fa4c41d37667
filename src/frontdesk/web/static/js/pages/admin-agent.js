// An agent's profile: name, skills with proficiency, languages, groups, queues, capacity
// per media and the blocks between media. Each skill's proficiency control is named
// "skills.<skill>" as its name is typed, so forms.js reads {"skills": {"support": 4}}
// and a refusal about skills.support is shown at that skill; the queues and blocks are
// the boxes ticked.
import { del, put } from "../api.js";
import { $, $$, h } from "../dom.js";
import { bindForm, showError } from "../forms.js";
import { t } from "../i18n.js";
import { confirmAction, exists, goWithNotice, placed, refusal } from "./admin-common.js";

const form = $("#agent-form");
const rows = $("#skill-rows");
const levels = JSON.parse(rows.dataset.levels);
const stored = form.dataset.key;

function nameProficiency(row) {
  const skill = $("[data-skill]", row).value.trim();
  const level = $("select", row);
  if (skill) level.name = `skills.${skill}`;
  else level.removeAttribute("name");
}

function wire(row) {
  $("[data-skill]", row).addEventListener("input", () => nameProficiency(row));
  $("[data-remove-skill]", row).addEventListener("click", () => {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    ($("[data-skill]", next || form) || $("#add-skill")).focus();
  });
}

function addSkill() {
  const row = h("li", { class: "skill-row" },
    h("input", { "aria-label": t("Skill"), "data-skill": true, list: "known-skills", pattern: "\\w+(-\\w+)*", required: true, autocomplete: "off", spellcheck: "false" }),
    h("select", { "data-type": "int", "aria-label": t("Proficiency") },
      levels.map((n) => h("option", { value: n, selected: n === 3 }, n))),
    h("button", { type: "button", class: "btn btn-small btn-quiet", "data-remove-skill": true }, t("Remove")),
  );
  rows.append(row);
  wire(row);
  $("[data-skill]", row).focus();
}

$$(".skill-row", rows).forEach(wire);
$("#add-skill").addEventListener("click", addSkill);

bindForm(form, async (values) => {
  const key = stored || String(values.key || "").trim();
  delete values.key;
  // Groups of checkboxes are lists: what is ticked.
  values.queues = $$("[data-queue]:checked", form).map((box) => box.dataset.queue);
  values.blocks = $$("[data-block]:checked", form).map((box) => box.dataset.block);
  if (!stored && (await exists(`/agents/${encodeURIComponent(key)}`))) {
    throw refusal("key", t("There is already one with this id: {key}", { key }));
  }
  try {
    await put(`/agents/${encodeURIComponent(key)}`, values);
  } catch (error) {
    throw placed(error, form, `agents.${key}`);
  }
  return values.name || key;
}, (name) => goWithNotice(t("Saved: {key}", { key: name }), "/admin/agents"));

const remove = $("[data-delete]", form);
if (remove) {
  remove.addEventListener("click", async () => {
    const name = remove.dataset.name;
    const question = t("Delete the agent {name}? Their skills and settings are removed; their history stays.", { name });
    if (!(await confirmAction(question, t("Delete")))) return;
    try {
      await del(`/agents/${encodeURIComponent(stored)}`);
      goWithNotice(t("Deleted: {key}", { key: name }), "/admin/agents");
    } catch (error) {
      showError(form, error);
    }
  });
}
