// The speaker-id browser demo: enroll voices from the microphone or from files, identify who is speaking live,
// manage the enrolled speakers. Everything runs in this page (the prebuilt module /speaker-id.js); enrollments are
// kept in IndexedDB, one database per model.
import { SpeakerId, SpeakerExistsError, loadManifest } from '/speaker-id.js';

const $ = (id) => document.getElementById(id);
const STORE_NAME = 'speaker-id-demo';
const TIMELINE_SEC = 60;
const COLOURS = ['#0b5fa5', '#b3541e', '#17663a', '#7b2d8b', '#9a7b00', '#006b75', '#a3161a', '#4a4a4a'];
const state = { sid: null, modelId: null, capture: null, recording: null, listening: null, segments: [], colour: new Map() };
let ready;

// ---- small helpers -------------------------------------------------------------------------------------------

function toast(message, ms = 6000) {
  const t = $('toast');
  t.textContent = message;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), ms);
}

// Runs an action of a control: its errors are shown, never thrown into the page (no console errors).
function action(fn) {
  return async (...args) => {
    try {
      await ready;
      await fn(...args);
    } catch (err) {
      toast(err?.message ?? String(err));
    }
  };
}

function colourOf(name) {
  if (name === null) return '#8a8a8a';
  if (!state.colour.has(name)) state.colour.set(name, COLOURS[state.colour.size % COLOURS.length]);
  return state.colour.get(name);
}

const pct = (x) => `${Math.round(100 * x)} %`;

// ---- model ---------------------------------------------------------------------------------------------------

