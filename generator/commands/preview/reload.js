// legation preview only (never part of a built site): reload this page after every build of `legation serve`.
// The server answers at once when the page is older than its latest build, so a build that finished while
// the page was loading (before this socket opened) is not missed.
"use strict";
(function () {
  var script = document.currentScript;
  var build = script ? new URL(script.src).searchParams.get("build") || "" : "";
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  function connect() {
    var socket = new WebSocket(scheme + location.host + "/_legation/reload?build=" + encodeURIComponent(build));
    socket.onmessage = function () { location.reload(); };
    socket.onclose = function () { setTimeout(connect, 1000); };  // the server restarted: try again
  }
  connect();
}());
