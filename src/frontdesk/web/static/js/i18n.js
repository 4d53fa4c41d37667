// Translation and formatting for the scripts. t("...") and tn("...", "...", n) are found
// by Babel in these files (frontdesk/web/ui/i18n.py) and translated from the catalogues;
// dates, times and numbers use Intl in the page's language and the tenant's time zone.
import { context } from "./context.js";

const locale = context.locale || "en";
const timeZone = context.timezone || undefined;
const messages = context.messages || {};
const plurals = new Intl.PluralRules(locale);
// The order of the plural forms in the catalogues (gettext), by CLDR category.
const FORM = { en: { one: 0, other: 1 }, ru: { one: 0, few: 1, many: 2, other: 2 } };

function fill(text, values) {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

/** The message in the page's language; {name} placeholders are filled from values. */
export function t(message, values) {
  const found = messages[message];
  return fill(typeof found === "string" && found ? found : message, values);
}

/** The plural form for n; {n} and other placeholders are filled. */
export function tn(singular, plural, n, values) {
  const forms = messages[singular];
  let text;
  if (Array.isArray(forms)) {
    const order = FORM[locale] || FORM.en;
    text = forms[order[plurals.select(n)] ?? forms.length - 1] || (n === 1 ? singular : plural);
  } else {
    text = n === 1 ? singular : plural;
  }
  return fill(text, { n, ...values });
}

const cache = new Map();
function formatter(kind, options) {
  const key = kind + JSON.stringify(options);
  if (!cache.has(key)) {
    cache.set(key, kind === "number"
      ? new Intl.NumberFormat(locale, options)
      : new Intl.DateTimeFormat(locale, { timeZone, ...options }));
  }
  return cache.get(key);
}

function toDate(value) {
  return value instanceof Date ? value : new Date(value);
}

export const fmt = {
  locale,
  timeZone,
  number(value, digits = 0) {
    if (value === null || value === undefined) return "—";
    return formatter("number", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  },
  /** value is a percentage: 80.5 → "80,5 %" */
  percent(value) {
    if (value === null || value === undefined) return "—";
    return formatter("number", { style: "percent", maximumFractionDigits: 1 }).format(value / 100);
  },
  money(value, currency) {
    return formatter("number", { style: "currency", currency }).format(value);
  },
  time(value) {
    return value ? formatter("date", { hour: "2-digit", minute: "2-digit" }).format(toDate(value)) : "";
  },
  datetime(value) {
    return value ? formatter("date", { dateStyle: "medium", timeStyle: "short" }).format(toDate(value)) : "";
  },
  date(value) {
    return value ? formatter("date", { dateStyle: "medium" }).format(toDate(value)) : "";
  },
  /** seconds as a clock: 0:42, 12:05, 1:02:03 */
  duration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
    const total = Math.round(seconds);
    const sign = total < 0 ? "-" : "";
    const abs = Math.abs(total);
    const h = Math.floor(abs / 3600);
    const m = Math.floor((abs % 3600) / 60);
    const s = String(abs % 60).padStart(2, "0");
    return h ? `${sign}${h}:${String(m).padStart(2, "0")}:${s}` : `${sign}${m}:${s}`;
  },
};
