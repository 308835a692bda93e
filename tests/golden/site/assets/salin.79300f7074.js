// "Salin teks" on a class's week page: copies the WhatsApp text in one tap. Without
// JavaScript the button stays hidden and the text can still be selected and copied.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var text = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[role=status]");
    if (!text) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { if (status) status.textContent = button.getAttribute("data-done"); };
      text.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text.value).then(done, function () {
          if (document.execCommand("copy")) done();
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
})();
