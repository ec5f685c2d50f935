// The new token's page: a button copies the secret. Without JavaScript,
// or without clipboard access, the secret stays selectable text. The
// button carries its messages in the page's language.
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
      status.textContent = button.dataset.copied;
    }, function () {
      field.select();
      status.textContent = button.dataset.refused;
    });
  });
})();
