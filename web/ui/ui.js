/* tocsin responder UI: optional niceties over pages that work without JavaScript.
   1. Clocks tick: each [data-due] counts down (or up, red, once overdue), each [data-since]
      counts up, from the server's time in <main data-now> (the dev clock in tests), not the
      browser's.
   2. Live updates: /ui/events (server-sent events) carries the timeline's last sequence number;
      when it moves, the page's <main> is fetched again and swapped in place, without a reload,
      unless the user is typing in a form. Where EventSource is missing, /ui/events is polled. */
(function () {
  'use strict';
  var main = document.getElementById('main');
  if (!main) return;
  var offset = 0;
  function syncClock() {
    var now = Number(main.dataset.now);
    if (now) offset = now - Date.now();
  }
  function span(ms) {
    var s = Math.floor(ms / 1000);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm';
    if (s < 86400) {
      var m = Math.floor((s % 3600) / 60);
      return Math.floor(s / 3600) + 'h ' + (m < 10 ? '0' : '') + m + 'm';
    }
    return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
  }
  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll('[data-due]').forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var late = now >= due;
      el.textContent = late ? 'overdue by ' + span(now - due) : 'in ' + span(due - now);
      var box = el.closest('.clock');
      if (box) box.classList.toggle('breached', late);
    });
    document.querySelectorAll('[data-since]').forEach(function (el) {
      var t = Date.parse(el.dataset.since);
      if (!isNaN(t)) el.textContent = span(Math.max(0, now - t)) + ' ago';
    });
  }
  function typing() {
    if (main.querySelector('input.pick:checked')) return true; /* a bulk selection in progress */
    var a = document.activeElement;
    if (!a || !main.contains(a)) return false;
    return (a.tagName === 'TEXTAREA' || (a.tagName === 'INPUT' && a.type !== 'checkbox')) &&
      a.value !== '';
  }
  var version = main.dataset.version, busy = false;
  function refresh() {
    if (busy || typing()) return;
    busy = true;
    fetch(location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        busy = false;
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.getElementById('main');
        if (!fresh) return;
        main.replaceWith(fresh);
        main = fresh;
        version = main.dataset.version;
        syncClock();
        tick();
        var live = document.getElementById('live');
        if (live) live.textContent = 'updated ' + new Date().toLocaleTimeString();
      }, function () { busy = false; });
  }
  function seen(v) {
    if (v && v !== version) {
      version = v;
      refresh();
    }
  }
  syncClock();
  tick();
  setInterval(tick, 1000);
  if (window.EventSource) {
    var es = new EventSource('/ui/events');
    es.onmessage = function (e) { seen(String(e.data).trim()); };
  } else {
    setInterval(function () {
      fetch('/ui/events', { credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (t) {
          var m = /data: (\d+)/.exec(t);
          if (m) seen(m[1]);
        });
    }, 5000);
  }
}());
