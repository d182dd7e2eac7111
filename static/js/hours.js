// The hours banner changes by itself when MiniMentors arrive or go home: at the moment the
// server said it would change, the page asks for the banner again (/hours/) and updates the
// same role="status" element, so a screen reader announces the change. No reload needed.
(function () {
  "use strict";
  const holder = document.getElementById("hours");
  if (!holder) return;
  const LONGEST_WAIT = 15 * 60 * 1000; // look again at least this often (a sleeping laptop)

  function schedule(nextChange) {
    let wait = LONGEST_WAIT;
    if (nextChange) {
      wait = Math.min(LONGEST_WAIT, Math.max(0, Date.parse(nextChange) - Date.now()) + 1000);
    }
    window.setTimeout(refresh, wait);
  }

  function refresh() {
    fetch(holder.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("hours");
        const now = holder.querySelector('[role="status"]');
        const next = fresh && fresh.querySelector('[role="status"]');
        if (now && next && now.innerHTML !== next.innerHTML) {
          now.className = next.className;
          now.innerHTML = next.innerHTML;
        }
        schedule(fresh && fresh.dataset.nextChange);
      })
      .catch(() => window.setTimeout(refresh, 30000));
  }

  schedule(holder.dataset.nextChange);
})();
