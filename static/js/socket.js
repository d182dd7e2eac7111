// A websocket that comes back by itself: reconnects with growing, jittered waits and stops
// for good on the contract's refusal codes (4401 not logged in, 4403 not allowed, 4429 too many).
const FINAL_CODES = new Set([4401, 4403, 4429]);

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export function keepSocket(path, { onOpen, onFrame, onDown, onRefused }) {
  let attempt = 0;
  let socket = null;
  let stopped = false;

  function connect() {
    socket = new WebSocket(socketUrl(path));
    socket.addEventListener("open", () => {
      attempt = 0;
      if (onOpen) onOpen(send);
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame, send);
    });
    socket.addEventListener("close", (event) => {
      if (FINAL_CODES.has(event.code)) {
        stopped = true;
        if (onRefused) onRefused(event.code);
        return;
      }
      if (stopped) return;
      if (onDown) onDown();
      attempt += 1;
      const wait = Math.min(30000, 500 * 2 ** Math.min(attempt, 6));
      window.setTimeout(connect, wait / 2 + Math.random() * (wait / 2));
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  window.addEventListener("online", () => {
    if (socket && socket.readyState === WebSocket.CLOSED && !stopped) connect();
  });
  connect();
  return { send };
}
