// A realtime stream (/api/v1/stream/...): reconnects with backoff, keeps the link alive
// with pings, reports whether it is live. Every message is JSON (see web/realtime.py).

const PING_SECONDS = 20;

export class Stream {
  constructor(path, { onMessage, onStatus }) {
    this.path = path;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.delay = 1000;
    this.closed = false;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${this.path}`);
    this.socket = socket;
    this.onStatus("connecting");
    socket.addEventListener("open", () => {
      this.delay = 1000;
      this.onStatus("live");
      this.pinger = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), PING_SECONDS * 1000);
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type !== "pong") this.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      clearInterval(this.pinger);
      if (this.closed) return;
      if (event.code === 4401) {
        location.assign("/login?next=" + encodeURIComponent(location.pathname));
        return;
      }
      this.onStatus(event.code === 4403 || event.code === 4404 ? "refused" : "offline", event.reason);
      if (event.code !== 4403 && event.code !== 4404) {
        setTimeout(() => this.connect(), this.delay);
        this.delay = Math.min(this.delay * 2, 15000);
      }
    });
  }

  close() {
    this.closed = true;
    this.socket.close();
  }
}
