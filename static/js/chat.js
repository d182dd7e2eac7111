// The chat screen: a live, accessible message log. Reconnects by itself and asks the server
// for what it missed ("resume" after the last message id), so nothing is lost; messages not
// yet confirmed are re-sent with the same client_id, which the server stores only once.
import { keepSocket } from "./socket.js";

const root = document.getElementById("chat");
if (root) {
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const field = document.getElementById("chat-message");
  const notices = document.getElementById("chat-notices");
  const connection = document.getElementById("chat-connection");
  const me = root.dataset.me;
  const reportUrl = root.dataset.reportUrl;
  const seen = new Set();
  const pending = new Map(); // client_id -> frame, until the server echoes it back
  let lastId = 0;

  for (const item of log.querySelectorAll("li[data-id]")) {
    const id = Number(item.dataset.id);
    seen.add(id);
    lastId = Math.max(lastId, id);
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function showMessage(frame) {
    if (seen.has(frame.id)) return;
    seen.add(frame.id);
    lastId = Math.max(lastId, frame.id);
    const stick = nearBottom();
    const item = document.createElement("li");
    item.className = "message";
    if (frame.text === "*blocked*" || frame.text === "*inappropriate*") {
      item.classList.add("placeholder-text");
    }
    item.dataset.id = String(frame.id);
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = frame.author;
    item.append(author);
    const label = { mentor: "MiniMentor", counsellor: "Counsellor" }[frame.role];
    if (label) {
      const badge = document.createElement("span");
      badge.className = "badge text-bg-info ms-1";
      badge.textContent = label;
      item.append(badge);
    }
    item.append(": ");
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = frame.text;
    item.append(text);
    if (frame.held) {
      const held = document.createElement("span");
      held.className = "small text-muted ms-1 held-note";
      held.textContent = "(only the MiniMentors team saw this)";
      item.append(held);
    }
    if (frame.author !== me) {
      const report = document.createElement("button");
      report.type = "button";
      report.className = "btn btn-link btn-sm report-button";
      report.dataset.messageId = String(frame.id);
      report.textContent = "Report";
      item.append(" ", report);
    }
    // Keep the log in id order even when a resumed message arrives after a newer one.
    const later = [...log.querySelectorAll("li[data-id]")].find(
      (other) => Number(other.dataset.id) > frame.id,
    );
    log.insertBefore(item, later || null);
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function showNotice(text, { kind = "info", link = "" } = {}) {
    const box = document.createElement("p");
    box.className = `alert alert-${kind} chat-notice`;
    box.textContent = text;
    if (link) {
      box.append(" ");
      const anchor = document.createElement("a");
      anchor.href = link;
      anchor.textContent = link === "/rules/" ? "Read the site rules" : "Open it";
      box.append(anchor);
    }
    notices.replaceChildren(box);
  }

  function updatePresence(frame) {
    const children = document.getElementById("presence-children");
    const mentors = document.getElementById("presence-mentors");
    if (children) children.textContent = frame.children + (frame.children === 1 ? " child" : " children");
    if (mentors) mentors.textContent = frame.mentors.length ? frame.mentors.join(", ") : "none right now";
  }

  function endChat() {
    if (form) {
      for (const control of form.elements) control.disabled = true;
    }
  }

  const ERRORS = {
    rate_limited: "warning",
    too_long: "warning",
    muted: "warning",
    invalid: "warning",
    unavailable: "danger",
  };

  const socket = keepSocket(root.dataset.socket, {
    onOpen(send) {
      connection.textContent = "Connected";
      send({ type: "resume", after: lastId });
      for (const frame of pending.values()) send(frame);
    },
    onFrame(frame) {
      if (frame.type === "message") {
        if (frame.client_id) pending.delete(frame.client_id);
        showMessage(frame);
      } else if (frame.type === "notice") {
        showNotice(frame.text, { kind: frame.helpline ? "warning" : "info", link: frame.link || "" });
        if (frame.ended) endChat();
      } else if (frame.type === "error") {
        // A refused message is not re-sent (it would be refused again).
        if (frame.code !== "unavailable") pending.clear();
        showNotice(frame.message, { kind: ERRORS[frame.code] || "warning" });
      } else if (frame.type === "presence") {
        updatePresence(frame);
      }
    },
    onDown() {
      connection.textContent = "Reconnecting… your messages will be sent when we're back.";
    },
    onRefused(code) {
      connection.textContent =
        code === 4401
          ? "Please log in again to chat."
          : code === 4429
            ? "MiniMentors is open in too many tabs. Close one and reload this page."
            : "You can't use this chat.";
      endChat();
    },
  });

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  }

  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = field.value.trim();
      if (!text) return;
      const frame = { type: "message", text, client_id: newClientId() };
      pending.set(frame.client_id, frame);
      socket.send(frame);
      field.value = "";
      field.focus();
    });
  }

  // Reporting: one dialog; its form posts to the message's report address.
  const dialog = document.getElementById("report-dialog");
  const reportForm = document.getElementById("report-form");
  log.addEventListener("click", (event) => {
    const button = event.target.closest(".report-button");
    if (!button || !dialog) return;
    reportForm.action = reportUrl.replace("/0/", `/${button.dataset.messageId}/`);
    dialog.showModal();
  });
  document.getElementById("report-cancel")?.addEventListener("click", () => dialog.close());
  log.scrollTop = log.scrollHeight;
}
