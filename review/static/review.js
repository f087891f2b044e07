// Keyboard shortcuts of the review page (the forms work without this script too).
// a accept · 1-9 pick a reject reason · r reject · f edit the fixed answer · j/k next/previous item.
// Inside a text field only Esc (leave the field) and Ctrl/Cmd+Enter (save the fix) are shortcuts.
"use strict";

(function () {
  function submit(formId) {
    var form = document.getElementById(formId);
    if (form) { form.requestSubmit(); }
  }

  function follow(linkId) {
    var link = document.getElementById(linkId);
    if (link) { window.location.assign(link.href); }
  }

  function typingIn(target) {
    return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement ||
      (target instanceof HTMLInputElement && target.type !== "radio" && target.type !== "checkbox");
  }

  document.addEventListener("keydown", function (event) {
    if (typingIn(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
        event.preventDefault();
        event.target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (key === "a") { submit("accept-form"); }
    else if (key === "r") { submit("reject-form"); }
    else if (key === "j") { follow("next"); }
    else if (key === "k") { follow("prev"); }
    else if (key === "f") {
      var answer = document.getElementById("fixed_answer");
      if (answer) { event.preventDefault(); answer.focus(); }
    } else if (/^[1-9]$/.test(key)) {
      var reason = document.querySelector('#reject-form input[data-key="' + key + '"]');
      if (reason) { reason.checked = true; reason.focus(); }
    } else { return; }
  });
})();
