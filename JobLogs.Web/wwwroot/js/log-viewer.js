// The log viewer: every element with class "log-viewer" and data-src (a log's tail endpoint, forwarded to the Api).
// It shows a window of the log and pages by byte offset (load earlier / later), filters on the server (level,
// component, attempt, text), follows a live log over Server-Sent Events with auto-scroll that pauses when the reader
// scrolls up, opens at a permalinked line (#offset-N), and jumps to the first error. However long the log, the page
// holds at most MAX_ROWS rows: loading one end drops rows at the other, which can be loaded again.
import { copyText, getJson } from "./api.js";
import { renderRow } from "./log-rows.js";

const MAX_ROWS = 2000;
const PAGE_BYTES = 65536;
const SCAN_BYTES = 1048576;   // with filters, a window holds few matches: scan more of the log per request
const FILL_ROWS = 60;         // with filters, keep loading earlier until this many rows (or the start)
const MAX_FILL_WINDOWS = 16;
const MAX_SEARCH_WINDOWS = 64;
// A stream the server answered with an error opens again from its last offset: 0.5 s, 1 s, 2 s … 10 s apart, 20 times.
const REOPEN_FIRST_MS = 500;
const REOPEN_MAX_MS = 10000;
const MAX_REOPENS = 20;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, className, title) {
  const node = el("button", `button ${className ?? ""}`, text);
  node.type = "button";
  if (title) node.title = title;
  return node;
}

/** An exact byte offset, grouped: "1,073,676,123". */
function offset(n) {
  return Number(n).toLocaleString("en-US");
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1073741824) return `${(n / 1048576).toFixed(1)} MB`;
  return `${(n / 1073741824).toFixed(2)} GB`;
}

class LogViewer {
  constructor(root) {
    this.root = root;
    this.src = root.dataset.src;
    this.start = root.dataset.start ? Date.parse(root.dataset.start) : null;
    this.live = root.dataset.live === "true";
    this.attempts = Number(root.dataset.attempts || 0);
    this.dashboard = (root.dataset.dashboard || "").replace(/\/$/, "");
    this.firstError = root.dataset.firstError ? Number(root.dataset.firstError) : null;
    this.errors = Number(root.dataset.errors || 0);
    this.anchor = root.dataset.anchor || "offset-"; // permalinks: #<anchor><byte offset>
    this.filters = { minLevel: "", component: "", attempt: "", q: "" };
    this.head = 0;          // the next before=: where the earliest loaded window starts
    this.tail = 0;          // the next after=: just past the latest loaded line
    this.size = 0;
    this.hasEarlier = false;
    this.hasLater = false;
    this.stream = null;
    this.finished = false;
    this.pinned = true;     // auto-scroll: on while the reader is at the bottom
    this.unseen = 0;
    this.pending = [];
    this.generation = 0;    // a newer load makes the answers of older ones void
    this.build();
  }

  // ---- layout ------------------------------------------------------------------------------------------------

