// Copy buttons for the snippet board. The board works without JavaScript: every post is selectable text.
"use strict";
document.querySelectorAll("button.copy").forEach(function (button) {
  var source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) { return; }
  button.hidden = false;
  var label = button.textContent;
  button.addEventListener("click", function () {
    // a WeChat article goes to the clipboard as rich text too, so the account's editor keeps its paragraphs
    var copied = button.dataset.html && window.ClipboardItem
      ? navigator.clipboard.write([new ClipboardItem({
        "text/html": new Blob([source.innerHTML], {type: "text/html"}),
        "text/plain": new Blob([source.textContent], {type: "text/plain"})})])
      : navigator.clipboard.writeText(source.textContent);
    copied.then(function () {
      button.textContent = button.dataset.done;
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
});
