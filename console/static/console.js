// Progressive enhancement only: the console works without JavaScript.
// Ask before destructive buttons (revoke, disable) submit.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
