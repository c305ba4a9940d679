// Issue 18: in the intake form, Enter in "Find an answer in the knowledge base" runs the search,
// as it does in any search box; Enter in the form's other one-line fields continues to the
// read-back (the form's default button). Without JavaScript the search has its own button.
(function () {
  var box = document.getElementById('f-answerSearch');
  if (!box) return;
  var button = box.parentNode && box.parentNode.querySelector('button[type="submit"]');
  if (!button) return;
  box.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    button.click();
  });
})();
