// Acércate portal: the little a browser adds. Every page works without it.
(function () {
  'use strict';
  // Quick exit: go to the neutral site through /salir (which forgets the
  // session) and replace this page in the history, so Back does not
  // bring it back.
  var leaving = false;
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a.exit') : null;
    if (!a) { return; }
    e.preventDefault();
    leaving = true;
    window.location.replace(a.href);
  });

  // Share the location on a tap (shelters, and the chat when it asks).
  // The position goes in a POST form, never in an address, and the server
  // keeps it nowhere. The buttons are hidden until this script shows them.
  function submit(form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
  function showLocate(root) {
    if (!navigator.geolocation) { return; }
    Array.prototype.forEach.call(root.querySelectorAll('button.locate, #locate'), function (b) { b.hidden = false; });
  }
  showLocate(document);
  document.addEventListener('click', function (e) {
    var btn = e.target.closest ? e.target.closest('button.locate, #locate') : null;
    if (!btn || !navigator.geolocation) { return; }
    var form = btn.form, status = form.querySelector('[role=status]');
    status.textContent = btn.getAttribute('data-wait');
    btn.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(5);
      form.elements.lon.value = pos.coords.longitude.toFixed(5);
      btn.disabled = false;
      status.textContent = '';
      submit(form);
    }, function () {
      btn.disabled = false;
      status.textContent = btn.getAttribute('data-failed');
    }, { timeout: 20000, maximumAge: 60000 });
  });

  // The chat, live: forms post in the background and the answers (a
  // staff member's too) arrive over Server-Sent Events. Without this the
  // same forms post and the next page shows the answer.
  var chat = document.getElementById('chat');
  if (!chat || !window.EventSource || !window.fetch || !window.FormData) { return; }
  function parse(html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    return t.content.firstElementChild;
  }
  function replace(el) {
    var old = el && document.getElementById(el.id);
    if (old) { old.parentNode.replaceChild(el, old); }
    return old;
  }
  var events = new EventSource('/chat/events?v=' + chat.getAttribute('data-version'));
  events.addEventListener('msg', function (e) {
    var li = parse(e.data);
    if (!li) { return; }
    if (!replace(li)) { chat.appendChild(li); }
    li.scrollIntoView({ block: 'end' });
  });
  events.addEventListener('keys', function (e) {
    var keys = parse(e.data);
    if (replace(keys)) { showLocate(keys); }
  });
  // The conversation was erased (/borrar, a quick exit in another tab):
  // start again, unless this page is the one leaving.
  events.addEventListener('reset', function () { if (!leaving) { window.location.replace('/chat'); } });
  function updateID() {
    var a = new Uint32Array(2);
    window.crypto.getRandomValues(a);
    return (a[0] & 0x1fffff) * 4294967296 + a[1] + 1;
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.getAttribute('action') !== '/chat') { return; }
    e.preventDefault();
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) { data.append(e.submitter.name, e.submitter.value); }
    data.set('u', String(updateID()));
    if (form.id === 'say') { form.reset(); }
    fetch('/chat', { method: 'POST', body: data, credentials: 'same-origin', headers: { 'X-Acercate-Live': '1' } })
      .then(function (r) { if (r.status !== 204) { window.location.assign('/chat'); } },
        function () { window.location.assign('/chat'); });
  });
}());