  build() {
    const toolbar = el("div", "log-toolbar");
    this.levels = el("div", "seg");
    this.levels.setAttribute("role", "group");
    this.levels.setAttribute("aria-label", "Level");
    for (const [value, label] of [["", "All"], ["info", "Info+"], ["warn", "Warn+"], ["error", "Errors"]]) {
      const b = button(label, "seg-button", value ? `${value} and above` : "every level");
      b.dataset.level = value;
      b.setAttribute("aria-pressed", String(value === ""));
      this.levels.append(b);
    }
    this.component = el("select", "component-filter");
    this.component.setAttribute("aria-label", "Component");
    this.component.append(new Option("All components", ""));
    for (const c of ["worker", "backend", "python", "comfyui", "ui"]) this.component.append(new Option(c, c));
    toolbar.append(this.levels, this.component);
    if (this.attempts > 1) {
      this.attempt = el("select", "attempt-filter");
      this.attempt.setAttribute("aria-label", "Attempt");
      this.attempt.append(new Option("All attempts", ""));
      for (let n = this.attempts; n >= 0; n--) this.attempt.append(new Option(n === 0 ? "Before attempt 1" : `Attempt ${n}`, String(n)));
      toolbar.append(this.attempt);
    }
    this.search = el("input", "log-search");
    this.search.type = "search";
    this.search.placeholder = "Search messages and data…";
    this.search.setAttribute("aria-label", "Search the log");
    this.search.maxLength = 200;
    toolbar.append(this.search, el("span", "spacer"));

    if (this.firstError !== null || this.errors > 0) {
      this.jumpButton = button("First error", "jump-first-error", "Show the first error of the log");
      toolbar.append(this.jumpButton);
    }
    if (this.live) {
      this.followButton = button("Follow", "follow", "Keep the newest lines in view");
      this.followButton.setAttribute("aria-pressed", "true");
      toolbar.append(this.followButton);
    }
    this.copyButton = button("Copy lines", "copy", "Copy the lines shown, as text");
    this.download = el("a", "button download", "Download");
    this.download.title = "The log as raw JSONL (with the filters applied)";
    toolbar.append(this.copyButton, this.download);

    this.box = el("div", "log-box");
    this.earlier = el("div", "log-edge top");
    this.list = el("div", "log-rows mono");
    if (this.attempts > 1) this.list.classList.add("with-attempts");
    this.empty = el("div", "log-empty muted");
    this.empty.hidden = true;
    this.later = el("div", "log-edge bottom");
    this.box.append(this.earlier, this.list, this.empty, this.later);
    this.newLines = button("", "new-lines");
    this.newLines.hidden = true;
    const frame = el("div", "log-frame");
    frame.append(this.box, this.newLines);
    this.status = el("div", "log-status muted");
    this.root.replaceChildren(toolbar, frame, this.status);
    this.updateDownload();
    this.wire();
  }

