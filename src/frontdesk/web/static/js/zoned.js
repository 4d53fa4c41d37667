// Wall-clock times of another time zone (the tenant's), for <input type="datetime-local">:
// the browser's own zone may differ, and Intl is the only zone database a page has.
import { context } from "./context.js";

const PARTS = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };

function wallClock(ms, timeZone) {
  const parts = {};
  for (const { type, value } of new Intl.DateTimeFormat("en-US", { timeZone, ...PARTS }).formatToParts(new Date(ms))) {
    parts[type] = Number(value);
  }
  return parts;
}

/** How far the zone is ahead of UTC at the instant ms, in ms. */
function offset(ms, timeZone) {
  const p = wallClock(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** "2026-12-02T14:30" read in timeZone (default: the tenant's), as an ISO instant (UTC);
 * null when malformed. */
export function zonedToIso(local, timeZone = context.timezone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offset(wall, timeZone);
  const corrected = wall - offset(instant, timeZone); // across a change of offset
  if (corrected !== instant) instant = corrected;
  return new Date(instant).toISOString();
}

/** The instant ms as "YYYY-MM-DDTHH:MM" on the clocks of timeZone (default: the tenant's). */
export function localInput(ms, timeZone = context.timezone) {
  const p = wallClock(ms, timeZone);
  const two = (n) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}
