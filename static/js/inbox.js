// The messages inbox refreshes itself when a new message arrives for this member (a
// "thread_message" frame on their own socket), so the unread counts are live.
(function () {
  "use strict";
  const inbox = document.getElementById("inbox");
  if (!inbox) return;
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  let delay = 1000;
  function connect() {
    const socket = new WebSocket(scheme + window.location.host + inbox.dataset.socketPath);
    socket.addEventListener("open", () => { delay = 1000; });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type !== "thread_message") return;
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then((response) => response.text())
        .then((html) => {
          const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("inbox");
          if (fresh) inbox.replaceChildren(...fresh.children);
        });
    });
    socket.addEventListener("close", (event) => {
      if ([4401, 4403, 4429].includes(event.code)) return;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
