// One log line as a row: time (relative to the job's start, UTC and local on hover, a permalink), level, component,
// attempt, message, and its data expandable — stack traces and stderr tails as monospace blocks with their newlines.
// Text is always inserted as text, never as HTML.
import { instantTitle } from "./time.js";

export const LEVELS = ["debug", "info", "warn", "error"];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** "+1.234s", "+2m03.4s", "+1h02m03s" after the start; the local clock time when there is no start. */
export function timeText(ts, start) {
  const at = Date.parse(ts);
  if (Number.isNaN(at)) return ts ?? "";
  if (start === null) {
    const d = new Date(at);
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  const ms = at - start;
  const sign = ms < 0 ? "-" : "+";
  const abs = Math.abs(ms);
  if (abs < 60000) return `${sign}${(abs / 1000).toFixed(3)}s`;
  const s = Math.floor(abs / 1000);
  if (abs < 3600000) return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}.${Math.floor((abs % 1000) / 100)}s`;
  return `${sign}${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m${String(s % 60).padStart(2, "0")}s`;
}

/** The line as plain text, for copying: "ts LEVEL [component instance] message {data}", or the raw line. */
export function lineText(item) {
  if (!item.entry) return item.raw;
  const e = item.entry;
  const source = e.instance ? `${e.component ?? "?"} ${e.instance}` : (e.component ?? "?");
  return `${e.ts} ${String(e.level ?? "").toUpperCase().padEnd(5)} [${source}] ${e.msg ?? ""}` + (e.data ? " " + JSON.stringify(e.data) : "");
}

/** Appends text to a node with each case-insensitive occurrence of `query` marked. */
function appendMarked(node, text, query) {
  if (!query) {
    node.append(text);
    return;
  }
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    node.append(text.slice(from, at), el("mark", "", text.slice(at, at + needle.length)));
    from = at + needle.length;
  }
  node.append(text.slice(from));
}

function scalar(value) {
  if (value === null) return "null";
  if (typeof value === "object") return Array.isArray(value) ? `[${value.length}]` : "{…}";
  const text = String(value);
  return text.length > 40 ? text.slice(0, 40) + "…" : text;
}

function block(title, text, query, className) {
  const wrap = el("div", `data-block ${className ?? ""}`);
  wrap.append(el("div", "data-title", title));
  const pre = el("pre", "mono");
  appendMarked(pre, text, query);
  wrap.append(pre);
  return wrap;
}

/** The entry's data: exception, stderr and stdout tails as blocks, the call on one line, the rest as name and value. */
function dataDetails(data, level, query) {
  const details = el("details", "data");
  const { exception, stderrTail, stdoutTail, call, ...rest } = data;
  const summary = el("summary");
  const keys = Object.keys(data);
  summary.append(el("span", "data-label", "data"));
  for (const key of keys.slice(0, 6)) {
    const value = data[key];
    const chip = el("span", "data-key");
    chip.append(el("b", "", key));
    if (key !== "exception" && key !== "stderrTail" && key !== "stdoutTail" && key !== "call") chip.append(" " + scalar(value));
    summary.append(chip);
  }
  if (keys.length > 6) summary.append(el("span", "data-key muted", `+${keys.length - 6}`));
  details.append(summary);

  if (exception) details.append(block(`${exception.type}: ${exception.message}`, exception.stack || "(no stack)", query, "exception"));
  if (stderrTail) details.append(block("stderr (end of it)", stderrTail, query, "stderr"));
  if (stdoutTail) details.append(block("stdout (end of it)", stdoutTail, query, "stdout"));
  if (call) details.append(el("div", "data-call mono", `call: ${call.op ?? ""} ${call.target ?? ""}${call.status !== undefined ? " → " + call.status : ""}`));
  const names = Object.keys(rest);
  if (names.length) {
    const fields = el("dl", "data-fields mono");
    for (const name of names) {
      const value = rest[name];
      const dd = el("dd");
      appendMarked(dd, typeof value === "string" ? value : JSON.stringify(value, null, 2), query);
      fields.append(el("dt", "", name), dd);
    }
    details.append(fields);
  }
  // Whatever explains a failure is open from the start: the stack, the tool's stderr.
  details.open = level === "error" && Boolean(exception || stderrTail);
  return details;
}

/**
 * A row for one item of the tail response ({offset, entry} or {offset, raw, malformed, cut}).
 * context: { start (ms or null), attempts (number), dashboard (url or ""), query (search text), anchor (permalink prefix),
 * jobLinks (link entries to their job: in service logs) }.
 */
export function renderRow(item, context) {
  const row = el("div", "log-row");
  row.id = `${context.anchor}${item.offset}`;
  row.dataset.offset = item.offset;
  row.dataset.text = lineText(item);

  const time = el("a", "ts");
  time.href = `#${context.anchor}${item.offset}`;
  time.title = `Byte ${item.offset}: a link to this line`;

  if (!item.entry) {
    row.classList.add("malformed");
    row.dataset.level = "malformed";
    time.textContent = "·";
    const msg = el("div", "msg mono");
    msg.append(el("span", "badge-malformed", item.cut ? "cut · not JSON" : "not JSON"), " ");
    appendMarked(msg, item.raw, context.query);
    row.append(time, el("span", "lvl lvl-malformed", "raw"), el("span", "comp", ""), msg);
    return row;
  }

  const e = item.entry;
  const level = LEVELS.includes(e.level) ? e.level : "info";
  row.dataset.level = level;
  row.classList.add(`row-${level}`);
  time.textContent = timeText(e.ts, context.start);
  const at = Date.parse(e.ts);
  if (!Number.isNaN(at)) time.title = `${instantTitle(at)}\nbyte ${item.offset} · a link to this line`;

  const msg = el("div", "msg");
  // In a service's log, several workers (or replicas) write: each entry names the one that wrote it.
  if (e.instance) {
    const instance = el("span", "instance", e.instance);
    instance.title = `Written by ${e.component ?? "the service"} instance ${e.instance}`;
    msg.append(instance, " ");
  }
  // In a service's log, an entry about a job leads to that job.
  if (context.jobLinks && e.projectId && e.jobId) {
    const job = el("a", "job-link-inline", e.jobId);
    job.href = `/projects/${encodeURIComponent(e.projectId)}/jobs/${encodeURIComponent(e.jobId)}`;
    job.title = `Job ${e.jobId} of project ${e.projectId}`;
    msg.append(job);
  }
  const text = el("span", "text");
  appendMarked(text, e.msg ?? "", context.query);
  msg.append(text);
  if (context.dashboard && e.traceId) {
    const trace = el("a", "trace-link", "trace");
    trace.href = `${context.dashboard}/traces/detail/${encodeURIComponent(e.traceId)}` + (e.spanId ? `?spanId=${encodeURIComponent(e.spanId)}` : "");
    trace.target = "_blank";
    trace.rel = "noopener";
    trace.title = `Trace ${e.traceId} in the dashboard`;
    msg.append(" ", trace);
  }
  if (e.data && typeof e.data === "object" && Object.keys(e.data).length) msg.append(dataDetails(e.data, level, context.query));

  const comp = el("span", `comp comp-${e.component}`, e.component ?? "");
  row.append(time, el("span", `lvl lvl-${level}`, level), comp);
  if (context.attempts > 1) row.append(el("span", "att", e.attempt !== undefined ? `#${e.attempt}` : ""));
  row.append(msg);
  return row;
}
