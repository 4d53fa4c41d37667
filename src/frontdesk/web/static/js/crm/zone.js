// Wall-clock times in the company's time zone (the page's context), not the browser's.
import { context } from "../context.js";

const parts = new Intl.DateTimeFormat("en-US", {
  timeZone: context.timezone || undefined,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

function offsetAt(ms) {
  const values = Object.fromEntries(parts.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(values.year, values.month - 1, values.day, values.hour, values.minute, values.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** "2026-12-02T11:30" (a datetime-local value) read in the company's zone, as ISO UTC. */
export function zonedInstant(local) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offsetAt(wall);
  const again = offsetAt(instant); // across a change of offset, the second guess is right
  instant = wall - again;
  return new Date(instant).toISOString();
}