// The model's file, fetched once with progress (Cache Storage and the HTTP cache keep it for next time). `size`:
// its size when known (the manifest's file_size): a gzip-encoded response's Content-Length is not what the body
// stream counts.
async function prefetch(url, size) {
  const bar = $('model-progress');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot download the model (${res.status})`);
  const total = size || (res.headers.get('Content-Encoding') ? 0 : Number(res.headers.get('Content-Length')) || 0);
  if (!res.body || !total) return;
  bar.hidden = false;
  const reader = res.body.getReader();
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    got += value.length;
    bar.value = got / total;
    $('model-status').textContent = `Downloading the model… ${pct(got / total)}`;
  }
  bar.hidden = true;
}

async function modelChoices() {
  const { models } = await loadManifest();
  // The embedded default is served beside the module; others when their .onnx is put in demo/web/models/.
  const extra = await fetch('/models.json').then((r) => (r.ok ? r.json() : []), () => []);
  const out = [];
  for (const m of models) {
    // The default's file is in the asset folder under the name of its manifest path (web/src/assets.mjs).
    const url = new URL(m.default ? `/${m.path.split('/').pop()}` : `/models/${m.id}.onnx`, location.href).href;
    const present = m.default || extra.includes(m.id);
    out.push({ id: m.id, label: m.default ? `${m.id} (default, ${m.family})` : `${m.id} (${m.family})`, url, present,
      isDefault: !!m.default, size: m.file_size });
  }
  return out;
}

async function useModel(choice) {
  stopListening();
  $('model-status').textContent = `Loading ${choice.id}…`;
  await state.sid?.dispose();
  state.sid = null;
  await prefetch(choice.url, choice.size);
  // Threads: the library's default (every core up to 4 when cross-origin isolated, else 1).
  state.sid = await SpeakerId.create({ model: choice.isDefault ? undefined : choice.url,
    store: { indexeddb: { name: STORE_NAME } } });
  const { threads } = state.sid;
  state.modelId = choice.id;
  $('model-status').textContent = `${state.sid.model.id} ready (${state.sid.model.dim}-dimensional embeddings)`;
  $('isolation').textContent = globalThis.crossOriginIsolated
    ? `Cross-origin isolated: ONNX Runtime uses ${threads} thread${threads === 1 ? '' : 's'}.`
    : 'Not cross-origin isolated: one thread.';
  await refresh();
}

// ---- microphone ----------------------------------------------------------------------------------------------

// One capture graph for recording and listening: mic -> AudioWorklet -> blocks of PCM to `state.capture.sinks`.
async function capture() {
  if (state.capture) return state.capture;
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
  const ctx = new AudioContext();
  await ctx.resume();  // created after an await, so not always inside the click's user activation
  await ctx.audioWorklet.addModule('/capture-worklet.js');
  const node = new AudioWorkletNode(ctx, 'capture');
  ctx.createMediaStreamSource(stream).connect(node);
  node.connect(ctx.destination);  // pulled by the graph only when it leads somewhere; it outputs silence
  const sinks = new Set();
  node.port.onmessage = ({ data }) => {
    $('level').value = Math.min(1, data.peak);
    for (const sink of sinks) sink(data.samples, data.peak);
  };
  state.capture = { stream, ctx, node, sinks, sampleRate: ctx.sampleRate };
  return state.capture;
}

function releaseCapture() {
  const c = state.capture;
  if (!c || c.sinks.size) return;
  for (const t of c.stream.getTracks()) t.stop();
  c.ctx.close();
  state.capture = null;
  $('level').value = 0;
}

// ---- enrollment ----------------------------------------------------------------------------------------------

function enrollName() {
  const name = $('name').value.trim();
  if (!name) {
    $('name').focus();
    throw new Error('Type the name of the person to enroll first.');
  }
  return name;
}

function showEnrollment(r) {
  const reports = Array.isArray(r.quality) ? r.quality : [r.quality];
  const issues = reports.flatMap((q) => q.issues.map((i) => i.message));
  $('enroll-progress').value = r.enrollmentPercent;
  $('enroll-percent').textContent = `${r.enrollmentPercent} %`;
  const speech = reports.reduce((a, q) => a + q.speechSec, 0).toFixed(1);
  $('enroll-feedback').className = issues.length ? 'warn' : 'ok';
  $('enroll-feedback').textContent = `Enrolled ${r.speaker}: ${speech} s of speech added, ${r.samples} recording(s) in all` +
    `${r.enrollmentPercent < 100 ? ' — add more speech for a reliable profile' : ''}.` +
    (issues.length ? ` Note: ${issues.join('; ')}.` : '');
}

async function toggleRecord() {
  const button = $('record');
  if (state.recording) {
    const rec = state.recording;
    state.recording = null;
    state.capture.sinks.delete(rec.sink);
    clearInterval(rec.timer);
    button.textContent = 'Record from the microphone';
    button.setAttribute('aria-pressed', 'false');
    releaseCapture();
    const samples = new Float32Array(rec.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of rec.chunks) { samples.set(c, at); at += c.length; }
    $('enroll-feedback').textContent = 'Checking the recording…';
    try {
      showEnrollment(await state.sid.enroll(rec.name, { samples, sampleRate: rec.sampleRate }));
    } catch (err) {
      $('enroll-feedback').className = 'bad';
      $('enroll-feedback').textContent = err.message;
    }
    await refresh();
    return;
  }
  const name = enrollName();
  const c = await capture();
  const rec = { name, chunks: [], sampleRate: c.sampleRate, started: performance.now(), quiet: 0, clipped: 0 };
  rec.sink = (samples, peak) => {
    rec.chunks.push(samples.slice());
    if (peak < 0.02) rec.quiet += 1; else rec.quiet = 0;
    if (peak >= 0.99) rec.clipped += 1;
  };
  rec.timer = setInterval(() => {
    const sec = (performance.now() - rec.started) / 1000;
    $('record-time').textContent = `${sec.toFixed(1)} s`;
    const fb = $('enroll-feedback');
    if (rec.clipped > 2) { fb.className = 'warn'; fb.textContent = 'Too loud: the input is clipping — move back a little or lower the gain.'; }
    else if (rec.quiet > 20) { fb.className = 'warn'; fb.textContent = 'Very quiet — speak closer to the microphone.'; }
    else { fb.className = ''; fb.textContent = `Recording ${name}… read a few sentences aloud (15 s of speech is plenty).`; }
  }, 250);
  c.sinks.add(rec.sink);
  state.recording = rec;
  button.textContent = 'Stop and enroll';
  button.setAttribute('aria-pressed', 'true');
}

async function enrollFiles(files) {
  const name = enrollName();
  if (!files.length) return;
  $('enroll-feedback').textContent = `Checking ${files.length} file(s)…`;
  const audio = await Promise.all([...files].map(async (f) => new Uint8Array(await f.arrayBuffer())));
  try {
    showEnrollment(await state.sid.enroll(name, audio));
  } catch (err) {
    $('enroll-feedback').className = 'bad';
    $('enroll-feedback').textContent = err.message;
  }
  await refresh();
}

// ---- live identification ---------------------------------------------------------------------------------------

function stopListening() {
  const l = state.listening;
  if (!l) return;
  state.listening = null;
  state.capture?.sinks.delete(l.sink);
  l.stream.end().catch(() => {});
  $('listen').textContent = 'Start listening';
  $('listen').setAttribute('aria-pressed', 'false');
  $('now').textContent = 'Not listening';
  releaseCapture();
}

function onEvent(l, e) {
  const at = l.offset;
  const seg = { start: at + e.start, end: at + e.end, speaker: e.speaker, score: e.score };
  const i = state.segments.findIndex((s) => s.start === seg.start && s.live);
  if (i >= 0) state.segments.splice(i, 1);
  state.segments.push({ ...seg, live: !e.final });
  const now = e.final ? null : e;
  $('now').textContent = now ? (now.speaker ? `${now.speaker} is speaking` : 'Someone not enrolled is speaking') : 'Listening…';
  showScores(e.candidates, e.final ? null : e.speaker);
  drawTimeline();
}

async function toggleListen() {
  if (state.listening) return stopListening();
  if ((await state.sid.speakers()).length === 0) throw new Error('Enroll at least one speaker first.');
  const c = await capture();
  const stream = state.sid.stream({ sampleRate: c.sampleRate });
  // Segments are placed on one timeline across listening sessions: seconds since the first one started.
  const l = { stream, offset: performance.now() / 1000 - (state.timelineZero ??= performance.now() / 1000) };
  l.sink = (samples) => {
    stream.push(samples).then((events) => { for (const e of events) onEvent(l, e); }, (err) => toast(err.message));
  };
  c.sinks.add(l.sink);
  state.listening = l;
  $('listen').textContent = 'Stop listening';
  $('listen').setAttribute('aria-pressed', 'true');
  $('now').textContent = 'Listening…';
}

function showScores(candidates = [], best = null) {
  const ul = $('scores');
  ul.replaceChildren(...candidates.map((c) => {
    const li = document.createElement('li');
    if (c.name === best) li.className = 'best';
    const name = Object.assign(document.createElement('span'), { className: 'name', textContent: c.name });
    const bar = Object.assign(document.createElement('span'), { className: 'bar' });
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', `score of ${c.name}`);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '1');
    bar.setAttribute('aria-valuenow', Math.max(0, c.score).toFixed(2));
    const fill = Object.assign(document.createElement('span'), { className: 'fill' });
    fill.style.width = `${Math.max(0, Math.min(1, c.score)) * 100}%`;
    fill.style.display = 'block';
    bar.append(fill);
    const value = Object.assign(document.createElement('span'), { textContent: c.score.toFixed(2) });
    li.append(name, bar, value);
    return li;
  }));
}

function drawTimeline() {
  const canvas = $('timeline');
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 800;
  canvas.width = w * ratio;
  canvas.height = 72 * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, w, 72);
  const end = Math.max(TIMELINE_SEC, ...state.segments.map((s) => s.end));
  const start = end - TIMELINE_SEC;
  state.segments = state.segments.filter((s) => s.end > start - 5);
  const x = (t) => ((t - start) / TIMELINE_SEC) * w;
  g.font = '12px system-ui, sans-serif';
  for (const s of state.segments) {
    g.fillStyle = colourOf(s.speaker);
    g.globalAlpha = s.live ? 0.6 : 1;
    g.fillRect(x(s.start), 8, Math.max(2, x(s.end) - x(s.start)), 36);
    g.globalAlpha = 1;
    if (x(s.end) - x(s.start) > 50) {
      g.fillStyle = '#fff';
      g.fillText(s.speaker ?? 'unknown', x(s.start) + 4, 30, x(s.end) - x(s.start) - 8);
    }
  }
  g.fillStyle = '#4a4a4a';
  for (let t = Math.ceil(start / 10) * 10; t <= end; t += 10) {
    const label = `${Math.round(t - end)} s`;
    const wide = g.measureText(label).width;
    g.fillText(label, Math.min(w - wide - 2, Math.max(2, x(t) - wide / 2)), 62);
  }
  const last = state.segments.filter((s) => !s.live).slice(-5);
  $('timeline-text').textContent = last.length
    ? `Recent speakers: ${last.map((s) => `${s.speaker ?? 'unknown'} for ${(s.end - s.start).toFixed(1)} s`).join(', ')}.` : '';
}

// ---- speakers, profiles, similarity --------------------------------------------------------------------------

async function refresh() {
  const speakers = await state.sid.speakers();
  const tbody = $('speakers').querySelector('tbody');
  tbody.replaceChildren(...speakers.map((s) => {
    const tr = document.createElement('tr');
    const cell = (text) => Object.assign(document.createElement('td'), { textContent: text });
    const actions = document.createElement('td');
    actions.className = 'actions';
    const rename = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary', textContent: 'Rename' });
    rename.setAttribute('aria-label', `Rename ${s.name}`);
    rename.onclick = action(async () => {
      const to = prompt(`New name for ${s.name}`, s.name);
      if (to === null || to.trim() === s.name) return;
      await state.sid.rename(s.name, to.trim());
      await refresh();
    });
    const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'danger', textContent: 'Delete' });
    remove.setAttribute('aria-label', `Delete ${s.name}`);
    remove.onclick = action(async () => {
      if (!confirm(`Delete ${s.name} and their ${s.samples} recording(s)?`)) return;
      await state.sid.remove(s.name);
      await refresh();
    });
    actions.append(rename, remove);
    const dot = Object.assign(document.createElement('span'), { textContent: '● ', ariaHidden: 'true' });
    dot.style.color = colourOf(s.name);
    const name = cell('');
    name.append(dot, s.name);
    tr.append(name, cell(String(s.samples)), cell(`${s.speechSec.toFixed(1)} s (${s.enrollmentPercent} %)`), actions);
    return tr;
  }));
  if (!speakers.length) {
    const td = Object.assign(document.createElement('td'), { colSpan: 4, textContent: 'Nobody is enrolled yet.' });
    tbody.replaceChildren(Object.assign(document.createElement('tr'), {}));
    tbody.firstChild.append(td);
  }
  const mine = speakers.find((s) => s.name === $('name').value.trim());
  $('enroll-progress').value = mine?.enrollmentPercent ?? 0;
  $('enroll-percent').textContent = `${mine?.enrollmentPercent ?? 0} %`;
  await drawHeatmap();
}

const cosine = (a, b) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
};

async function drawHeatmap() {
  const profiles = await state.sid.profiles();
  const items = profiles.flatMap((sp) => sp.samples.map((s) => ({ name: sp.name, e: s.embedding })));
  const canvas = $('heatmap');
  const size = 360;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = size * ratio;
  canvas.height = size * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, size, size);
  if (items.length < 2) {
    g.fillStyle = '#4a4a4a';
    g.font = '14px system-ui, sans-serif';
    g.fillText('Enroll two or more recordings to compare them.', 16, size / 2);
    $('heatmap-text').textContent = '';
    return;
  }
  const pad = 4;
  const cell = (size - 2 * pad) / items.length;
  let same = 0, sameN = 0, diff = 0, diffN = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = 0; j < items.length; j++) {
      const c = cosine(items[i].e, items[j].e);
      if (i !== j) {
        if (items[i].name === items[j].name) { same += c; sameN++; } else { diff += c; diffN++; }
      }
      const v = Math.max(0, Math.min(1, (c + 0.2) / 1.2));  // cosine -0.2..1 -> light..dark
      g.fillStyle = `hsl(212, 75%, ${Math.round(96 - 66 * v)}%)`;
      g.fillRect(pad + j * cell, pad + i * cell, Math.ceil(cell), Math.ceil(cell));
    }
  }
  // Speaker blocks outlined.
  g.strokeStyle = '#1b1b1b';
  g.lineWidth = 1.5;
  let from = 0;
  for (let i = 1; i <= items.length; i++) {
    if (i === items.length || items[i].name !== items[from].name) {
      g.strokeRect(pad + from * cell, pad + from * cell, (i - from) * cell, (i - from) * cell);
      from = i;
    }
  }
  const speakers = new Set(items.map((x) => x.name)).size;
  $('heatmap-text').textContent = `${items.length} recordings of ${speakers} speaker(s), in enrollment order; darker is more ` +
    `similar, each speaker's block is outlined. Mean similarity: same speaker ${sameN ? (same / sameN).toFixed(2) : '–'}, ` +
    `different speakers ${diffN ? (diff / diffN).toFixed(2) : '–'}.`;
}

