// Keeps "in 3 days" next to each due date true between builds: the portal is rebuilt
// only every few hours. Without JavaScript the build-time text stays, and the absolute
// date beside it is always there.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "id";
  if (!window.Intl || !Intl.RelativeTimeFormat) return;
  var format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  var units = [["day", 86400000], ["hour", 3600000], ["minute", 60000]];
  var now = Date.now();
  document.querySelectorAll(".relative[data-due]").forEach(function (element) {
    var due = Date.parse(element.getAttribute("data-due"));
    if (isNaN(due)) return;
    var difference = due - now;
    for (var i = 0; i < units.length; i++) {
      var size = units[i][1];
      if (Math.abs(difference) >= size || i === units.length - 1) {
        var text = format.format(Math.round(difference / size), units[i][0]);
        element.textContent = element.textContent.charAt(0) === "(" ? "(" + text + ")" : text;
        // A deadline that went by since the build stays where the build put it, greyed.
        var item = element.closest("[data-upcoming] li");
        if (item && difference < 0) item.classList.add("lewat");
        return;
      }
    }
  });
})();
