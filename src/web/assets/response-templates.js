/* global HTMLSelectElement, Event */
// Issue 18: choosing a ready-made response fills its form's text at once (without JavaScript the
// "Use this template" button does it through the server). Delegated, so it keeps working after
// htmx swaps the case page.
document.addEventListener('change', function (event) {
  var select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.dataset.templateTarget) return;
  var option = select.selectedOptions[0];
  var field = document.getElementById(select.dataset.templateTarget);
  if (!option || !option.dataset.text || !field) return;
  field.value = option.dataset.text;
  field.dispatchEvent(new Event('input', { bubbles: true }));
});
