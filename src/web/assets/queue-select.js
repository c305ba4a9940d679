// Issue 18 point 5: "Select every case on this page" for a queue's bulk form. Without JavaScript
// each case is ticked on its own, and the form works the same. Runs again after htmx swaps the
// results in (filters), and keeps the box in step as cases are ticked one by one.
function citydeskQueueSelect() {
  var forms = document.querySelectorAll('form.bulk-form');
  Array.prototype.forEach.call(forms, function (form) {
    var list = form.querySelector('.bulk-cases');
    if (!list || form.querySelector('.bulk-select-all')) return;
    var boxes = function () {
      return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="cases"]'));
    };
    if (boxes().length < 2) return;
    var wrap = document.createElement('p');
    wrap.className = 'bulk-select-all choice';
    var all = document.createElement('input');
    all.type = 'checkbox';
    all.id = 'bulk-select-all';
    var label = document.createElement('label');
    label.htmlFor = 'bulk-select-all';
    label.textContent = 'Select every case on this page';
    wrap.appendChild(all);
    wrap.appendChild(label);
    list.parentNode.insertBefore(wrap, list);
    var sync = function () {
      var each = boxes();
      var ticked = each.filter(function (b) { return b.checked; }).length;
      all.checked = ticked === each.length;
      all.indeterminate = ticked > 0 && ticked < each.length;
    };
    all.addEventListener('change', function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
    });
    list.addEventListener('change', sync);
    sync();
  });
}
citydeskQueueSelect();
document.addEventListener('htmx:afterSettle', citydeskQueueSelect);
