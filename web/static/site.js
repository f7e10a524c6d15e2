// Acércate portal: the little a browser adds. Every page works without it.
(function () {
  'use strict';
  // Quick exit: go to the neutral site through /salir (which forgets the
  // session) and replace this page in the history, so Back does not
  // bring it back.
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a.exit') : null;
    if (!a) { return; }
    e.preventDefault();
    window.location.replace(a.href);
  });
  // Shelters: share the location on a tap. The position goes in a POST
  // form, never in an address, and the server keeps it nowhere.
  var btn = document.getElementById('locate');
  if (!btn || !navigator.geolocation) { return; }
  var form = btn.form, status = document.getElementById('locate-status');
  btn.hidden = false;
  btn.addEventListener('click', function () {
    status.textContent = btn.getAttribute('data-wait');
    btn.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(5);
      form.elements.lon.value = pos.coords.longitude.toFixed(5);
      form.submit();
    }, function () {
      btn.disabled = false;
      status.textContent = btn.getAttribute('data-failed');
    }, { timeout: 20000, maximumAge: 60000 });
  });
}());
