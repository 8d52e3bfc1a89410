// The training page: start a job on synthetic faces, list jobs, and follow one job live from its event stream
// (loss charts, it/s and ETA, the latest sample grid, checkpoints), with a cancel button.
import { LossChart } from './loss-chart.js';
import { HttpError, readEvents } from './event-stream.js';
import { apiKey, authHeaders, bindKeyInput, errorText, say } from './common.js';

/** Network sizes offered by the form: conv widths and G's residual blocks. */
const NETWORKS = {
  tiny: { conv: 8, gRepeat: 1 },
  small: { conv: 16, gRepeat: 2 },
  paper: { conv: 64, gRepeat: 6 },
};
const ENDED = ['done', 'failed', 'cancelled'];
/**
 * Training settings offered by the form. "quick" is the demo's: a G update every iteration, the identity term (faces
 * appear early and keep their colours) and twice the official learning rate, so that a small run shows the domains within
 * minutes; "official" is main.py's, which needs far longer runs to show anything.
 */
const SETTINGS = {
  quick: { 'n-critic': 1, 'lambda-id': 10, 'g-lr': 0.0002, 'd-lr': 0.0002 },
  official: { 'n-critic': 5, 'lambda-id': 0, 'g-lr': 0.0001, 'd-lr': 0.0001 },
};

let current = null;  // the followed job: {id, abort, state, numIters, dChart, gChart}

/**
 * D's depth for an image size: as many stride-2 layers as leave a feature map of at least 2 pixels that the size
 * divides into (128 → 6 as in the paper, 32 → 4, 16 → 3), so that the classification head's kernel is whole.
 */
function discriminatorDepth(size) {
  let depth = 1;
  while (depth < 6 && size % 2 ** (depth + 1) === 0 && size / 2 ** (depth + 1) >= 2) depth++;
  return depth;
}

/** The POST /v1/training-jobs body for the form's values. */
function jobRequest(form) {
  const int = name => parseInt(form.elements[name].value, 10);
  const size = int('image_size');
  const iterations = int('iterations');
  const network = NETWORKS[form.elements.network.value];
  return {
    model: form.elements.model.value.trim(),
    requested_by: 'web-ui',
    options: {
      'image-size': size, 'batch-size': int('batch_size'), 'num-iters': iterations,
      // The official schedule decays the learning rate over the second half of the run.
      'num-iters-decay': Math.floor(iterations / 2),
      'log-step': int('log_step'), 'sample-step': int('sample_step'), 'model-save-step': int('save_step'),
      'g-conv-dim': network.conv, 'd-conv-dim': network.conv, 'g-repeat-num': network.gRepeat,
      'd-repeat-num': discriminatorDepth(size), seed: int('seed'),
      ...SETTINGS[form.elements.settings.value],
    },
    synthetic: { count: int('count'), size, seed: int('seed') },
  };
}

document.getElementById('job-form').addEventListener('submit', async e => {
  e.preventDefault();
  if (!apiKey()) { say('form-status', NO_KEY, true); return; }
  say('form-status', 'submitting…');
  const r = await fetch('/v1/training-jobs', {
    method: 'POST', headers: authHeaders({ 'Content-Type': 'application/json' }), body: JSON.stringify(jobRequest(e.target)),
  });
  if (!r.ok) { say('form-status', await refusal(r), true); return; }
  const { job_id: id } = await r.json();
  say('form-status', `job ${id} queued`);
  follow(id);
  refreshJobs();
});

/** The words for a refused request: a missing or insufficient key says what key is needed. */
async function refusal(r) {
  const reason = await errorText(r);
  if (r.status === 401) return `An API key with scope train is needed (${reason}); enter it above.`;
  if (r.status === 403) return `This API key may not use training: a key with scope train or admin is needed (${reason}).`;
  return reason;
}

const NO_KEY = 'Enter an API key with scope train above to start, list and follow jobs (./stargan demo prints its admin key).';