  wire() {
    this.levels.addEventListener("click", event => {
      const b = event.target.closest("[data-level]");
      if (!b) return;
      for (const other of this.levels.children) other.setAttribute("aria-pressed", String(other === b));
      this.setFilter("minLevel", b.dataset.level);
    });
    this.component.addEventListener("change", () => this.setFilter("component", this.component.value));
    this.attempt?.addEventListener("change", () => this.setFilter("attempt", this.attempt.value));
    let typing;
    this.search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => this.setFilter("q", this.search.value.trim()), 350);
    });
    this.search.addEventListener("keydown", event => {
      if (event.key !== "Enter") return;
      clearTimeout(typing);
      this.setFilter("q", this.search.value.trim());
    });
    this.copyButton.addEventListener("click", () => this.copy());
    this.jumpButton?.addEventListener("click", () => this.jumpToFirstError());
    this.followButton?.addEventListener("click", () => this.setPinned(this.followButton.getAttribute("aria-pressed") !== "true"));
    this.newLines.addEventListener("click", () => this.setPinned(true));
    // Only the reader moving up pauses auto-scroll: lines arriving (the box growing under a still scrollTop) do not.
    this.lastTop = 0;
    this.box.addEventListener("scroll", () => {
      const top = this.box.scrollTop;
      const atBottom = this.box.scrollHeight - top - this.box.clientHeight < 30;
      if (atBottom && !this.pinned) this.setPinned(true, false);
      else if (!atBottom && this.pinned && top < this.lastTop) this.setPinned(false, false);
      this.lastTop = top;
    });
    window.addEventListener("hashchange", () => this.openHash());
  }

  // ---- loading -----------------------------------------------------------------------------------------------

  query(extra) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.filters)) if (value) params.set(key, value);
    for (const [key, value] of Object.entries(extra ?? {})) if (value !== undefined && value !== null) params.set(key, String(value));
    return params.toString();
  }

  get filtered() {
    return Object.values(this.filters).some(Boolean);
  }

  get windowBytes() {
    return this.filtered ? SCAN_BYTES : PAGE_BYTES;
  }

  async fetchWindow(extra) {
    return getJson(`${this.src}?${this.query({ tailBytes: this.windowBytes, ...extra })}`);
  }

  async load() {
    if (this.loaded) return;
    this.loaded = true;
    const offset = this.hashOffset();
    if (offset !== null) await this.loadAround(offset);
    else await this.loadTail();
  }

  async loadTail() {
    const generation = this.reset();
    try {
      const tail = await this.fetchWindow();
      if (generation !== this.generation) return;
      this.list.replaceChildren(...this.rows(tail.entries));
      this.head = tail.start;
      this.tail = tail.end;
      this.size = tail.size;
      this.hasEarlier = tail.truncated;
      this.hasLater = false;
      await this.fill(generation);
      this.scrollToBottom();
      this.render();
      this.follow();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Opens the log around a byte offset: the lines before it and from it on, that line highlighted. */
  async loadAround(offset) {
    const generation = this.reset();
    try {
      const [before, after] = await Promise.all([
        this.fetchWindow({ before: offset, tailBytes: PAGE_BYTES / 2 }),
        this.fetchWindow({ after: offset, tailBytes: PAGE_BYTES / 2 }),
      ]);
      if (generation !== this.generation) return;
      this.list.replaceChildren(...this.rows(before.entries), ...this.rows(after.entries));
      this.head = before.start;
      this.hasEarlier = before.truncated;
      this.tail = after.end;
      this.size = after.size;
      this.hasLater = after.end < after.size;
      this.pinned = false;
      this.render();
      this.highlight(offset);
      this.follow();
    } catch (error) {
      this.fail(error);
      if (generation === this.generation) this.loadTail();
    }
  }

  loadEarlier() {
    if (!this.hasEarlier) return;
    return this.step({ before: this.head }, page => {
      this.prepend(page);
      this.render();
    });
  }

  loadLater() {
    if (!this.hasLater) return;
    return this.step({ after: this.tail }, page => {
      this.list.append(...this.rows(page.entries));
      this.tail = page.end;
      this.size = page.size;
      this.hasLater = page.end < page.size;
      this.trimTop();
      this.render();
      this.follow();
    });
  }

  /** One more window at an edge of the view: one request at a time, dropped if the view was reloaded meanwhile. */
  async step(extra, apply) {
    if (this.busy) return;
    this.busy = true;
    const generation = this.generation;
    try {
      const page = await this.fetchWindow(extra);
      if (generation === this.generation) apply(page);
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  /** With filters on, one window may hold few matches: load earlier ones until the view is worth reading. */
  async fill(generation) {
    for (let n = 0; this.filtered && this.hasEarlier && this.list.childElementCount < FILL_ROWS && n < MAX_FILL_WINDOWS; n++) {
      const page = await this.fetchWindow({ before: this.head });
      if (generation !== this.generation) return;
      this.prepend(page);
    }
  }

  prepend(page) {
    const height = this.box.scrollHeight;
    const top = this.box.scrollTop;
    this.list.prepend(...this.rows(page.entries));
    this.head = page.start;
    this.hasEarlier = page.truncated;
    this.box.scrollTop = top + (this.box.scrollHeight - height); // the lines being read stay where they were
    this.trimBottom();
  }

  rows(entries) {
    const context = {
      start: this.start, attempts: this.attempts, dashboard: this.dashboard, query: this.filters.q, anchor: this.anchor, jobLinks: this.start === null,
    };
    return entries.map(item => renderRow(item, context));
  }

  // ---- bounded rows ------------------------------------------------------------------------------------------

  /** After loading earlier: drop the newest rows past MAX_ROWS; they can be loaded again from where they started. */
  trimBottom() {
    const extra = this.list.childElementCount - MAX_ROWS;
    if (extra <= 0) return;
    const rows = [...this.list.children].slice(-extra);
    this.tail = Number(rows[0].dataset.offset);
    rows.forEach(r => r.remove());
    this.hasLater = true;
    this.stopStream(); // the view no longer reaches the end: following would leave a gap
  }

  /** After loading later or following: drop the oldest rows past MAX_ROWS. */
  trimTop() {
    const extra = this.list.childElementCount - MAX_ROWS;
    if (extra <= 0) return;
    const height = this.box.scrollHeight;
    const top = this.box.scrollTop;
    const rows = [...this.list.children].slice(0, extra);
    rows.forEach(r => r.remove());
    this.head = Number(this.list.firstElementChild.dataset.offset);
    this.hasEarlier = true;
    if (!this.pinned) this.box.scrollTop = top - (height - this.box.scrollHeight);
  }

  // ---- live follow -------------------------------------------------------------------------------------------

  follow() {
    if (!this.live || this.finished || this.stream || this.hasLater) return;
    const source = new EventSource(`${this.src}/stream?${this.query({ after: this.tail })}`);
    this.stream = source;
    source.addEventListener("entry", event => {
      this.tail = Number(event.lastEventId);
      this.reopens = 0;
      this.enqueue(JSON.parse(event.data));
    });
    source.addEventListener("progress", event => {
      this.tail = Number(event.lastEventId);
      this.reopens = 0;
    });
    source.addEventListener("end", event => {
      const end = JSON.parse(event.data);
      this.stopStream();
      this.finished = true;
      this.ended = end.status;
      this.flush();
      this.render();
      this.root.dispatchEvent(new CustomEvent("log:end", { bubbles: true, detail: end }));
    });
    source.addEventListener("rotated", () => {
      // The service's log moved to a new file: its offsets start again, so the view starts again at its tail.
      this.stopStream();
      this.loadTail();
    });
    source.addEventListener("error", () => {
      // EventSource reconnects by itself (resuming at Last-Event-ID) after a dropped connection; CLOSED means an answer
      // that was not a stream (a replica gone, a gateway's 502): open it again from the last offset, backing off.
      if (source.readyState === EventSource.CLOSED && this.stream === source) {
        this.stream = null;
        this.reopens = (this.reopens ?? 0) + 1;
        if (this.reopens > MAX_REOPENS) {
          this.render("Live follow stopped: the server keeps refusing the stream. Reload to try again.");
          return;
        }
        const wait = Math.min(REOPEN_FIRST_MS * 2 ** (this.reopens - 1), REOPEN_MAX_MS);
        this.render(`Live follow lost the server; opening it again in ${Math.ceil(wait / 1000)} s…`);
        setTimeout(() => this.follow(), wait);
      } else this.render();
    });
    this.render();
  }

  stopStream() {
    this.stream?.close();
    this.stream = null;
  }

  enqueue(item) {
    this.pending.push(item);
    if (this.pending.length === 1) requestAnimationFrame(() => this.flush());
  }

  /** Appends what arrived since the last frame, in one go. */
  flush() {
    if (!this.pending.length) return;
    const items = this.pending;
    this.pending = [];
    this.list.append(...this.rows(items));
    this.trimTop();
    if (this.pinned) this.scrollToBottom();
    else this.unseen += items.length;
    this.render();
  }

  setPinned(pinned, scroll = true) {
    this.pinned = pinned;
    if (pinned) {
      this.unseen = 0;
      if (scroll) this.scrollToBottom();
    }
    this.followButton?.setAttribute("aria-pressed", String(pinned));
    this.renderNewLines();
  }

  scrollToBottom() {
    this.box.scrollTop = this.box.scrollHeight;
    this.lastTop = this.box.scrollTop;
  }

  // ---- finding lines -----------------------------------------------------------------------------------------

  highlight(offset) {
    this.list.querySelectorAll(".log-row.highlight").forEach(r => r.classList.remove("highlight"));
    const row = this.list.querySelector(`[data-offset="${offset}"]`);
    if (!row) return false;
    row.classList.add("highlight");
    row.scrollIntoView({ block: "center" });
    return true;
  }

  /** The byte offset a permalink in the address points at, if it is one of this viewer's. */
  hashOffset() {
    const prefix = `#${this.anchor}`;
    if (!location.hash.startsWith(prefix)) return null;
    const offset = Number(location.hash.slice(prefix.length));
    return Number.isSafeInteger(offset) && offset >= 0 ? offset : null;
  }

  async openHash() {
    const offset = this.hashOffset();
    if (offset === null || !this.loaded) return;
    if (!this.highlight(offset)) await this.loadAround(offset);
  }

  async jumpToFirstError() {
    let offset = this.firstError;
    if (offset === null) offset = await this.findFirstError();
    if (offset === null) {
      this.render("No error entry in this log.");
      return;
    }
    if (this.filtered) this.clearFilters(); // the first error must not be filtered out of view
    history.replaceState(null, "", `#${this.anchor}${offset}`);
    if (!this.highlight(offset)) await this.loadAround(offset);
  }

  /** Without a failure card to say where: scan forward for the first error entry, a window at a time. */
  async findFirstError() {
    let after = 0;
    for (let n = 0; n < MAX_SEARCH_WINDOWS; n++) {
      const page = await getJson(`${this.src}?after=${after}&minLevel=error&tailBytes=${SCAN_BYTES}`);
      const first = page.entries.find(e => e.entry);
      if (first) return first.offset;
      if (page.end >= page.size || page.end <= after) return null;
      after = page.end;
    }
    return null;
  }

  setFilter(name, value) {
    if (this.filters[name] === value) return;
    this.filters[name] = value;
    this.updateDownload();
    this.loadTail();
  }

  clearFilters() {
    this.filters = { minLevel: "", component: "", attempt: "", q: "" };
    for (const b of this.levels.children) b.setAttribute("aria-pressed", String(b.dataset.level === ""));
    this.component.value = "";
    if (this.attempt) this.attempt.value = "";
    this.search.value = "";
    this.updateDownload();
  }

  reset() {
    this.stopStream();
    this.pending = [];
    this.unseen = 0;
    this.pinned = true;
    this.followButton?.setAttribute("aria-pressed", "true");
    this.status.textContent = "loading…";
    return ++this.generation;
  }

  // ---- actions and status ------------------------------------------------------------------------------------

  async copy() {
    const text = [...this.list.children].map(r => r.dataset.text).join("\n");
    const label = "Copy lines";
    try {
      await copyText(text);
      this.copyButton.textContent = `Copied ${this.list.childElementCount} lines`;
    } catch (error) {
      this.copyButton.textContent = "Copy failed";
      this.render(`Could not copy: ${error.message}`);
    }
    setTimeout(() => (this.copyButton.textContent = label), 1800);
  }

  updateDownload() {
    const query = this.query({ download: "true" });
    this.download.href = `${this.src}?${query}`;
  }

  fail(error) {
    this.render(`Could not load the log: ${error.message}`);
  }

  render(problem) {
    this.earlier.replaceChildren();
    if (this.hasEarlier) {
      const b = button("Load earlier", "load-earlier", "The lines before these");
      b.addEventListener("click", () => this.loadEarlier());
      this.earlier.append(b, el("span", "muted", `the lines before byte ${offset(this.head)}`));
    } else this.earlier.append(el("span", "muted", "Beginning of the log"));

    this.later.replaceChildren();
    if (this.hasLater) {
      const more = button("Load later", "load-later", "The lines after these");
      more.addEventListener("click", () => this.loadLater());
      const end = button("Jump to the end", "jump-end", "The newest lines (and follow them)");
      end.addEventListener("click", () => {
        history.replaceState(null, "", location.pathname + location.search);
        this.loadTail();
      });
      this.later.append(more, end, el("span", "muted", `newer lines from byte ${offset(this.tail)} are not shown`));
    } else if (this.stream) this.later.append(el("span", "live-dot"), el("span", "muted", "Following: new lines appear here"));
    else if (this.finished) this.later.append(el("span", "muted", `End of the log: the job ${this.ended ?? "finished"}.`));
    else this.later.append(el("span", "muted", "End of the log"));

    const count = this.list.childElementCount;
    const parts = [`${count} line${count === 1 ? "" : "s"}`];
    if (this.filtered) parts.push("filtered");
    parts.push(`bytes ${bytes(this.head)}–${bytes(this.tail)} of ${bytes(Math.max(this.size, this.tail))}`);
    if (count >= MAX_ROWS) parts.push(`at most ${MAX_ROWS} lines are kept on the page`);
    this.status.replaceChildren(el("span", "", parts.join(" · ")));
    if (problem) this.status.append(el("span", "problem", ` · ${problem}`));
    this.empty.hidden = count > 0;
    this.empty.textContent = this.filtered ? "No line matches these filters in the part of the log scanned so far." : "No lines yet.";
    this.renderNewLines();
  }

  renderNewLines() {
    this.newLines.hidden = this.pinned || this.unseen === 0;
    this.newLines.textContent = `↓ ${this.unseen} new line${this.unseen === 1 ? "" : "s"}`;
  }
}

for (const root of document.querySelectorAll(".log-viewer[data-src]")) {
  const viewer = new LogViewer(root);
  root.viewer = viewer;
  if (root.dataset.lazy === "true") root.addEventListener("log:activate", () => viewer.load(), { once: true });
  else viewer.load();
}
