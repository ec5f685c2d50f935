// The new token's page: a button copies the secret. Without JavaScript,
// or without clipboard access, the secret stays selectable text.
(function () {
  'use strict';
  var button = document.getElementById('copy-token');
  if (!button || !navigator.clipboard) {
    return;
  }
  var field = document.getElementById(button.dataset.copy);
  var status = document.getElementById('copy-status');
  button.hidden = false;
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = 'Copied.';
    }, function () {
      field.select();
      status.textContent = 'The browser refused; the token is selected: press Ctrl+C (or ⌘C).';
    });
  });
})();
