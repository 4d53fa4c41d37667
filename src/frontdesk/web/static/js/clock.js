// Live times on the page: <time data-since="ISO"> shows the time since (0:42, ticking),
// <time data-until="ISO"> the time left, counting down to 0:00. Every second, one loop.
import { fmt } from "./i18n.js";

let skew = 0; // server time minus this browser's time, in ms, when a view says "now"

/** Tell the clock what time the server says it is, so timers agree with it. */
export function serverNow(iso) {
  if (iso) skew = new Date(iso).getTime() - Date.now();
}

export function now() {
  return Date.now() + skew;
}

export function secondsSince(iso) {
  return iso ? Math.max(0, (now() - new Date(iso).getTime()) / 1000) : null;
}

export function tick(root = document) {
  for (const element of root.querySelectorAll("[data-since]")) {
    element.textContent = fmt.duration(secondsSince(element.dataset.since));
  }
  for (const element of root.querySelectorAll("[data-until]")) {
    const left = Math.max(0, (new Date(element.dataset.until).getTime() - now()) / 1000);
    element.textContent = fmt.duration(Math.ceil(left));
  }
}

setInterval(() => tick(), 1000);
