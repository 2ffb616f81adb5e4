// Polls the export job's status (a small JSON object) and updates the progress bar; shows the
// download link when the file is ready. No inline script: the page's CSP allows 'self' only.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var download = document.getElementById("job-download");
  var link = document.getElementById("job-download-link");
  function update(status) {
    bar.value = status.percent;
    bar.textContent = status.percent + "%";
    state.textContent = status.label + (status.total ? " (" + status.done + " / " + status.total + ")" : "");
    if (status.download) {
      link.href = status.download;
      download.hidden = false;
    }
    return status.finished;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) { if (!update(status)) { window.setTimeout(poll, 2000); } })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
