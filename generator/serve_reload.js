// mading serve only (never in a built site): reload the page when a rebuild changed it,
// and show the build's problems on the page, so a teacher sees "content/sari/x.md:4: ..."
// without looking at a terminal.
(function () {
  "use strict";
  var seen = null;
  var banner = null;
  // The stamp of this page as it was served ("" for the 404 page): the server says the
  // stamp of the page now at this address, so a build that left it as it is (the full
  // build after a saved post was shown first) does not reload it again.
  var stamp = document.currentScript.getAttribute("data-page");

  function show(messages) {
    if (!messages.length) {
      if (banner) { banner.remove(); banner = null; }
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("role", "alert");
      banner.id = "mading-problems";
      var s = banner.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.zIndex = "1000";
      s.maxHeight = "50vh"; s.overflow = "auto"; s.padding = ".75rem 1rem";
      s.background = "#7a1f00"; s.color = "#fff"; s.font = "14px/1.4 monospace";
      document.body.appendChild(banner);
    }
    banner.textContent = "";
    messages.forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      banner.appendChild(line);
    });
  }

  // The server holds the question open until a build other than `seen` is done, so the
  // page reloads as soon as it is (and asks again at once after each answer).
  function poll() {
    var wait = 0;
    var address = "/__mading/status?page=" + encodeURIComponent(location.pathname) +
      (seen === null ? "" : "&since=" + seen);
    fetch(address, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        // While a post has a mistake it is left out of the build, and this very page may
        // be gone: keep the page and show the problems; reload once they are fixed.
        var gone = status.page === "";
        if (status.page !== stamp && !(gone && status.problems.length)) {
          location.reload();
          return;
        }
        seen = status.version;
        show(status.problems);
      })
      .catch(function () { wait = 500; /* the server is restarting: try again */ })
      .then(function () { setTimeout(poll, wait); });
  }
  poll();
})();
