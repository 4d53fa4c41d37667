// A contact's page. While the contact goes on, the page reads itself again every few
// seconds (not while the tab is hidden), so a supervisor watches it move.
import { serverNow, tick } from "../clock.js";
import { $ } from "../dom.js";
import { refreshParts } from "../crm/refresh.js";

const EVERY_MS = 5000;

function start() {
  const root = $("#contact-live");
  serverNow(root.dataset.serverNow);
  tick();
  if (root.dataset.live === undefined) return;
  const timer = setInterval(async () => {
    if (document.hidden) return;
    try {
      await refreshParts("contact-live");
    } catch {
      return; // offline for a moment: the next turn tries again
    }
    const fresh = $("#contact-live");
    serverNow(fresh.dataset.serverNow);
    tick();
    if (fresh.dataset.live === undefined) clearInterval(timer);
  }, EVERY_MS);
}

start();