async function exportProfiles() {
  const blob = new Blob([await state.sid.exportProfiles()], { type: 'application/octet-stream' });
  const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: `speaker-id-${state.modelId}.sidp` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function importProfiles(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    await state.sid.importProfiles(bytes, { mode: 'merge' });
  } catch (err) {
    if (!(err instanceof SpeakerExistsError) || !confirm(`${err.message}. Replace all enrolled speakers with the file's?`)) throw err;
    await state.sid.importProfiles(bytes, { mode: 'replace' });
  }
  toast('Profiles imported.');
  await refresh();
}

// ---- wiring ----------------------------------------------------------------------------------------------------

async function start() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  const choices = await modelChoices();
  const select = $('model');
  select.replaceChildren(...choices.map((c) => {
    const o = Object.assign(document.createElement('option'), { value: c.id, textContent: c.present ? c.label : `${c.label} — not downloaded` });
    o.disabled = !c.present;
    return o;
  }));
  const first = choices.find((c) => c.isDefault) ?? choices.find((c) => c.present);
  select.value = first.id;
  select.onchange = action(() => useModel(choices.find((c) => c.id === select.value)));
  await useModel(first);
}

$('record').onclick = action(toggleRecord);
$('listen').onclick = action(toggleListen);
$('drop').onclick = () => $('files').click();
$('drop').onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('files').click(); } };
$('files').onchange = action(async () => { await enrollFiles($('files').files); $('files').value = ''; });
$('drop').ondragover = (e) => { e.preventDefault(); $('drop').classList.add('over'); };
$('drop').ondragleave = () => $('drop').classList.remove('over');
$('drop').ondrop = (e) => { e.preventDefault(); $('drop').classList.remove('over'); action(enrollFiles)(e.dataTransfer.files); };
$('name').oninput = action(refresh);
$('export').onclick = action(exportProfiles);
$('import').onclick = () => $('import-file').click();
$('import-file').onchange = action(async () => { await importProfiles($('import-file').files[0]); $('import-file').value = ''; });
$('reset').onclick = action(async () => {
  if (!confirm('Remove every enrolled speaker of this model?')) return;
  await state.sid.reset();
  await refresh();
});
window.addEventListener('resize', () => drawTimeline());

ready = start().catch((err) => {
  $('model-status').textContent = `Could not start: ${err.message}`;
  throw err;
});
ready.catch(() => {});
// For tests and the curious: the page's SpeakerId and state.
window.demo = { ready: ready.then(() => true), state };
