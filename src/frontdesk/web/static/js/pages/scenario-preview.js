// The scenario preview: the simulator runs the text being edited and the published
// version on the same day of traffic with the same agents; the figures per queue are
// shown draft next to published, with what changed and whether for the better.
import { ApiError, post } from "../api.js";
import { $, fill, h } from "../dom.js";
import { clearErrors, showError } from "../forms.js";
import { fmt, t, tn } from "../i18n.js";

/** Refusals the preview names itself (the API's detail is in English). */
const REFUSALS = {
  "scenario.preview_no_traffic": () => t("There were no contacts yesterday to replay: preview on generated traffic."),
  "scenario.preview_no_contacts": () => t("The generated traffic has no contacts: raise the rate per hour."),
  "scenario.preview_no_working_day": () => t("The scenario's calendar has no working day in the last two weeks to generate traffic for."),
  "scenario.preview_too_large": () => t("Yesterday had more contacts than a preview simulates: preview on generated traffic."),
  "scenario.preview_running": () => t("A preview is already running for your company: try again when it is done."),
};

const MEDIA = { call: () => t("Calls"), chat: () => t("Chats"), email: () => t("E-mails") };

/** The figures shown, how to write them and which way is better (1: up, -1: down, 0: neither). */
const METRICS = [
  { key: "offered", label: () => t("Contacts"), show: (v) => fmt.number(v), change: (d) => signed(fmt.number(Math.abs(d)), d), better: 0 },
  { key: "service_level", label: () => t("Service level"), show: (v) => fmt.percent(v), change: points, better: 1 },
  { key: "asa", label: () => t("ASA"), show: (v) => fmt.duration(v), change: (d) => signed(fmt.duration(Math.abs(d)), d), better: -1 },
  { key: "abandon_rate", label: () => t("Abandon rate"), show: (v) => fmt.percent(v), change: points, better: -1 },
  { key: "occupancy", label: () => t("Occupancy"), show: (v) => fmt.percent(v), change: points, better: 0 },
];

function signed(text, delta) {
  return (delta > 0 ? "+" : delta < 0 ? "−" : "±") + text;
}

function points(delta) {
  return signed(t("{value} pp", { value: fmt.number(Math.abs(delta), 1) }), delta);
}

/** Wire the preview form to the editor's text; problems of the text go to showProblems. */
export function setupPreview({ editor, showProblems }) {
  const form = $("#scn-preview-form");
  const result = $("#scn-preview-result");
  const generated = $("#scn-generated");
  const kindChanged = () => (generated.hidden = form.kind.value !== "generated");
  for (const radio of form.kind) radio.addEventListener("change", kindChanged);
  kindChanged();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = $("#scn-run-preview");
    button.disabled = true;
    result.setAttribute("aria-busy", "true");
    fill(result, h("p", { class: "muted" }, t("Simulating the day twice…")));
    try {
      const answer = await post("/scenarios/preview", { text: editor.text, traffic: traffic(form) });
      render(result, answer);
    } catch (error) {
      result.replaceChildren();
      if (error instanceof ApiError && Array.isArray(error.problem.problems)) {
        showProblems(error.problem.problems, editor.text);
        showError(form, new Error(t("The draft has problems: fix them to preview it.")));
      } else if (error instanceof ApiError && REFUSALS[error.code]) {
        showError(form, new Error(REFUSALS[error.code]()));
      } else {
        showError(form, error);
      }
    } finally {
      button.disabled = false;
      result.removeAttribute("aria-busy");
    }
  });
}

function traffic(form) {
  if (form.kind.value !== "generated") return { kind: "yesterday" };
  return {
    kind: "generated",
    per_hour: Number(form.per_hour.value),
    access_point: form.access_point.value || null,
    known_share: Number(form.known_percent.value) / 100,
  };
}

function render(container, preview) {
  fill(container,
    h("p", { class: "scn-preview-facts" }, facts(preview)),
    preview.current === null ? h("p", { class: "banner" }, alone(preview)) : null,
    table(preview),
    assumptions(preview),
  );
}

