// Reports: a changed filter shows its report at once (the Show button does the same for
// a browser without scripts, and keeps the address of every report shareable).
import { $ } from "../dom.js";

const form = $("#report-filters");
form.addEventListener("change", (event) => {
  if (event.target.type === "date" && !event.target.value) return; // half-typed
  form.requestSubmit();
});
