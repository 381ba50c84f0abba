// Browser errors (component "ui"): script errors, unhandled promise rejections and failed requests are reported to the
// web (POST /api/ui-errors), which writes them to the job's log on a job's page and to web.jsonl elsewhere. A page
// sends each distinct error once and at most a few in all; the web also limits each client per minute.
const MAX_REPORTS = 20;
const sent = new Set();

export function report(problem) {
  const key = `${problem.kind}|${problem.message}|${problem.url ?? ""}`;
  if (sent.has(key) || sent.size >= MAX_REPORTS) return;
  sent.add(key);
  const body = {
    ...problem,
    projectId: document.body?.dataset.projectId || null,
    jobId: document.body?.dataset.jobId || null,
    page: location.pathname,
  };
  // A report that cannot be sent is dropped: reporting it would loop.
  fetch("/api/ui-errors", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    keepalive: true,
  }).catch(() => {});
}

window.addEventListener("error", event => {
  report({
    kind: "error",
    message: event.message || String(event.error ?? "unknown error"),
    source: event.filename || null,
    line: event.lineno || null,
    column: event.colno || null,
    stack: event.error?.stack ?? null,
  });
});

window.addEventListener("unhandledrejection", event => {
  const reason = event.reason;
  report({
    kind: "rejection",
    message: `Unhandled promise rejection: ${reason?.message ?? String(reason)}`,
    stack: reason?.stack ?? null,
  });
});