function facts(preview) {
  // a calendar day, not an instant: written as it is, whatever the time zone
  const day = new Intl.DateTimeFormat(fmt.locale, { dateStyle: "full", timeZone: "UTC" })
    .format(new Date(preview.day + "T00:00:00Z"));
  const traffic = preview.traffic === "yesterday"
    ? tn("Yesterday, {day}: {n} contact replayed.", "Yesterday, {day}: {n} contacts replayed.", preview.contacts, { day, n: fmt.number(preview.contacts) })
    : tn("{day}: {n} contact generated.", "{day}: {n} contacts generated.", preview.contacts, { day, n: fmt.number(preview.contacts) });
  const staffing = preview.staffing;
  const agents = tn("{n} agent", "{n} agents", staffing.agents);
  const hours = staffing.hours.map((range) => range.replace("-", "–")).join(", ");
  let who;
  if (!staffing.hours.length) who = t("Staffing: nobody works that day by the calendar {calendar}.", { calendar: staffing.calendar });
  else if (staffing.calendar) who = t("Staffing: {agents}, {hours} by the calendar {calendar}.", { agents, hours, calendar: staffing.calendar });
  else who = t("Staffing: {agents}, {hours} (the company has no calendar).", { agents, hours });
  const parts = [traffic, who];
  if (preview.left_out) {
    parts.push(tn(
      "{n} contact routed without the scenario is left out.",
      "{n} contacts routed without the scenario are left out.",
      preview.left_out,
    ));
  }
  return parts.join(" ");
}

function alone(preview) {
  return preview.published === null
    ? t("Nothing is published yet: the draft is shown alone.")
    : t("The published version {version} no longer works with today's configuration: the draft is shown alone.", { version: preview.published });
}

function table(preview) {
  const current = preview.current;
  const groups = [[preview.draft.total, current?.total]];
  preview.draft.queues.forEach((queue, index) => groups.push([queue, current?.queues[index]]));
  return h("div", { class: "table-wrap scn-forecast-wrap" },
    h("table", { class: "table scn-forecast" },
      h("caption", { class: "visually-hidden" }, t("Predicted figures per queue, draft next to the published version")),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("Queue")),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("Version"))),
        METRICS.map((metric) => h("th", { scope: "col", class: "num" }, metric.label())),
      )),
      groups.map(([draft, published]) => group(draft, published, current)),
    ),
  );
}

function group(draft, published, current) {
  const rows = published ? 3 : 1;
  const queue = h("th", { scope: "rowgroup", rowspan: rows, class: "scn-queue" },
    draft.queue === null ? t("All queues") : draft.name,
    draft.target ? h("small", {}, draft.target) : null);
  const figures = (forecast) => METRICS.map((metric) =>
    h("td", { class: "num" }, forecast[metric.key] === null ? "—" : metric.show(forecast[metric.key])));
  if (!published) {
    return h("tbody", { class: draft.queue === null ? "scn-total" : null },
      h("tr", { class: "scn-draft" }, queue, h("th", { scope: "row" }, t("Draft")), figures(draft)));
  }
  return h("tbody", { class: draft.queue === null ? "scn-total" : null },
    h("tr", { class: "scn-current" }, queue,
      h("th", { scope: "row" }, t("Published v{version}", { version: current.version })), figures(published)),
    h("tr", { class: "scn-draft" }, h("th", { scope: "row" }, t("Draft")), figures(draft)),
    h("tr", { class: "scn-change" }, h("th", { scope: "row" }, t("Change")),
      METRICS.map((metric) => change(metric, draft[metric.key], published[metric.key]))),
  );
}

function change(metric, draft, published) {
  if (draft === null || published === null) return h("td", { class: "num" }, "—");
  const delta = Math.round((draft - published) * 10) / 10;
  if (delta === 0) return h("td", { class: "num delta" }, "±0");
  const verdict = metric.better === 0 ? 0 : Math.sign(delta) * metric.better;
  const word = verdict > 0 ? t("better") : verdict < 0 ? t("worse") : null;
  return h("td", { class: `num delta ${verdict > 0 ? "delta-better" : verdict < 0 ? "delta-worse" : ""}` },
    verdict ? h("span", { "aria-hidden": "true" }, verdict > 0 ? "▲ " : "▼ ") : null,
    metric.change(delta),
    word ? h("span", { class: "visually-hidden" }, ` (${word})`) : null,
  );
}

function assumptions(preview) {
  if (!preview.behaviour.length) return null;
  return h("div", { class: "scn-assumptions" },
    h("h3", {}, t("Assumed behaviour")),
    h("ul", {}, preview.behaviour.map((b) => {
      const patience = b.patience === null ? t("no limit") : fmt.duration(b.patience);
      const media = (MEDIA[b.media] || (() => b.media))();
      const text = t("{media}: talk {talk}, wrap-up {wrap}, patience {patience}", {
        media, patience, talk: fmt.duration(b.talk), wrap: fmt.duration(b.wrap_up),
      });
      const source = b.learned ? t("(learned from yesterday's contacts)") : t("(assumed: yesterday had none)");
      return h("li", {}, text, " ", h("small", {}, source));
    })),
  );
}
