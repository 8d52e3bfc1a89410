// Live edits over the gateway's WebSocket /v1/stream (docs/stream.md). The image goes once per socket as a binary
// frame; every edit is a text frame with an increasing seq (and, for photos, crop/paste/faces). The server translates
// one edit at a time and keeps only the newest waiting one, answering a text frame {seq, model_version, compute_ms,
// queue_ms, content_type, face_boxes} followed by a binary frame with the image (PNG, or with paste the photo's own
// format), or {seq, error, message} (error no_face: a face crop found none). Browsers cannot put headers on a
// WebSocket, so the key goes as ?key=.

/**
 * One live session. {@code onFrame(info, blob)} receives each frame worth showing (info: seq, model_version,
 * compute_ms, queue_ms, content_type, face_boxes [{x, y, width, height}] in the photo's pixels, round_trip_ms); {@code onError(answer)} each error the server reports, as sent ({seq, error,
 * message}; no seq when the image itself was refused); {@code onClosed(text)} a closed socket (the next edit
 * reconnects and sends the image again).
 */
export class LiveStream {
  constructor({ key = '', onFrame, onError, onClosed }) {
    this.key = key;
    this.onFrame = onFrame;
    this.onError = onError;
    this.onClosed = onClosed;
    this.ws = null;
    this.image = null;
    this.seq = 0;
    this.shownSeq = 0;       // frames older than the one on screen are dropped
    this.imageSeq = 1;       // answers to edits sent before the current image are of the old image: dropped
    this.waiting = null;     // the newest edit not yet sent (socket still opening)
    this.meta = null;        // the text answer whose image frame comes next
    this.sentAt = new Map(); // seq -> performance.now() when sent, for the round trip
  }

  /** Uses another API key from the next connection on. */
  setKey(key) {
    this.key = key;
    this.close();
  }

  /** Sets the image every following edit applies to. */
  setImage(blob) {
    this.image = blob;
    this.imageSeq = this.seq + 1;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(blob);
  }

  /**
   * Asks for a translation of the image with {@code fields} ({labels} or {target}, optional model, crop, paste,
   * faces); returns its seq.
   */
  edit(fields) {
    const message = { seq: ++this.seq, ...fields };
    this.sentAt.set(message.seq, performance.now());
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
    } else {
      this.waiting = message;  // only the newest matters
      if (!this.ws || this.ws.readyState >= WebSocket.CLOSING) this.connect();
    }
    return message.seq;
  }

  /** Closes the socket; the next edit opens a new one. */
  close() {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close();
    }
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/v1/stream` + (this.key ? `?key=${encodeURIComponent(this.key)}` : ''));
    ws.binaryType = 'blob';
    this.ws = ws;
    this.meta = null;
    ws.onopen = () => {
      // A new socket knows no image: send it before the edit that needs it.
      if (this.image) ws.send(this.image);
      if (this.waiting) {
        ws.send(JSON.stringify(this.waiting));
        this.waiting = null;
      }
    };
    ws.onmessage = e => (typeof e.data === 'string' ? this.text(e.data) : this.binary(e.data));
    ws.onclose = e => {
      if (this.ws === ws) this.ws = null;
      this.onClosed('live connection closed' + (e.reason ? ` (${e.reason})` : '') + '; moving a slider reconnects'
        + (e.code === 1006 ? ' (if it keeps closing: is the gateway still running, is the API key right?)' : ''));
    };
  }

  text(data) {
    const answer = JSON.parse(data);
    if (answer.error) {
      this.meta = null;
      this.onError(answer);
    } else {
      this.meta = answer;
    }
  }

  binary(blob) {
    const info = this.meta;
    this.meta = null;
    if (!info || info.seq < this.shownSeq || info.seq < this.imageSeq) return;
    this.shownSeq = info.seq;
    const sent = this.sentAt.get(info.seq);
    for (const seq of this.sentAt.keys()) if (seq <= info.seq) this.sentAt.delete(seq);
    this.onFrame({ ...info, round_trip_ms: sent === undefined ? null : performance.now() - sent }, blob);
  }
}
