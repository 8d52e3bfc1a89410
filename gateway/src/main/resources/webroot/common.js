// What both pages share: the API key (kept in this browser's localStorage so that it is typed once), request
// headers carrying it, and readable error messages from the gateway's JSON errors.
const KEY = 'stargan.apiKey';

// A link may carry the key after '#' (./stargan demo prints such a link to the training page): the part after '#'
// never reaches a server or its logs. It is stored like a typed key and removed from the address bar.
const linked = new URLSearchParams(location.hash.slice(1)).get('key');
if (linked) {
  localStorage.setItem(KEY, linked.trim());
  history.replaceState(null, '', location.pathname + location.search);
}

/** The API key entered on either page, or ''. */
export const apiKey = () => localStorage.getItem(KEY) || '';

/** Headers for a fetch: {@code extra} plus X-API-Key when a key is set. */
export function authHeaders(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, 'X-API-Key': key } : { ...extra };
}

/**
 * Binds an input to the stored key; {@code onChange} runs once the user has changed it: when typing or pasting pauses
 * (no Enter or Tab needed), or at once on Enter/Tab.
 */
export function bindKeyInput(input, onChange) {
  input.value = apiKey();
  let timer = null;
  const apply = () => {
    clearTimeout(timer);
    const key = input.value.trim();
    if (key === apiKey()) return;
    if (key) localStorage.setItem(KEY, key); else localStorage.removeItem(KEY);
    onChange(key);
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(apply, 400); });
  input.addEventListener('change', apply);
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
