// A plain textarea made into a code editor: line numbers in a gutter that scrolls with
// the text, Tab and Shift+Tab indenting with spaces, Enter keeping the indentation, and
// problems marked on their lines. No editor library: the text stays a textarea, so
// undo, selection, search and screen readers work as everywhere.
import { h } from "./dom.js";

const INDENT = "  ";

export class CodeEditor {
  /**
   * textarea: the text; gutter: an element beside it for the line numbers.
   * onChange(text) after every edit; keys: {"Ctrl+S": f, "Ctrl+Enter": g, ...} for
   * shortcuts handled while the editor has focus.
   */
  constructor(textarea, gutter, { onChange = () => {}, keys = {} } = {}) {
    this.textarea = textarea;
    this.gutter = gutter;
    this.onChange = onChange;
    this.keys = keys;
    this.lines = 0;
    this.marks = new Map(); // line -> messages
    this.tabLeaves = false; // after Esc, Tab moves the focus on as usual
    textarea.addEventListener("input", () => this.changed());
    textarea.addEventListener("scroll", () => this.follow());
    textarea.addEventListener("keydown", (event) => this.key(event));
    new ResizeObserver(() => this.follow()).observe(textarea);
    this.number();
  }

  get text() {
    return this.textarea.value;
  }

  /** Replace the whole text (opening another version): undo starts afresh. */
  set text(value) {
    this.textarea.value = value;
    this.textarea.scrollTop = 0;
    this.textarea.scrollLeft = 0;
    this.number();
  }

  changed() {
    this.number();
    this.onChange(this.text);
  }

  /** One gutter row per line, marked where a problem is. */
  number() {
    const count = this.text.split("\n").length;
    if (count !== this.lines) {
      const rows = [];
      for (let line = 1; line <= count; line++) rows.push(h("div", { class: "code-line" }, String(line)));
      this.gutter.replaceChildren(...rows, h("div", { class: "code-gutter-end" }));
      this.lines = count;
      this.paintMarks();
    }
    this.follow();
  }

  follow() {
    this.gutter.scrollTop = this.textarea.scrollTop;
  }

  /** Mark lines with problems: problems is a list of {line, message}. */
  mark(problems) {
    this.marks = new Map();
    for (const { line, message } of problems) {
      if (!line) continue;
      this.marks.set(line, [...(this.marks.get(line) || []), message]);
    }
    this.paintMarks();
  }

  paintMarks() {
    const rows = this.gutter.children;
    for (let index = 0; index < this.lines; index++) {
      const messages = this.marks.get(index + 1);
      rows[index].classList.toggle("has-problem", Boolean(messages));
      if (messages) rows[index].title = messages.join("\n");
      else rows[index].removeAttribute("title");
    }
  }

  /** Put the caret at line:column (1-based), show it and focus the editor. */
  goTo(line, column = 1) {
    const lines = this.text.split("\n");
    const target = Math.min(Math.max(line, 1), lines.length);
    let offset = 0;
    for (let index = 0; index < target - 1; index++) offset += lines[index].length + 1;
    offset += Math.min(Math.max(column - 1, 0), lines[target - 1].length);
    const area = this.textarea;
    area.focus();
    area.setSelectionRange(offset, offset);
    const style = getComputedStyle(area);
    const height = parseFloat(style.lineHeight);
    const top = (target - 1) * height;
    if (top < area.scrollTop || top + height > area.scrollTop + area.clientHeight) {
      area.scrollTop = Math.max(0, top - area.clientHeight / 3);
    }
    const width = this.charWidth(style);
    const left = (column - 1) * width;
    if (left < area.scrollLeft || left > area.scrollLeft + area.clientWidth - 4 * width) {
      area.scrollLeft = Math.max(0, left - area.clientWidth / 2);
    }
    this.follow();
  }

  charWidth(style) {
    const context = (this.measure ??= document.createElement("canvas").getContext("2d"));
    context.font = `${style.fontSize} ${style.fontFamily}`;
    return context.measureText("0").width;
  }

  key(event) {
    const name = shortcut(event);
    if (this.keys[name]) {
      event.preventDefault();
      this.keys[name](event);
      return;
    }
    if (event.key === "Escape") {
      this.tabLeaves = true;
      return;
    }
    if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      if (this.tabLeaves) return; // let the focus move on
      event.preventDefault();
      if (event.shiftKey) this.outdent();
      else this.indent();
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      this.newline();
    }
    if (event.key !== "Shift") this.tabLeaves = false;
  }

  indent() {
    const area = this.textarea;
    const { selectionStart: start, selectionEnd: end } = area;
    if (!area.value.slice(start, end).includes("\n")) {
      const column = start - lineStart(area.value, start);
      this.insert(" ".repeat(INDENT.length - (column % INDENT.length)));
      return;
    }
    this.rewriteLines((line) => INDENT + line);
  }

  outdent() {
    this.rewriteLines((line) => line.replace(new RegExp(`^ {1,${INDENT.length}}`), ""));
  }

  /** A new line indented like this one, one step more after a "key:" or a "- ". */
  newline() {
    const area = this.textarea;
    const before = area.value.slice(lineStart(area.value, area.selectionStart), area.selectionStart);
    let indent = before.match(/^\s*/)[0];
    if (/:\s*$/.test(before)) indent += INDENT;
    else if (/^\s*- \S/.test(before) && /^\s*- [^:]+:\s*\S/.test(before)) indent += INDENT;
    this.insert("\n" + indent);
  }

  /** Apply change to every line the selection touches, keeping them selected. */
  rewriteLines(change) {
    const area = this.textarea;
    const value = area.value;
    const from = lineStart(value, area.selectionStart);
    const endAt = area.selectionEnd > area.selectionStart && value[area.selectionEnd - 1] === "\n"
      ? area.selectionEnd - 1
      : area.selectionEnd;
    let to = value.indexOf("\n", endAt);
    if (to === -1) to = value.length;
    const block = value.slice(from, to);
    const changed = block.split("\n").map(change).join("\n");
    if (changed === block) return;
    area.setSelectionRange(from, to);
    this.insert(changed);
    area.setSelectionRange(from, from + changed.length);
  }

  /** Type text at the selection, as one step of the textarea's own undo. */
  insert(text) {
    const area = this.textarea;
    if (!document.execCommand("insertText", false, text)) {
      area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
}

function lineStart(text, offset) {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** "Ctrl+S", "Ctrl+Enter", "Shift+F8", "F8": the key with its modifiers (Cmd counts as Ctrl). */
export function shortcut(event) {
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey) parts.push("Shift");
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
  parts.push(key);
  return parts.join("+");
}
