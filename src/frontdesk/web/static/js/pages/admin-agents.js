// Agents: the list follows the supervisor stream, so each agent's state is live; an
// agent is deleted after a confirmation, and a refusal (at work, named by the published
// scenario) is shown in their row.
import { del } from "../api.js";
import { serverNow, tick } from "../clock.js";
import { $, $$, fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { Stream } from "../stream.js";
import { AGENT_STATES } from "../vocabulary.js";
import { confirmAction, goWithNotice, rowError } from "./admin-common.js";

const table = $("#agents");
const status = $("#link-state");
const STATUS = {
  connecting: t("Connecting…"),
  live: t("Live updates"),
  offline: t("Offline: reconnecting…"),
  refused: t("The live state is not available"),
};

function showState(line, reasons) {
  const cell = $(`[data-state-of="${CSS.escape(line.agent)}"]`, table);
  if (!cell) return; // an agent created after the page was opened
  fill(
    cell,
    h("span", { class: `state state-${line.state}` }, AGENT_STATES[line.state] || line.state),
    line.reason ? [" ", h("small", {}, reasons[line.reason] || line.reason)] : null,
    line.since ? [" ", h("time", { dataset: { since: line.since } })] : null,
  );
}

if (table) {
  const reasons = JSON.parse(table.dataset.reasons || "{}");
  new Stream("/api/v1/stream/supervisor", {
    onMessage(message) {
      if (message.now) serverNow(message.now);
      if (!message.view) return;
      for (const line of message.view.agents) showState(line, reasons);
      tick(table);
    },
    onStatus(state) {
      status.dataset.state = state;
      status.textContent = STATUS[state] || state;
    },
  });

  for (const button of $$("[data-delete]", table)) {
    button.addEventListener("click", async () => {
      const name = button.dataset.name;
      const question = t("Delete the agent {name}? Their skills and settings are removed; their history stays.", { name });
      if (!(await confirmAction(question, t("Delete")))) return;
      try {
        await del(`/agents/${encodeURIComponent(button.dataset.delete)}`);
        goWithNotice(t("Deleted: {key}", { key: name }));
      } catch (error) {
        rowError(button.closest("tr"), error);
      }
    });
  }
} else {
  status.hidden = true;
}