async function refreshJobs() {
  if (!apiKey()) { say('jobs-status', NO_KEY); return; }
  const r = await fetch('/v1/training-jobs', { headers: authHeaders() });
  if (!r.ok) { say('jobs-status', await refusal(r), true); return; }
  say('jobs-status', '');
  const body = document.getElementById('jobs-body');
  body.replaceChildren();
  for (const job of (await r.json()).jobs.reverse()) {
    const row = body.insertRow();
    row.className = 'job' + (current && current.id === job.job_id ? ' selected' : '');
    row.dataset.job = job.job_id;
    for (const text of [job.job_id, job.state || '', job.iteration ?? '', job.model || '', job.worker || '']) {
      row.insertCell().textContent = text;
    }
    row.addEventListener('click', () => follow(job.job_id));
  }
}

/** Follows one job: resets the panel and reads its events (past ones first) until it ends or another is picked. */
async function follow(id) {
  if (current) current.abort.abort();
  const job = { id, abort: new AbortController(), state: '', numIters: null, itPerSec: null, eta: null, iteration: 0,
    dChart: new LossChart(document.getElementById('chart-d'), document.getElementById('legend-d')),
    gChart: new LossChart(document.getElementById('chart-g'), document.getElementById('legend-g')) };
  current = job;
  document.getElementById('job').hidden = false;
  document.getElementById('job-id').textContent = id;
  document.getElementById('checkpoints').replaceChildren();
  document.getElementById('job-log').textContent = '';
  document.getElementById('sample-img').removeAttribute('src');
  say('sample-caption', 'no sample yet');
  document.querySelectorAll('tr.job').forEach(r => r.classList.toggle('selected', r.dataset.job === id));
  say('progress', 'waiting for the job\'s events…');
  // A job just submitted is known to the gateway only once its first event has come back from Kafka: retry a while.
  for (let attempt = 0; ; attempt++) {
    try {
      await readEvents(`/v1/training-jobs/${encodeURIComponent(id)}/events`, authHeaders(), (type, event) => onEvent(job, type, event),
        job.abort.signal);
      break;
    } catch (e) {
      if (job.abort.signal.aborted) return;
      if (e instanceof HttpError && e.status === 404 && attempt < 40) {
        await new Promise(resolve => setTimeout(resolve, 250));
        continue;
      }
      say('progress', e instanceof HttpError && e.status === 404
        ? `No job ${id} is known to this gateway (its events are kept while the gateway runs).`
        : e instanceof HttpError && (e.status === 401 || e.status === 403)
          ? `The events of job ${id} need an API key with scope train (${e.message}).`
          : `The events of job ${id} could not be read: ${e.message}`, true);
      return;
    }
  }
  if (current === job) refreshJobs();
}

function onEvent(job, type, event) {
  if (current !== job) return;
  const data = event.data || {};
  job.iteration = Math.max(job.iteration, event.iteration || 0);
  if (type === 'log') {
    job.dChart.add(event.iteration, pick(data, 'D/'));
    job.gChart.add(event.iteration, pick(data, 'G/'));
    job.itPerSec = data.it_per_s;
    job.eta = data.eta_s;
  } else if (type === 'sample') {
    showSample(job, event.iteration, data.uri);
  } else if (type === 'checkpoint') {
    addCheckpoint(job, event.iteration, data);
  } else {
    job.state = type;
    if (type === 'running') job.numIters = data.num_iters;
    const log = document.getElementById('job-log');
    log.textContent += `${new Date(event.time_ms).toLocaleTimeString()} ${type} at iteration ${event.iteration}`
      + (data.reason ? `: ${data.reason}` : '') + (event.worker ? ` (${event.worker})` : '') + '\n';
    log.scrollTop = log.scrollHeight;
  }
  showProgress(job);
}

/** The losses of one network: the numeric fields whose names start with {@code prefix} (e.g. D/loss_gp). */
function pick(data, prefix) {
  const out = {};
  for (const [k, v] of Object.entries(data)) if (k.startsWith(prefix) && typeof v === 'number') out[k] = v;
  return out;
}

