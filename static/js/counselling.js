// The counsellor dashboard, live: new and changed concerns appear in the "Concerns" region and
// risk alerts in their log without a reload (from /ws/staff/alerts/). No inline script (CSP).
(function () {
  "use strict";
  const status = document.getElementById("counselling-live-status");
  const list = document.getElementById("concern-list");
  const template = document.getElementById("concern-template");
  const risks = document.getElementById("risk-alerts");
  if (!status || !list) return;
  let delay = 1000;

  function showConcern(frame) {
    document.getElementById("no-concerns")?.remove();
    let item = list.querySelector(`[data-concern-id="${frame.id}"]`);
    if (frame.status === "Closed") {
      item?.remove();
      return;
    }
    if (!item) {
      item = template.content.firstElementChild.cloneNode(true);
      item.dataset.concernId = String(frame.id);
      list.prepend(item);
    }
    item.className = `list-group-item concern severity-${frame.severity}`;
    const link = item.querySelector("a");
    link.href = frame.url;
    link.textContent = frame.member;
    item.querySelector(".concern-category").textContent = frame.category;
    const by = item.querySelector(".concern-by");
    if (by) by.textContent = ` (raised by ${frame.raised_by || "someone"}, just now) `;
    item.querySelector(".concern-words").textContent = frame.summary;
    item.querySelector(".concern-status").textContent = frame.picked_up_by
      ? `${frame.picked_up_by} has picked this up.`
      : "Nobody has picked this up yet.";
  }

  function showAlert(frame) {
    const item = document.createElement("li");
    item.className = `list-group-item severity-${frame.severity}`;
    const again = frame.reraised ? " (raised again: nobody has acknowledged it)" : "";
    item.textContent = `${frame.member || "Someone"}: ${frame.categories.join(", ") || "report"} ` +
      `(severity ${frame.severity}) ${frame.summary}${again}`;
    risks.prepend(item);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + status.dataset.socketPath);
    socket.addEventListener("open", () => {
      delay = 1000;
      status.textContent = "Live updates are on.";
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type === "concern") showConcern(frame);
      else if (frame.type === "alert") showAlert(frame);
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4401 || event.code === 4403 || event.code === 4429) {
        status.textContent = "Live updates stopped: please log in again, or close another tab.";
        return;
      }
      status.textContent = "Live updates lost connection. Trying again…";
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
