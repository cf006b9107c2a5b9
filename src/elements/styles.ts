// The upload screen's own styles, inside its shadow root: nothing of the host page's CSS reaches in, nothing here leaks out.
export const SCREEN_CSS = `
:host {
  display: block;
  color-scheme: light dark;
  color: var(--ink);
  line-height: 1.45;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  /* Every text colour here is at least 4.5:1 on the backgrounds it sits on (WCAG AA), tints included. */
  --accent: #1f5fcf;
  --on-accent: #ffffff;
  --ink: #14213d;
  --muted: #5b6b82;
  --line: #dde3ec;
  --card: #ffffff;
  --page: #f4f6fa;
  --ok: #15703c;
  --warn: #845400;
  --bad: #b42323;
  --top: #0f1b2d;
  --top-line: transparent;
  --banner: #fff4d6;
  --banner-ink: #5c3f00;
  --banner-line: #e8c46a;
}
@media (prefers-color-scheme: dark) {
  :host {
    --accent: #7fb0ff;
    --on-accent: #0f1b2d;
    --ink: #e7ecf5;
    --muted: #9aa8bd;
    --line: #2a3850;
    --card: #15233a;
    --page: #0b1424;
    --ok: #5fd08f;
    --warn: #f0b550;
    --bad: #ff8a8a;
    --top: #1b2b45;
    --top-line: #2f4466;
    --banner: #3a2c00;
    --banner-ink: #ffd98a;
    --banner-line: #6b5200;
  }
}
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { transition: none !important; animation: none !important; }
}
* { box-sizing: border-box; }
/* \`hidden\` wins over any display a class sets (a grid row, a flex badge). */
[hidden] { display: none !important; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 0.6rem; }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem 1rem; flex-wrap: wrap; }
.banner {
  margin: 0 0 1rem;
  padding: 0.75rem 1rem;
  border-radius: 10px;
  background: var(--banner);
  color: var(--banner-ink);
  border: 1px solid var(--banner-line);
  font-weight: 500;
}
.drop-zone {
  display: grid;
  gap: 0.35rem;
  place-items: center;
  text-align: center;
  padding: 2rem 1rem;
  border: 2px dashed var(--line);
  border-radius: 14px;
  background: var(--card);
  cursor: pointer;
  transition: border-color 0.15s, background 0.15s;
}
.drop-zone:hover, .drop-zone:focus-within, :host(.dragging) .drop-zone {
  border-color: var(--accent);
  background: color-mix(in srgb, var(--accent) 6%, var(--card));
}
.drop-zone strong { font-size: 1.15rem; }
.drop-zone span { color: var(--muted); max-width: 30rem; }
.drop-zone .pick { color: var(--accent); font-weight: 600; text-decoration: underline; }
.drop-zone input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.notices { list-style: none; padding: 0; margin: 0.75rem 0 0; display: grid; gap: 0.5rem; }
.notices li {
  display: flex; justify-content: space-between; align-items: center; gap: 1rem;
  padding: 0.65rem 0.9rem; border-radius: 10px;
  background: color-mix(in srgb, var(--bad) 10%, var(--card)); border: 1px solid color-mix(in srgb, var(--bad) 35%, transparent);
}
/* What this browser can do is news, not a fault. */
.notices li.info {
  background: color-mix(in srgb, var(--accent) 8%, var(--card)); border-color: color-mix(in srgb, var(--accent) 35%, transparent);
}
/* A flex column, not a one-column grid: the same look, and each layout of a list of 300 rows while a
   batch runs took 2.3 ms instead of 3.4 (docs/performance.md, batch). Items stretch to the list's width. */
.queue, .completed { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: 0.6rem; }
.upload {
  /* minmax(0, …): a long name must never widen the card past the screen; it ends in an ellipsis. */
  grid-template-columns: minmax(0, 1fr);
  padding: 0.8rem 0.9rem;
  border-radius: 12px;
  background: var(--card);
  border: 1px solid var(--line);
  display: grid;
  gap: 0.35rem;
  /* Rows off screen are not laid out or painted: a batch of 300 photos updating kept the page's
     main thread busy the whole upload (bench: batch row). */
  content-visibility: auto;
  contain-intrinsic-size: auto 88px;
}
.upload.folded { display: none; }
.queue .more { display: flex; align-items: center; justify-content: space-between; gap: 0.75rem; color: var(--muted); font-size: 0.9rem; padding: 0.2rem 0.9rem; }
.queue .more[hidden] { display: none; }
/* A finished row is a line: its bar and buttons have nothing left to say. */
.upload[data-state="done"] .bar { display: none; }
.upload-head { display: flex; justify-content: space-between; gap: 0.75rem; align-items: center; }
.name { font-weight: 600; display: flex; min-width: 0; white-space: nowrap; }
.name .stem { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.name .ext { flex: none; }
.state {
  flex: none; font-size: 0.8rem; font-weight: 600; padding: 0.1rem 0.5rem; border-radius: 999px;
  background: color-mix(in srgb, var(--accent) 14%, transparent); color: var(--accent);
}
[data-state='done'] .state { background: color-mix(in srgb, var(--ok) 15%, transparent); color: var(--ok); }
[data-state='failed'] .state { background: color-mix(in srgb, var(--bad) 15%, transparent); color: var(--bad); }
[data-state='waiting-for-network'] .state, [data-state='needs-credentials'] .state, [data-state='paused'] .state { background: color-mix(in srgb, var(--warn) 18%, transparent); color: var(--warn); }
.bar {
  width: 100%; height: 0.6rem; border: none; border-radius: 999px; overflow: hidden;
  background: var(--line); appearance: none;
}
.bar::-webkit-progress-bar { background: var(--line); border-radius: 999px; }
/* No transition: the bars step with each draw (at most ten a second). A 0.3 s glide kept the page
   drawing 60 frames a second for as long as a batch ran, a third of its main thread (docs/performance.md, batch). */
.bar::-webkit-progress-value { background: var(--accent); border-radius: 999px; }
.bar::-moz-progress-bar { background: var(--accent); }
[data-state='done'] .bar::-webkit-progress-value { background: var(--ok); }
[data-state='failed'] .bar::-webkit-progress-value { background: var(--bad); }
.detail { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 0.9rem; }
.message:empty { display: none; }
.message { font-size: 0.9rem; }
[data-state='failed'] .message { color: var(--bad); }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
.actions:empty { display: none; }
button {
  font: inherit; font-size: 0.9rem; font-weight: 600;
  padding: 0.4rem 0.9rem; border-radius: 8px; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: var(--on-accent);
  min-height: 2.25rem;
}
button.quiet { background: transparent; color: var(--accent); border-color: var(--line); }
button:focus-visible, a:focus-visible, select:focus-visible, summary:focus-visible, .drop-zone:focus-within { outline: 3px solid var(--accent); outline-offset: 2px; }
/* One line a file (it wraps on a phone): 43 tall cards made the page 5,677 px tall. */
.completed { gap: 0.35rem; }
.file {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.2rem 0.75rem;
  padding: 0.35rem 0.7rem; border-radius: 10px; background: var(--card); border: 1px solid var(--line);
}
.file-head { display: flex; align-items: center; gap: 0.6rem; min-width: 0; flex: 1 1 14rem; }
.file-tail { display: flex; align-items: center; justify-content: flex-end; gap: 0.75rem; margin-left: auto; }
.file .kind { width: 2rem; height: 2rem; font-size: 0.6rem; }
.file a { color: var(--accent); font-weight: 600; min-width: 0; display: flex; white-space: nowrap; }
.file a .stem { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.file a .ext { flex: none; }
.completed .more { display: flex; justify-content: center; }
.badge {
  flex: none; font-size: 0.75rem; font-weight: 700; padding: 0.05rem 0.45rem; border-radius: 999px;
  color: var(--ok); background: color-mix(in srgb, var(--ok) 15%, transparent);
}
.note { color: var(--warn); font-size: 0.9rem; margin: 0.25rem 0 0.5rem; }
.file-meta { color: var(--muted); font-size: 0.85rem; font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); margin: 0.25rem 0; }
.storage { color: var(--muted); font-size: 0.85rem; margin-top: 2rem; }
@media (max-width: 480px) {
  .drop-zone { padding: 1.5rem 0.75rem; }
}
.queue-tools { display: flex; align-items: center; gap: 0.75rem; }
.at-once { color: var(--muted); font-size: 0.9rem; display: flex; align-items: center; gap: 0.4rem; }
.at-once select {
  font: inherit; padding: 0.3rem 0.4rem; border-radius: 8px; border: 1px solid var(--line);
  background: var(--card); color: var(--ink);
}
/* The whole zone opens the picker; "Choose files" shows it can be clicked, not only dropped on. */
.drop-zone .choose-big {
  display: inline-block; font-weight: 600; color: var(--on-accent); background: var(--accent);
  padding: 0.45rem 1.1rem; border-radius: 10px; max-width: none; margin: 0.25rem 0;
}
/* Phones cannot drop files: they get one large button instead. */
.coarse-pointer { display: none; }
@media (pointer: coarse) {
  .fine-pointer { display: none; }
  .coarse-pointer { display: block; }
  .drop-zone .choose-big { display: block; font-size: 1.15rem; font-weight: 700; padding: 0.9rem 1.5rem; border-radius: 12px; }
}
.drop-zone .limit { font-size: 0.85rem; }
.batch {
  display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1rem;
  margin: 0 0 0.6rem; padding: 0.6rem 0.9rem; border-radius: 12px; background: var(--card); border: 1px solid var(--line);
}
.batch-summary { font-weight: 600; font-variant-numeric: tabular-nums; }
.batch-tools { display: flex; gap: 0.5rem; flex-wrap: wrap; }
#batch-bar { flex-basis: 100%; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.setting { display: flex; align-items: center; gap: 0.5rem; color: var(--muted); font-size: 0.9rem; }
.kind {
  flex: none; width: 2.4rem; height: 2.4rem; border-radius: 8px; display: grid; place-items: center;
  font-size: 0.62rem; font-weight: 800; letter-spacing: 0.02em; color: #fff; background: #52606d;
  background-size: cover; background-position: center; align-self: center;
}
.kind[data-kind='image'] { background-color: #8a3ffc; }
.kind[data-kind='video'] { background-color: #b8290f; }
.kind[data-kind='audio'] { background-color: #0f6e66; }
.kind[data-kind='document'] { background-color: #1f5fcf; }
.kind[data-kind='archive'] { background-color: #7a5200; }
.kind.thumbnail { background-color: var(--line); }
.upload-head .name { flex: 1; }
`;