function showProgress(job) {
  const parts = [job.state || 'queued', `iteration ${job.iteration}` + (job.numIters ? ` / ${job.numIters}` : '')];
  if (!ENDED.includes(job.state) && job.itPerSec) {
    parts.push(`${job.itPerSec.toFixed(1)} it/s`);
    if (job.eta !== null && job.eta !== undefined) parts.push(`ETA ${duration(job.eta)}`);
  }
  say('progress', parts.join(' · '), job.state === 'failed');
  document.getElementById('cancel').disabled = ENDED.includes(job.state);
}

function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * The gateway URL of an artifact the trainer published as a file: URI inside its store ({@code .../jobs/<job>/rest}),
 * or null for a URI of another store, which the gateway cannot serve.
 */
export function artifactUrl(job, uri) {
  const marker = `/jobs/${job}/`;
  const at = uri ? uri.indexOf(marker) : -1;
  if (!uri || !uri.startsWith('file:') || at < 0) return null;
  return `/v1/training-jobs/${encodeURIComponent(job)}/artifacts/${uri.slice(at + marker.length)}`;
}

let wantedSample = null, loadingSample = false;

/** Shows the newest sample grid; while one loads only the latest request waits. */
async function showSample(job, iteration, uri) {
  wantedSample = { job, iteration, uri };
  if (loadingSample) return;
  loadingSample = true;
  try {
    while (wantedSample) {
      const want = wantedSample;
      wantedSample = null;
      const url = artifactUrl(want.job.id, want.uri);
      if (!url) { say('sample-caption', `iteration ${want.iteration}: ${want.uri} (outside this gateway's artifact store)`); continue; }
      const r = await fetch(url, { headers: authHeaders() });
      if (current !== want.job) continue;
      if (!r.ok) { say('sample-caption', `iteration ${want.iteration}: ${await errorText(r)}`, true); continue; }
      const img = document.getElementById('sample-img');
      if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
      img.src = URL.createObjectURL(await r.blob());
      say('sample-caption', `iteration ${want.iteration}`);
    }
  } finally {
    loadingSample = false;
  }
}

function addCheckpoint(job, iteration, data) {
  const row = document.getElementById('checkpoints').insertRow();
  row.insertCell().textContent = iteration;
  row.insertCell().textContent = data.version || '';
  const cell = row.insertCell();
  const url = artifactUrl(job.id, data.model_uri);
  if (!url) { cell.textContent = data.model_uri; return; }
  // A plain link cannot carry the API key: fetch the file, then hand it to the browser as a download.
  const link = document.createElement('a');
  link.href = '#';
  link.title = data.model_uri;
  link.textContent = data.model_uri.slice(data.model_uri.lastIndexOf('/') + 1);
  link.addEventListener('click', async e => {
    e.preventDefault();
    const r = await fetch(url, { headers: authHeaders() });
    if (!r.ok) { say('progress', await errorText(r), true); return; }
    const save = document.createElement('a');
    save.href = URL.createObjectURL(await r.blob());
    save.download = link.textContent;
    save.click();
    setTimeout(() => URL.revokeObjectURL(save.href), 60_000);
  });
  cell.appendChild(link);
}

document.getElementById('cancel').addEventListener('click', async () => {
  if (!current) return;
  const r = await fetch(`/v1/training-jobs/${encodeURIComponent(current.id)}`, { method: 'DELETE', headers: authHeaders() });
  say('form-status', r.ok ? `cancel of ${current.id} requested` : await errorText(r), !r.ok);
});

// training.html?job=ID opens that job (the demo prints such a link, with its key after '#').
const linked = new URLSearchParams(location.search).get('job');
bindKeyInput(document.getElementById('key'), () => {
  refreshJobs();
  if (current) follow(current.id);
  else if (linked && apiKey()) follow(linked);
});
refreshJobs();
if (linked && apiKey()) follow(linked);
// The list is a summary: refresh it now and then; the followed job updates live from its events.
setInterval(refreshJobs, 3000);
