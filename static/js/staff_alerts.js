// Live staff alerts on the moderation page: listens on /ws/staff/alerts/ and adds each alert
// to the "New alerts" log without a reload. Reconnects with back-off. No inline script (CSP).
(function () {
  "use strict";
  const list = document.getElementById("live-alerts");
  const status = document.getElementById("live-alerts-status");
  if (!list) return;
  const seen = new Set();
  let delay = 1000;

  function describe(alert) {
    const when = new Date(alert.raised_at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    const where = alert.room ? " in " + alert.room : "";
    const again = alert.reraised ? " (raised again: nobody has acknowledged it)" : "";
    return when + " · severity " + alert.severity + " · " + (alert.categories.join(", ") || "report") +
      " · " + (alert.member || "someone") + where + ": " + alert.summary + again;
  }

  function show(alert) {
    const key = alert.id + (alert.reraised ? "r" : "");
    if (seen.has(key)) return;
    seen.add(key);
    const item = document.createElement("li");
    item.className = "list-group-item live-alert severity-" + alert.severity;
    item.dataset.alertId = String(alert.id);
    const text = document.createElement("span");
    text.textContent = describe(alert) + " ";
    const link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = "Open the queue";
    item.append(text, link);
    list.prepend(item);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + list.dataset.socketPath);
    socket.addEventListener("open", function () {
      delay = 1000;
      status.textContent = "Live alerts are on.";
    });
    socket.addEventListener("message", function (event) {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "alert") show(frame);
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401 || event.code === 4403) {
        status.textContent = "Live alerts stopped: please log in again.";
        return;
      }
      status.textContent = "Live alerts lost connection. Trying again…";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
