// Server-Sent Events read with fetch: the training routes need the X-API-Key header, which EventSource cannot send.

/** An HTTP error answer, with the gateway's message. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Reads the event stream at {@code url} until the server ends it (the job ended) or {@code signal} aborts it,
 * calling {@code onEvent(type, data)} with each event's parsed JSON data. Events may be split across network chunks:
 * text is buffered up to each blank line that ends an event.
 */
export async function readEvents(url, headers, onEvent, signal) {
  const r = await fetch(url, { headers, signal });
  if (!r.ok) {
    let message = `${r.status}`;
    try { message = (await r.json()).message; } catch (e) { /* not JSON: keep the status */ }
    throw new HttpError(r.status, message);
  }
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}
