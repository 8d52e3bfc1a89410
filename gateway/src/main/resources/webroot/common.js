// What both pages share: the API key (kept in this browser's localStorage so that it is typed once), request
// headers carrying it, and readable error messages from the gateway's JSON errors.
const KEY = 'stargan.apiKey';

/** The API key entered on either page, or ''. */
export const apiKey = () => localStorage.getItem(KEY) || '';

/** Headers for a fetch: {@code extra} plus X-API-Key when a key is set. */
export function authHeaders(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, 'X-API-Key': key } : { ...extra };
}

/** Binds an input to the stored key; {@code onChange} runs after the user changes it. */
export function bindKeyInput(input, onChange) {
  input.value = apiKey();
  input.addEventListener('change', () => {
    const key = input.value.trim();
    if (key) localStorage.setItem(KEY, key); else localStorage.removeItem(KEY);
    onChange(key);
  });
}

/** The gateway's error message ({"error", "message"}), or the status and body text for anything else. */
export async function errorText(response) {
  const text = await response.text();
  try {
    return JSON.parse(text).message || `${response.status} ${text}`;
  } catch (e) {
    return `${response.status} ${text || response.statusText}`;
  }
}

/** Shows {@code text} in the element with id {@code id}; red when {@code error}. */
export function say(id, text, error = false) {
  const el = document.getElementById(id);
  el.textContent = text;
  el.classList.toggle('error', !!error);
}
