// The chat lobby: a mentor sees children waiting (live, with "Accept"); a waiting child's page
// moves to the bubble by itself once a mentor accepts.
import { keepSocket } from "./socket.js";

const queue = document.getElementById("mentor-queue");
if (queue) {
  const list = document.getElementById("queue-list");
  const empty = document.getElementById("queue-empty");
  const template = document.getElementById("queue-item-template");
  const acceptUrl = queue.dataset.acceptUrl;

  function refreshEmpty() {
    empty.hidden = list.children.length > 0;
  }

  keepSocket(queue.dataset.queueSocket, {
    onFrame(frame) {
      if (frame.type === "bubble_request") {
        if (list.querySelector(`[data-request-id="${frame.id}"]`)) return;
        const item = template.content.firstElementChild.cloneNode(true);
        item.dataset.requestId = String(frame.id);
        item.querySelector(".queue-child").textContent = `${frame.child} is waiting`;
        item.querySelector("form").action = acceptUrl.replace("/0/", `/${frame.id}/`);
        list.append(item);
      } else if (frame.type === "bubble_request_taken") {
        list.querySelector(`[data-request-id="${frame.id}"]`)?.remove();
      }
      refreshEmpty();
    },
  });
}

// A child's weekly-chat offers ("Yes please" / "No thanks"), drawn by the server: fetched when
// the lobby opens and again when a counsellor makes an offer.
const offers = document.getElementById("weekly-chats");
function loadOffers() {
  if (!offers) return;
  fetch(offers.dataset.src, { credentials: "same-origin", cache: "no-store" })
    .then((response) => (response.ok ? response.text() : ""))
    .then((html) => {
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("weekly-chat-offers");
      offers.replaceChildren(...(fresh ? fresh.children : []));
    })
    .catch(() => {});
}
loadOffers();

const waiting = document.getElementById("child-bubble");
if (waiting && waiting.dataset.queueSocket) {
  const status = document.getElementById("waiting-status");
  keepSocket(waiting.dataset.queueSocket, {
    onFrame(frame) {
      if (frame.type === "bubble_accepted") {
        if (!frame.snapshot || status) window.location.assign(frame.url);
      } else if (frame.type === "bubble_request_ended" && status) {
        status.textContent = frame.text;
      } else if (frame.type === "checkin_offer") {
        loadOffers();
      }
    },
  });
}
