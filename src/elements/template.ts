// The upload screen's markup, inside the element's shadow root. Words are filled in by data-i18n.
export const SCREEN_HTML = `
<div id="banner" class="banner" role="status" hidden></div>
<div id="said" class="visually-hidden" role="status"></div>
<label class="drop-zone" for="picker">
  <strong class="fine-pointer" data-i18n="drop.title">Drop files anywhere</strong>
  <span id="drop-hint" class="fine-pointer" data-i18n="drop.hint"></span>
  <span class="choose-big" data-i18n="drop.choose">Choose files</span>
  <span id="drop-touch-hint" class="coarse-pointer" data-i18n="drop.touchHint"></span>
  <span id="limit" class="limit" hidden></span>
  <span id="quota" class="limit" hidden></span>
  <input id="picker" type="file" multiple />
</label>
<div role="alert"><ul id="notices" class="notices"></ul></div>
<section aria-labelledby="queue-title">
  <div class="section-head">
    <h2 id="queue-title" tabindex="-1" data-i18n="uploads.title">Uploads</h2>
    <div class="queue-tools">
      <label class="at-once"><span data-i18n="uploads.parallel">Parallel uploads</span> <select id="concurrency"></select></label>
      <button id="clear-finished" type="button" class="quiet" data-i18n="uploads.clearFinished" hidden>Clear finished</button>
    </div>
  </div>
  <div id="batch" class="batch" hidden>
    <span id="batch-summary" class="batch-summary"></span>
    <span class="batch-tools">
      <button id="pause-all" type="button" class="quiet" data-i18n="batch.pauseAll">Pause all</button>
      <button id="resume-all" type="button" data-i18n="batch.resumeAll" hidden>Resume all</button>
      <button id="retry-all" type="button" class="quiet" data-i18n="batch.retryAll" hidden>Retry all</button>
      <button id="cancel-all" type="button" class="quiet" data-i18n="batch.cancelAll">Cancel all</button>
      <button id="undo-all" type="button" data-i18n="action.undo" hidden>Undo</button>
    </span>
    <progress id="batch-bar" class="bar" max="1" value="0" aria-labelledby="batch-summary"></progress>
  </div>
  <p id="queue-empty" class="empty" data-i18n="uploads.empty">Nothing on its way yet.</p>
  <ul id="queue" class="queue"></ul>
</section>
<section aria-labelledby="completed-title">
  <h2 id="completed-title" data-i18n="completed.title">On the server</h2>
  <p id="completed-note" class="note" role="status" hidden></p>
  <p id="completed-empty" class="empty" tabindex="-1" data-i18n="completed.empty">No finished files yet.</p>
  <ul id="completed" class="completed"></ul>
</section>
<p id="storage" class="storage"></p>
<label id="wake-lock-setting" class="setting" hidden><input id="wake-lock" type="checkbox" />
  <span data-i18n="wakeLock.label">Keep the screen on while uploading</span></label>
`;
