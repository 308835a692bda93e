// A post's video: until a tap, a link to it on YouTube with its thumbnail (from the
// portal) and title; no request to YouTube is made. On a tap, the youtube-nocookie.com
// player takes the link's place (issue 27). Without this script the link opens the video.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-player]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = link.getAttribute("data-player");
    frame.title = link.getAttribute("data-title");
    frame.width = "560";
    frame.height = "315";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.setAttribute("allowfullscreen", "");
    frame.referrerPolicy = "strict-origin";
    link.parentNode.replaceChild(frame, link);
    frame.focus();
  });
})();
