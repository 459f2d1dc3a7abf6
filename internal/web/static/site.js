// Dateline's script for every page (the story editor has editor.js of its
// own). Every page works without it; it only makes the story's share tools
// nicer: copying the link (a gift link just made is
// copied at once where the browser allows), and the system share sheet.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function say(status, text) {
    // Clear first, so saying the same words twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // A live count of what is left of a comment's 5,000 characters.
  document.querySelectorAll("textarea.comment-body").forEach(function (area) {
    var hint = area.id && document.getElementById(area.id + "-count");
    if (!hint) { return; }
    var max = parseInt(area.getAttribute("maxlength"), 10) || 5000;
    function update() {
      var left = max - area.value.length;
      hint.textContent = left + " of " + max + " characters left";
    }
    area.addEventListener("input", update);
    update();
  });

  document.querySelectorAll(".share").forEach(function (share) {
    var url = share.getAttribute("data-url");
    var title = share.getAttribute("data-title") || document.title;
    var copy = share.querySelector(".copy-link");
    var web = share.querySelector(".web-share");
    var field = share.querySelector(".link-field");
    var input = share.querySelector(".story-link");
    var status = share.querySelector(".copy-status");

    input.addEventListener("focus", function () { input.select(); });

    function showField(message) {
      field.classList.add("shown");
      input.focus();
      input.select();
      say(status, message);
    }

    copy.hidden = false;
    copy.addEventListener("click", function () {
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        showField("Your browser would not copy. Select the link below and copy it.");
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        say(status, "Link copied");
      }, function () {
        showField("Your browser would not copy. Select the link below and copy it.");
      });
    });
    if (share.hasAttribute("data-copy")) { copy.click(); }

    if (web && navigator.share) {
      web.hidden = false;
      web.addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {});
      });
    }
  });
})();
