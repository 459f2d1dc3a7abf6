// The story editor's script. The editor works without it, through its
// buttons; with it, the preview follows the typing, the words are counted,
// drafts are saved as they are written (with the same version check as the
// Save button, so nobody's text is overwritten unseen), Ctrl+S or Cmd+S
// saves, and images go into the body where the cursor is.
(function () {
  "use strict";
  var form = document.querySelector("form.story-editor");
  var body = document.getElementById("f-body");
  if (!form || !body || !window.fetch) { return; }
  var status = document.getElementById("save-status");
  var preview = document.getElementById("live-preview");
  var version = form.querySelector('input[name="version"]');
  var autosaveURL = form.getAttribute("data-autosave");
  var conflict = document.getElementById("autosave-conflict");

  function say(text) { status.textContent = text; }

  // Words and reading time, counted as the story page counts them.
  var wordCount = document.getElementById("word-count");
  var readingTime = document.getElementById("reading-time");
  function count() {
    var words = body.value.split(/\s+/).filter(function (w) { return /[0-9A-Za-z\u0080-\uFFFF]/.test(w); }).length;
    wordCount.textContent = words + (words === 1 ? " word" : " words");
    readingTime.textContent = Math.ceil(words / 230) + " min read";
  }

  // The preview: rendered by the server, as the story page will be.
  var previewTimer = 0;
  function refreshPreview() {
    var data = new URLSearchParams();
    data.set("body", body.value);
    preview.setAttribute("aria-busy", "true");
    fetch("/admin/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { preview.innerHTML = html; }, function () {})
      .then(function () { preview.setAttribute("aria-busy", "false"); });
  }

  // Autosave: a few seconds after the last change, and at once on
  // Ctrl+S. One save at a time; a conflict stops saving until the writer
  // chooses.
  var saveTimer = 0, saving = null, dirty = false, stopped = false, pendingSubmit = null;
  function scheduleSave() {
    dirty = true;
    if (!autosaveURL || stopped) { return; }
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(saveNow, 3000);
  }
  var headline = document.getElementById("f-headline");
  function saveNow() {
    window.clearTimeout(saveTimer);
    if (!autosaveURL || stopped) { return Promise.resolve(); }
    if (saving) { return saving.then(saveNow); }
    // A new story becomes a draft once it has a headline.
    if (/\/admin\/stories\/autosave$/.test(autosaveURL) && !headline.value.trim()) {
      return Promise.resolve();
    }
    dirty = false;
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "save");
    say("Saving…");
    saving = fetch(autosaveURL, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        return r.json().then(function (j) { return { status: r.status, json: j }; },
          function () { return { status: r.status, json: {} }; });
      })
      .then(function (res) {
        var j = res.json;
        if (res.status === 200) {
          version.value = j.version;
          if (j.autosave_url && j.autosave_url !== autosaveURL) {
            // A new story has just become a draft: from now on it is
            // saved, and found, by its own address.
            autosaveURL = j.autosave_url;
            form.setAttribute("data-autosave", autosaveURL);
            form.action = j.edit_url;
            if (window.history && history.replaceState) { history.replaceState(null, "", j.edit_url); }
          }
          say("Saved at " + j.saved_at + ".");
        } else if (res.status === 409 && j.theirs) {
          stopped = true;
          showConflict(j);
        } else {
          dirty = true;
          var e = j.error || {};
          var label = e.field && document.querySelector('label[for="f-' + e.field + '"]');
          say("Not saved: " + (label ? label.textContent + ": " : "") +
            (e.message || "the server did not answer (" + res.status + ").") + " Your text is still here.");
          if (e.code === "not_draft" || e.code === "forbidden") { stopped = true; }
        }
      }, function () {
        dirty = true;
        say("Not saved: the connection failed. Your text is still here; saving again in a few seconds.");
        saveTimer = window.setTimeout(saveNow, 5000);
      })
      .then(function () { saving = null; });
    return saving;
  }

  function showConflict(j) {
    var t = j.theirs;
    say(j.error.message);
    document.getElementById("conflict-heading").textContent = "Their version (version " + t.version + ")" +
      (t.saved_by ? ", saved by " + t.saved_by : "") + (t.saved_at ? " at " + t.saved_at : "");
    document.getElementById("their-headline").textContent = t.headline;
    document.getElementById("their-body").value = t.body;
    conflict.hidden = false;
    var actions = conflict.querySelector(".conflict-actions");
    actions.hidden = false;
    var keep = document.getElementById("keep-mine");
    keep.onclick = function () {
      // The writer has seen theirs: save this text over that version.
      // Should anyone save again meanwhile, the check refuses this too.
      version.value = t.version;
      stopped = false;
      conflict.hidden = true;
      actions.hidden = true;
      saveNow();
    };
  }

  body.addEventListener("input", function () {
    count();
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, 400);
  });
  form.addEventListener("input", scheduleSave);
  form.addEventListener("change", scheduleSave);

  // A button pressed while an autosave is on its way waits for it, so
  // that it carries the version that save made.
  form.addEventListener("submit", function (ev) {
    window.clearTimeout(saveTimer);
    if (!saving) {
      dirty = false; // the form carries the text: leaving is not losing it
      return;
    }
    ev.preventDefault();
    pendingSubmit = ev.submitter || null;
    saving.then(function () {
      var b = pendingSubmit;
      pendingSubmit = null;
      if (form.requestSubmit) { form.requestSubmit(b); } else if (b) { b.click(); } else { form.submit(); }
    });
  });

  document.addEventListener("keydown", function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === "s" || ev.key === "S")) {
      ev.preventDefault();
      if (autosaveURL && !stopped) {
        saveNow();
        return;
      }
      var save = form.querySelector('button[value="save"]');
      if (form.requestSubmit) { form.requestSubmit(save); } else { save.click(); }
    }
  });

  window.addEventListener("beforeunload", function (ev) {
    if ((dirty || saving) && autosaveURL) { ev.preventDefault(); }
  });

  // Images: put the Markdown where the cursor is.
  function insert(md) {
    var start = body.selectionStart, end = body.selectionEnd, v = body.value;
    var before = v.slice(0, start), after = v.slice(end);
    var text = (before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "") + md + "\n\n";
    body.value = before + text + after;
    body.focus();
    body.selectionStart = body.selectionEnd = before.length + text.length;
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function wireInsert(button) {
    button.hidden = false;
    button.addEventListener("click", function () { insert(button.getAttribute("data-markdown")); });
  }
  document.querySelectorAll("button.insert-image").forEach(wireInsert);

  // Uploading from the editor: the image joins the library and goes into
  // the body, without leaving the page.
  var upload = document.querySelector("form.editor-upload");
  if (upload) {
    var uploadError = document.getElementById("upload-error");
    upload.addEventListener("submit", function (ev) {
      ev.preventDefault();
      uploadError.hidden = true;
      var button = upload.querySelector('button[type="submit"]');
      button.disabled = true;
      fetch(upload.action, { method: "POST", body: new FormData(upload), credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); })
        .then(function (res) {
          if (res.status === 201) {
            insert(res.json.markdown);
            upload.reset();
            say("The image is in the library and in the body.");
          } else {
            var e = res.json.error || {};
            uploadError.textContent = e.message || "The upload failed.";
            uploadError.hidden = false;
          }
        }, function () {
          uploadError.textContent = "The upload failed: the connection broke. Try again.";
          uploadError.hidden = false;
        })
        .then(function () { button.disabled = false; });
    });
  }

  count();
})();
